"""``manage.py scan PATH``: scan a directory and print its findings; exit 1 when there are any.

Reads files only; the database reads are the advisory mirror for the vulnerability audit and
the cache of what packages provide (each skipped, and said so, when there is no database). With
``DEBTBOARD_PACKAGE_INDEX_URL`` set, what the declared packages provide is looked up on the
index, but the cache is never written.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scanning.cli import scan as scan_cli
from scanning.database_sources import audit_findings, provided_imports
from scanning.engine.pipeline import scan_checkout
from scanning.options import scan_options

USAGE_ERROR = scan_cli.USAGE_ERROR


class Command(BaseCommand):
    help = (
        "Scan a directory for dependency debt and print the findings with deptry-compatible "
        "codes (DEP001-DEP004) beside Debtboard's. Exit status 1 when there are findings. "
        "python -m scanning.cli does the same without starting Django unless it needs the "
        "database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        scan_cli.add_arguments(parser)

    def handle(self, *args: object, **options: object) -> None:
        try:
            root = scan_cli.checked_root(str(options["path"]), options["weight_threshold_mb"])
        except scan_cli.UsageError as exc:
            raise CommandError(str(exc), returncode=USAGE_ERROR) from exc
        known = [str(name) for name in options["known_first_party"]]  # type: ignore[union-attr]
        threshold_bytes = scan_cli.weight_threshold_bytes(options["weight_threshold_mb"])  # type: ignore[arg-type]
        tree = scan_checkout(
            root,
            scan_options(known_first_party=known, weight_threshold_bytes=threshold_bytes),
            provided=provided_imports,
            audit=audit_findings,
        )
        self.stdout.write(scan_cli.render(root, tree, str(options["format"])))
        if any(not finding.kept for finding in tree.findings):  # kept ones are decided
            self.stdout.flush()
            sys.exit(1)
