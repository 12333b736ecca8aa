"""``python -m scanning.cli gate PATH``: scan, judge by policy, print the pull-request comment.

Needs no server: the policy comes from ``--policy FILE`` or the repository's own
``debtboard.toml`` (else the registry's defaults), advisories from ``--advisories`` (without
them nothing is audited and the gate says "unknown"). With ``--server URL --token T`` the
policy and the decisions kept on the server are fetched with an API token, so a finding
someone kept there does not fail the build. The change is compared with ``--base REF`` (read
through the hardened git runner) or ``--base-scan FILE`` (an earlier scan's JSON) to find the
requirements it adds.

Exit status: 0 pass, 1 fail or unknown, 2 bad usage or a policy/server that could not be read.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from scanning.cli import scan as scan_cli
from scanning.engine import report
from scanning.engine.pipeline import scan_checkout
from scanning.gate import policy, verdict
from scanning.git import runner as gitrunner

MAX_BASE_MANIFESTS = 500
MAX_BASE_MANIFEST_BYTES = 5 * 1024 * 1024
GIT_TIMEOUT_SECONDS = 60
SERVER_TIMEOUT_SECONDS = 20
MAX_SERVER_ANSWER_BYTES = 5 * 1024 * 1024


class GateError(Exception):
    """The gate could not be decided (bad policy, unreadable base, server unreachable)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scanning.cli gate",
        description="Scan a checkout and judge it by the organisation's policy; print Markdown "
        "for a pull-request comment. Exit 0 pass, 1 fail or unknown, 2 error.",
    )
    scan_cli.add_arguments(parser)
    parser.add_argument("--advisories", type=Path, metavar="PATH", help="OSV folder or archive")
    parser.add_argument("--index-url", help="simple package index (DEBTBOARD_PACKAGE_INDEX_URL)")
    parser.add_argument("--cache-dir", type=Path, help="cache folder (DEBTBOARD_CACHE_DIR)")
    parser.add_argument("--no-cache", action="store_true")
    parser.add_argument(
        "--policy", type=Path, help=f"policy file (default: PATH/{policy.POLICY_FILE})"
    )
    base = parser.add_mutually_exclusive_group()
    base.add_argument("--base", metavar="REF", help="git ref to compare with (origin/main)")
    base.add_argument("--base-scan", type=Path, metavar="FILE", help="an earlier scan's JSON")
    parser.add_argument("--server", metavar="URL", help="Debtboard server for policy and decisions")
    parser.add_argument("--token", help="API token (default: DEBTBOARD_TOKEN)")
    parser.add_argument("--repository", help="the repository's name on the server")
    parser.add_argument(
        "--scan-output", type=Path, metavar="FILE", help="also write the scan JSON (for ingest)"
    )
    parser.add_argument("--commit", default="", help="commit scanned, recorded in the scan JSON")
    return parser


def base_names_from_git(root: Path, ref: str) -> set[str]:
    """The names the requirements at ``ref`` declare, read with the hardened git runner."""
    from scanning import manifests

    if not ref or ref.startswith("-") or any(c in ref for c in "\0\n"):
        raise GateError(f"not a git ref: {ref!r}")

    def git(*args: str) -> bytes:
        try:
            return gitrunner.run_git(["-C", str(root), *args], timeout=GIT_TIMEOUT_SECONDS).stdout
        except gitrunner.GitFailed as exc:
            raise GateError(f"git could not read {ref!r}: {exc}") from exc

    commit = git("rev-parse", "--verify", "--end-of-options", f"{ref}^{{commit}}").decode().strip()
    listing = git("ls-tree", "-r", "-z", "--name-only", commit).decode("utf-8", "surrogateescape")
    paths = [p for p in listing.split("\0") if p and manifests.manifest_kind(p)]
    if len(paths) > MAX_BASE_MANIFESTS:
        raise GateError(f"{ref} holds more than {MAX_BASE_MANIFESTS} manifests")
    with tempfile.TemporaryDirectory(prefix="debtboard-base-") as folder:
        base_root = Path(folder)
        for path in paths:
            content = git("cat-file", "blob", f"{commit}:{path}")
            if len(content) > MAX_BASE_MANIFEST_BYTES:
                continue
            target = base_root / path
            if base_root not in target.resolve().parents:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        found = manifests.parse_manifests(base_root, paths)
    data = report.as_data(report.ScanReport(path=ref, files_seen=len(paths), manifests=found))
    return {d["name"] for d in verdict.declared_requirements(data)}


