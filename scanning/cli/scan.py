"""``python -m scanning.cli PATH``: scan a folder for dependency debt, fast enough for every CI run.

Loads no Django, Celery or web stack to scan: the engine reads the files, and the options
come from the flags and ``DEBTBOARD_*`` environment variables. Where advisories come from:

- ``--advisories PATH`` (or ``DEBTBOARD_ADVISORY_SOURCE`` naming a local folder or archive):
  an OSV folder (a clone of pypa/advisory-database), .zip or .tar.gz. It is read once and kept
  by package in the cache folder until the source changes; no database is needed.
- otherwise the advisory mirror in Debtboard's database, and only then is Django configured
  (``DJANGO_SETTINGS_MODULE``, else ``config.settings.local``), as ``manage.py scan`` does.

With ``DEBTBOARD_PACKAGE_INDEX_URL`` (or ``--index-url``) what each declared package provides is
read from its wheel on the index: one kept-alive session, several lookups at once, answers
kept in the cache folder between runs. The cache folder is ``--cache-dir``, else
``DEBTBOARD_CACHE_DIR``, else ``$XDG_CACHE_HOME/debtboard`` (``~/.cache/debtboard``); it also
holds the per-file scan cache that makes a rescan of an unchanged checkout cheap, and the last
report per checkout and flags, printed again while none of its inputs changed
(``scanning.engine.resultcache``; not with the database's mirror or a package index).

Exit status: 0 no findings, 1 findings, 2 bad usage.

``python -m scanning.cli gate PATH`` judges the scan by the organisation's policy instead and
prints a pull-request comment (``scanning.cli.gate``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from scanning.engine import resultcache

# The scanner is imported when a scan runs, not at start-up: an unchanged checkout is
# answered from the result cache without it (see ``cached_answer``).
if TYPE_CHECKING:
    from scanning.engine.options import ScanOptions
    from scanning.engine.pipeline import Auditor, ProvidedLoader
    from scanning.types import Declaration, Finding, TreeScan

USAGE_ERROR = 2
MB = 1024 * 1024  # as scanning.engine.limits, which would import the scanner


class UsageError(Exception):
    """Bad arguments: the message says which, and nothing was scanned."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags shared by this command and ``manage.py scan``."""
    parser.add_argument("path", help="directory to scan (a checkout or any folder)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--known-first-party",
        action="append",
        default=[],
        metavar="NAME",
        help="a top-level module the repository provides itself (repeatable)",
    )
    parser.add_argument(
        "--weight-threshold-mb",
        type=float,
        default=None,
        help="report weight files at least this large (default 10)",
    )


def checked_root(path: str, threshold_mb: object) -> Path:
    root = Path(path)
    if not root.is_dir():
        raise UsageError(f"not a directory: {root}")
    if threshold_mb is not None and (not isinstance(threshold_mb, float) or threshold_mb < 0):
        raise UsageError("--weight-threshold-mb must be positive")
    return root


def weight_threshold_bytes(threshold_mb: float | None) -> int:
    """``--weight-threshold-mb`` in bytes; the rule's own default when it was not given."""
    if threshold_mb is None:
        from scanning.engine.options import DEFAULT_WEIGHT_THRESHOLD_BYTES

        return DEFAULT_WEIGHT_THRESHOLD_BYTES
    return int(threshold_mb * MB)


def scan_report(root: Path, tree: TreeScan, commit: str = ""):
    """The printable report of ``tree``, as both commands print and push it."""
    from scanning.engine import report

    return report.ScanReport(
        path=str(root),
        files_seen=tree.files_seen,
        findings=tree.findings,
        errors=tree.errors,
        audit=tree.audit,
        manifests=tree.manifests,
        commit=commit,
    )


def render(root: Path, tree: TreeScan, output_format: str) -> str:
    from scanning.engine import report

    result = scan_report(root, tree)
    return report.as_json(result) if output_format == "json" else report.as_text(result)


def default_cache_dir(environ: dict[str, str]) -> Path:
    if environ.get("DEBTBOARD_CACHE_DIR"):
        return Path(environ["DEBTBOARD_CACHE_DIR"])
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "debtboard"


