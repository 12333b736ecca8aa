"""The pull-request gate, pure (no Django): the verdict a policy gives a scan, the policy, the
scan a repository's CI pushes (ingest) and the patch that keeps a decision in its own tools."""
