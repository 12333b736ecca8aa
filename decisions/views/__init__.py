"""Views by feature: records (triage, record page), meetings, reports, tokens, repositories,
portfolio, artifacts, and the read API."""