def _env_number(environ: dict[str, str], name: str, default: float) -> float:
    value = environ.get(name, "").strip()
    if not value:
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise UsageError(f"{name} must be a number, not {value!r}") from exc


def options_from(args: argparse.Namespace, environ: dict[str, str]) -> ScanOptions:
    """What the engine is told, from the flags and the ``DEBTBOARD_*`` environment."""
    from scanning.engine.options import ScanOptions

    defaults = ScanOptions()
    root = Path(args.path).resolve()
    cache_dir = None if args.no_cache else (args.cache_dir or default_cache_dir(environ))
    parser = defaults.parser_limits
    return ScanOptions(
        known_first_party=tuple(args.known_first_party),
        # One cache per folder scanned: a path never names two checkouts at once.
        cache_key=f"cli:{root}" if cache_dir else None,
        cache_dir=cache_dir / "scan" if cache_dir else None,
        max_files=int(_env_number(environ, "DEBTBOARD_MAX_FILES", defaults.max_files)),
        max_total_bytes=int(
            _env_number(environ, "DEBTBOARD_MAX_SCAN_MB", defaults.max_total_bytes / MB) * MB
        ),
        parser_limits=type(parser)(
            memory_bytes=int(
                _env_number(environ, "DEBTBOARD_PARSER_MEMORY_MB", parser.memory_bytes / MB) * MB
            ),
            cpu_seconds=int(
                _env_number(environ, "DEBTBOARD_PARSER_CPU_SECONDS", parser.cpu_seconds)
            ),
            timeout_seconds=_env_number(
                environ, "DEBTBOARD_PARSER_TIMEOUT_SECONDS", parser.timeout_seconds
            ),
        ),
        workers=int(_env_number(environ, "DEBTBOARD_SCAN_WORKERS", 0)),
        weight_threshold_bytes=weight_threshold_bytes(args.weight_threshold_mb),
        parse_in_process=True,
    )


def file_auditor(source: Path, cache_dir: Path | None) -> Auditor:
    """Vulnerabilities from an OSV folder or archive; licences need the database's metadata."""

    def audit(
        declarations: list[Declaration], *, unread_manifests: dict[str, str] | None = None
    ) -> tuple[list[Finding], dict]:
        from scanning.advisories import local
        from scanning.advisories.index import AdvisoryIndex
        from scanning.rules import vulnerable

        names = {d.name for d in declarations if d.name}
        try:
            index = local.index_from_source(source, names=names, cache_dir=cache_dir)
        except local.UnreadableAdvisories as exc:
            index = AdvisoryIndex(unavailable_reason=f"advisories unreadable: {exc}")
        findings, summary = vulnerable.vulnerability_findings(
            declarations, index, unread_manifests=unread_manifests
        )
        summary["checked_against"] = f"OSV records in {source}"
        summary["licenses"] = {"checked": False, "reason": "licences are checked by the server"}
        return findings, summary

    return audit


