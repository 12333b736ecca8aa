from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from scanning import rules
from scanning.engine.pipeline import scan_tree
from scanning.types import Finding
from tests.factories import write_tree

Scan = Callable[..., list[Finding]]


@pytest.fixture
def scan(tmp_path: Path) -> Scan:
    """Write {path: content} under tmp_path, scan it, and return every kind of finding."""

    def run(files: dict[str, str], **options: object) -> list[Finding]:
        tree = scan_tree(write_tree(tmp_path, files))
        return rules.run_rules(tree, kinds=rules.ALL_KINDS, **options)

    return run


def kinds_and_subjects(findings: list[Finding]) -> set[tuple[str, str]]:
    return {(f.kind, f.subject) for f in findings}