def base_names_from_scan(path: Path) -> set[str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GateError(f"{path} could not be read: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != report.FORMAT:
        raise GateError(f"{path} is not a Debtboard scan ({report.FORMAT})")
    return {d["name"] for d in verdict.declared_requirements(data)}


def server_answer(server: str, token: str, repository: str) -> dict[str, Any]:
    """The policy and kept decisions the server gives this token for ``repository``."""
    if not server.startswith(("https://", "http://")):
        raise GateError("--server must be an http(s) URL")
    query = urllib.parse.urlencode({"repository": repository} if repository else {})
    url = f"{server.rstrip('/')}/api/v1/gate/" + (f"?{query}" if query else "")
    request = urllib.request.Request(  # noqa: S310 (http(s) only, checked above)
        url, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=SERVER_TIMEOUT_SECONDS) as response:  # noqa: S310
            body = response.read(MAX_SERVER_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as exc:
        detail = exc.read(2000).decode("utf-8", "replace")
        raise GateError(f"the server answered {exc.code}: {detail}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise GateError(f"the server could not be reached: {exc}") from exc
    if len(body) > MAX_SERVER_ANSWER_BYTES:
        raise GateError("the server's answer is too large")
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise GateError("the server's answer is not JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("kept", []), list):
        raise GateError("the server's answer is not a gate policy")
    return data


def main(
    argv: Sequence[str],
    *,
    environ: dict[str, str] | None = None,
    write: Callable[[str], object] = sys.stdout.write,
) -> int:
    environ = dict(os.environ if environ is None else environ)
    args = build_parser().parse_args(list(argv))
    try:
        root = scan_cli.checked_root(args.path, args.weight_threshold_mb)
        options = scan_cli.options_from(args, environ)
        rules, owners, kept = _policy(args, root, environ)
        base_names: set[str] | None = None
        if args.base:
            base_names = base_names_from_git(root, args.base)
        elif args.base_scan:
            base_names = base_names_from_scan(args.base_scan)
    except (scan_cli.UsageError, GateError, policy.PolicyError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return scan_cli.USAGE_ERROR
    cache_dir = None if args.no_cache else (args.cache_dir or scan_cli.default_cache_dir(environ))
    source = args.advisories
    configured = environ.get("DEBTBOARD_ADVISORY_SOURCE", "").strip()
    if source is None and configured and "://" not in configured:
        source = Path(configured)
    audit = scan_cli.file_auditor(source, cache_dir) if source is not None else None
    index_url = (args.index_url or environ.get("DEBTBOARD_PACKAGE_INDEX_URL", "")).strip()
    provided = scan_cli.index_loader(index_url, cache_dir, environ)
    tree = scan_checkout(root, options, provided=provided, audit=audit)
    scan_json = report.as_json(scan_cli.scan_report(root, tree, commit=args.commit))
    data = json.loads(scan_json)
    if args.scan_output:
        args.scan_output.write_text(scan_json, encoding="utf-8")
    added = None
    if base_names is not None:
        added = verdict.added_requirements(data, base_names, root=root, owners=owners)
    result = verdict.evaluate(
        data, rules, kept_on_server=kept, added=added, base=args.base or str(args.base_scan or "")
    )
    if args.format == "json":
        write(json.dumps(verdict.as_data(result), indent=2, ensure_ascii=False) + "\n")
    else:
        write(verdict.as_markdown(result))
    return result.exit_code


def _policy(
    args: argparse.Namespace, root: Path, environ: dict[str, str]
) -> tuple[policy.Policy, dict[str, tuple[str, str]], set[tuple[str, str]]]:
    """(policy, owners from the repository's debtboard.toml, kept (kind, subject) on the server)."""
    config_path = root / policy.POLICY_FILE
    config = policy.read_toml(config_path) if config_path.is_file() else {}
    owners = verdict.owners_from_config(config)
    if args.server:
        token = args.token or environ.get("DEBTBOARD_TOKEN", "")
        if not token:
            raise GateError("--server needs --token or DEBTBOARD_TOKEN")
        answer = server_answer(args.server, token, args.repository or "")
        rules = policy.from_mapping(answer.get("policy", {}), source=f"{args.server} (server)")
        kept = {
            (str(k.get("kind")), str(k.get("subject")))
            for k in answer.get("kept", [])
            if isinstance(k, dict)
        }
        return rules, owners, kept
    if args.policy:
        return policy.from_file(args.policy), owners, set()
    if "policy" in config:
        return policy.from_mapping(config["policy"], source=policy.POLICY_FILE), owners, set()
    return policy.Policy(), owners, set()