def database_auditor() -> tuple[Auditor, ProvidedLoader]:
    """The advisory mirror and import-name cache in Debtboard's database (Django set up now)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from scanning.database_sources import audit_findings, provided_imports

    return audit_findings, provided_imports


def index_loader(index_url: str, cache_dir: Path | None, environ: dict[str, str]) -> ProvidedLoader:
    from scanning.index import lookups

    limits = lookups.LookupLimits(
        timeout_seconds=_env_number(environ, "DEBTBOARD_PACKAGE_INDEX_TIMEOUT_SECONDS", 10),
        budget_seconds=_env_number(environ, "DEBTBOARD_IMPORT_NAMES_BUDGET_SECONDS", 120),
        threads=int(_env_number(environ, "DEBTBOARD_IMPORT_NAMES_THREADS", 8)),
    )
    import hashlib

    cache = None
    if cache_dir is not None:
        key = hashlib.sha256(index_url.encode()).hexdigest()[:16]
        cache = lookups.ImportNamesFile(cache_dir / f"import-names-{key}.json", limits)

    def load(declarations: list[Declaration]) -> dict:
        return lookups.provided_imports(
            declarations, index_url=index_url, limits=limits, cache=cache
        )

    return load


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scanning.cli",
        description=(
            "Scan a directory for dependency debt and print the findings with deptry-compatible "
            "codes (DEP001-DEP004) beside Debtboard's. Exit status 1 when there are findings."
        ),
    )
    add_arguments(parser)
    parser.add_argument(
        "--advisories",
        type=Path,
        metavar="PATH",
        help="OSV folder, .zip or .tar.gz to audit pins against (default: "
        "DEBTBOARD_ADVISORY_SOURCE if it is a local path, else the database's mirror)",
    )
    parser.add_argument("--index-url", help="simple package index (DEBTBOARD_PACKAGE_INDEX_URL)")
    parser.add_argument("--cache-dir", type=Path, help="cache folder (DEBTBOARD_CACHE_DIR)")
    parser.add_argument("--no-cache", action="store_true", help="read every file, keep nothing")
    return parser


def result_key(args: argparse.Namespace, root: Path, source: Path, environ: dict[str, str]) -> str:
    """What a kept answer depends on besides the files: every flag and ``DEBTBOARD_*``."""
    return resultcache.key_of(
        {
            "root": str(root.resolve()),
            "format": args.format,
            "known_first_party": args.known_first_party,
            "weight_threshold_mb": args.weight_threshold_mb,
            "advisories": str(source.resolve()),
            "environ": sorted((k, v) for k, v in environ.items() if k.startswith("DEBTBOARD_")),
            # which scanner answers: two checkouts of it may share one cache folder
            "code": str(Path(__file__).resolve().parent.parent),
            "sys_path": sys.path,
        }
    )


def cached_answer_usable(source: Path | None, index_url: str, cache_dir: Path | None) -> bool:
    """A whole answer is kept only when every input can be checked by its stat: an advisory
    folder or archive (not the database), and no package index (its answers change)."""
    return source is not None and not index_url and cache_dir is not None


def main(
    argv: Sequence[str] | None = None,
    *,
    environ: dict[str, str] | None = None,
    write: Callable[[str], object] = sys.stdout.write,
) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    environ = dict(os.environ if environ is None else environ)
    args = build_parser().parse_args(argv)
    try:
        root = checked_root(args.path, args.weight_threshold_mb)
    except UsageError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return USAGE_ERROR
    cache_dir = None if args.no_cache else (args.cache_dir or default_cache_dir(environ))
    source = args.advisories
    configured = environ.get("DEBTBOARD_ADVISORY_SOURCE", "").strip()
    if source is None and configured and "://" not in configured:
        source = Path(configured)
    index_url = (args.index_url or environ.get("DEBTBOARD_PACKAGE_INDEX_URL", "")).strip()
    key = None
    if cached_answer_usable(source, index_url, cache_dir):
        assert source is not None and cache_dir is not None
        key = result_key(args, root, source, environ)
        answer = resultcache.lookup(cache_dir, key)
        if answer is not None:
            write(answer[0])
            return answer[1]
    try:
        options = options_from(args, environ)
    except UsageError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return USAGE_ERROR
    inputs = started_ns = None
    if key is not None:
        inputs, started_ns = _inputs_before_scan(root, source)
    from scanning.engine.pipeline import scan_checkout

    provided: ProvidedLoader | None = None
    if source is not None:
        audit = file_auditor(source, cache_dir)
    else:
        audit, provided = database_auditor()
    if provided is None:
        provided = index_loader(index_url, cache_dir, environ)
    tree = scan_checkout(root, options, provided=provided, audit=audit)
    output = render(root, tree, args.format)
    status = 1 if any(not finding.kept for finding in tree.findings) else 0  # kept: decided
    write(output)
    if key is not None and inputs is not None and started_ns is not None:
        assert cache_dir is not None
        resultcache.store(cache_dir, key, inputs, output, status, started_ns=started_ns)
    return status


def _inputs_before_scan(
    root: Path, source: Path | None
) -> tuple[list[tuple[str, resultcache.Stat]] | None, int]:
    from scanning.engine.walk import SKIP_DIRS

    started_ns = resultcache.now_ns()
    watched = resultcache.watched_paths(
        root,
        skip_dirs=SKIP_DIRS,
        sources=[source] if source is not None else [],
        code=Path(__file__).resolve().parent.parent,
    )
    return (None if watched is None else resultcache.snapshot(watched)), started_ns
