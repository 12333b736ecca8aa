"""``manage.py scan PATH``: scan a directory and print its findings; exit 1 when there are any.

Reads files only; the database reads are the advisory mirror for the vulnerability audit and
the cache of what packages provide (each skipped, and said so, when there is no database). With
``DEBTBOARD_PACKAGE_INDEX_URL`` set, what the declared packages provide is looked up on the
index, but the cache is never written.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from scanning import services
from scanning.engine import report
from scanning.engine.options import DEFAULT_WEIGHT_THRESHOLD_BYTES
from scanning.engine.pipeline import scan_checkout
from scanning.options import scan_options
from scanning.package_cache import importnames
from scanning.types import Declaration, Finding, ProvidedImports

USAGE_ERROR = 2


def audit_findings(declarations: list[Declaration]) -> tuple[list[Finding], dict]:
    """Vulnerability and licence findings from the advisory mirror in the configured database.

    Without a usable database (not migrated, unreachable) nothing is audited, and the audit
    says so: the gate is "unknown", never "pass".
    """
    try:
        return services.audit_declarations(declarations, write_cache=False)
    except DatabaseError as exc:
        reason = f"advisory database unavailable ({type(exc).__name__})"
        return [], {"gate": "unknown", "reasons": [reason], "audited": 0, "not_audited": []}


def provided_imports(declarations: list[Declaration]) -> dict[str, ProvidedImports]:
    """What the declared packages provide: the cache if there is a database, then the index."""
    try:
        return importnames.provided_imports(declarations, write_cache=False)
    except DatabaseError:
        return importnames.provided_imports(declarations, read_cache=False, write_cache=False)


class Command(BaseCommand):
    help = (
        "Scan a directory for dependency debt and print the findings with deptry-compatible "
        "codes (DEP001-DEP004) beside Debtboard's. Exit status 1 when there are findings."
    )

    def add_arguments(self, parser: CommandParser) -> None:
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
            default=DEFAULT_WEIGHT_THRESHOLD_BYTES / (1024 * 1024),
            help="report weight files at least this large (default 10)",
        )

    def handle(self, *args: object, **options: object) -> None:
        root = Path(str(options["path"]))
        if not root.is_dir():
            raise CommandError(f"not a directory: {root}", returncode=USAGE_ERROR)
        threshold = options["weight_threshold_mb"]
        if not isinstance(threshold, float) or threshold < 0:
            raise CommandError("--weight-threshold-mb must be positive", returncode=USAGE_ERROR)
        known = [str(name) for name in options["known_first_party"]]  # type: ignore[union-attr]
        tree = scan_checkout(
            root,
            scan_options(
                known_first_party=known, weight_threshold_bytes=int(threshold * 1024 * 1024)
            ),
            provided=provided_imports,
            audit=audit_findings,
        )
        result = report.ScanReport(
            path=str(root),
            files_seen=tree.files_seen,
            findings=tree.findings,
            errors=tree.errors,
            audit=tree.audit,
        )
        rendered = report.as_json(result) if options["format"] == "json" else report.as_text(result)
        self.stdout.write(rendered)
        if tree.findings:
            self.stdout.flush()
            sys.exit(1)
