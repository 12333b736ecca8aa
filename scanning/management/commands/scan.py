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

from scanning import rules, services
from scanning.engine import report
from scanning.engine.pipeline import scan_tree
from scanning.package_cache import importnames
from scanning.rules import weights
from scanning.rules.unread import unread_of
from scanning.types import Declaration, Finding, ProvidedImports, TreeScan

USAGE_ERROR = 2


def audit_findings(tree: TreeScan) -> tuple[list[Finding], dict]:
    """Vulnerability and licence findings from the advisory mirror in the configured database.

    Without a usable database (not migrated, unreachable) nothing is audited, and the audit
    says so: the gate is "unknown", never "pass".
    """
    try:
        return services.audit_declarations(
            tree.declarations, write_cache=False, unread_manifests=unread_of(tree).manifests
        )
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
            default=weights.DEFAULT_THRESHOLD_BYTES / (1024 * 1024),
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
        tree = scan_tree(root, provided=provided_imports)
        findings = rules.run_rules(tree, known_first_party=known, kinds=rules.ALL_KINDS)
        found_weights, weight_errors = weights.weight_findings_for(
            root, threshold_bytes=int(threshold * 1024 * 1024)
        )
        audited, audit = audit_findings(tree)
        audit["import_names"] = importnames.import_names_audit(tree.provided)
        findings += found_weights + audited
        result = report.ScanReport(
            path=str(root),
            files_seen=tree.files_seen,
            findings=findings,
            errors=[*tree.errors, *weight_errors],
            audit=audit,
        )
        rendered = report.as_json(result) if options["format"] == "json" else report.as_text(result)
        self.stdout.write(rendered)
        if findings:
            self.stdout.flush()
            sys.exit(1)
