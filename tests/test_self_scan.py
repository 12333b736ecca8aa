"""Debtboard passes its own hygiene: scanning this repository finds no dependency debt."""

from __future__ import annotations

from pathlib import Path

from scanning import rules
from scanning.engine.pipeline import scan_tree

ROOT = Path(__file__).resolve().parent.parent


def test_our_own_repository_has_no_dependency_findings():
    tree = scan_tree(ROOT)
    findings = rules.run_rules(tree, known_first_party=[], kinds=rules.ALL_KINDS)
    assert [f"{f.kind} {f.subject}: {f.summary}" for f in findings] == []
    assert {"django", "celery", "cryptography", "redis"} <= {d.name for d in tree.declarations}
