"""``manage.py scan PATH``: scan a directory and print its findings; exit 1 when there are any.

Reads files only (no database access, no writes), so it works on a fresh install and in CI.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scanning import report, rules, walk
from scanning.rules import weights
from scanning.scanner import scan_tree
from scanning.types import FileError, Finding, TreeScan

USAGE_ERROR = 2


def extra_findings(tree: TreeScan) -> list[Finding]:
    """HOOK for findings that need more than the files (vulnerabilities from the advisory mirror).

    To be wired: ``scanning.rules.vulnerable.vulnerability_findings(tree.declarations,
    scanning.advisories.store.index_from_database())``. Returns nothing until then.
    """
    return []


def weight_findings(root: Path, threshold_bytes: int) -> tuple[list[Finding], list[FileError]]:
    """Large weight files: from git history when ``root`` is a checkout, else from disk."""
    errors: list[FileError] = []
    if (root / ".git").exists():
        try:
            listing = weights.git_weight_files(root)
        except (OSError, subprocess.SubprocessError) as exc:
            errors.append(FileError(".git", f"could not list git objects: {type(exc).__name__}"))
            files = []
        else:
            files = listing.files
            if listing.shallow:
                message = "shallow clone: files deleted from history cannot be seen"
                errors.append(FileError(".git", message))
    else:
        paths, _ = walk.list_files(root)
        files = weights.disk_weight_files(root, paths)
    return weights.weight_findings(files, threshold_bytes=threshold_bytes), errors


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
        tree = scan_tree(root)
        findings = rules.run_rules(tree, known_first_party=known, kinds=rules.ALL_KINDS)
        found_weights, weight_errors = weight_findings(root, int(threshold * 1024 * 1024))
        findings += found_weights
        findings += extra_findings(tree)
        result = report.ScanReport(
            path=str(root),
            files_seen=tree.files_seen,
            findings=findings,
            errors=[*tree.errors, *weight_errors],
        )
        rendered = report.as_json(result) if options["format"] == "json" else report.as_text(result)
        self.stdout.write(rendered)
        if findings:
            self.stdout.flush()
            sys.exit(1)
