"""``manage.py scan PATH``: scan a directory and print its findings; exit 1 when there are any.

Reads files only; the database reads are the advisory mirror for the vulnerability audit and
the cache of what packages provide (each skipped, and said so, when there is no database). With
``DEBTBOARD_PACKAGE_INDEX_URL`` set, what the declared packages provide is looked up on the
index, but the cache is never written.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from scanning import cli, services
from scanning.engine.pipeline import scan_checkout
from scanning.options import scan_options
from scanning.package_cache import importnames
from scanning.types import Declaration, Finding, ProvidedImports

USAGE_ERROR = cli.USAGE_ERROR


def audit_findings(
    declarations: list[Declaration], *, unread_manifests: dict[str, str] | None = None
) -> tuple[list[Finding], dict]:
    """Vulnerability and licence findings from the advisory mirror in the configured database.

    Without a usable database (not migrated, unreachable) nothing is audited, and the audit
    says so: the gate is "unknown", never "pass".
    """
    try:
        return services.audit_declarations(
            declarations, write_cache=False, unread_manifests=unread_manifests
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
        "codes (DEP001-DEP004) beside Debtboard's. Exit status 1 when there are findings. "
        "python -m scanning.cli does the same without starting Django unless it needs the "
        "database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        cli.add_arguments(parser)

    def handle(self, *args: object, **options: object) -> None:
        try:
            root = cli.checked_root(str(options["path"]), options["weight_threshold_mb"])
        except cli.UsageError as exc:
            raise CommandError(str(exc), returncode=USAGE_ERROR) from exc
        known = [str(name) for name in options["known_first_party"]]  # type: ignore[union-attr]
        threshold_bytes = cli.weight_threshold_bytes(options["weight_threshold_mb"])  # type: ignore[arg-type]
        tree = scan_checkout(
            root,
            scan_options(known_first_party=known, weight_threshold_bytes=threshold_bytes),
            provided=provided_imports,
            audit=audit_findings,
        )
        self.stdout.write(cli.render(root, tree, str(options["format"])))
        if any(not finding.kept for finding in tree.findings):  # kept ones are decided
            self.stdout.flush()
            sys.exit(1)
