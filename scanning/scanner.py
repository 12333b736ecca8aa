"""Scan one checkout: list files, parse manifests, collect evidence of use, run the rules."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from scanning import evidence, manifests, rules, walk
from scanning.types import TreeScan

Progress = Callable[[int, str], None]


def _quiet(percent: int, message: str) -> None:
    pass


def scan_tree(root: Path, *, progress: Progress = _quiet) -> TreeScan:
    """Everything Debtboard learns from the files below ``root``; never executes them."""
    progress(10, "Listing files")
    paths, errors = walk.list_files(root)
    tree = TreeScan(files_seen=len(paths), errors=errors)
    progress(25, f"Reading manifests among {len(paths)} files")
    tree.manifests = manifests.parse_manifests(root, paths)
    for manifest in tree.manifests:
        tree.errors.extend(manifest.errors)
    progress(50, "Collecting imports and other evidence of use")
    tree.usages, usage_errors = evidence.collect_usages(root, paths)
    tree.errors.extend(usage_errors)
    tree.first_party = evidence.first_party_modules(paths)
    progress(80, "Applying rules")
    tree.findings = rules.run_rules(tree)
    return tree
