"""Projects of one repository that each install into an environment of their own.

A folder holding a project manifest beside its own lock file (``hooli-bi/pyproject.toml`` with
``hooli-bi/uv.lock``, each built into its own image) is installed apart from its neighbours:
what it declares serves only its own code, and its code has only what it declares. A uv or
Poetry workspace shares one lock at its root, so its members are one environment and one scope.
Files outside every such project (a root Makefile, CI workflows, shared scripts) belong to the
repository as a whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath

from scanning.types import COMMAND, DYNAMIC_IMPORT, STATIC_IMPORT, Declaration, Finding, Usage

LOCK_FILES = frozenset({"uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock"})
PROJECT_FILES = frozenset({"pyproject.toml", "Pipfile", "setup.py", "setup.cfg"})
IMPORT_KINDS = frozenset({STATIC_IMPORT, DYNAMIC_IMPORT})
WHOLE = ""  # the scope of files outside every project


def project_roots(paths: Iterable[str]) -> list[str]:
    """Folders (never the repository root) with a project manifest and a lock of their own."""
    names: dict[str, set[str]] = {}
    for path in paths:
        pure = PurePosixPath(path)
        names.setdefault(str(pure.parent), set()).add(pure.name)
    return sorted(
        folder
        for folder, files in names.items()
        if folder not in (".", "") and files & LOCK_FILES and files & PROJECT_FILES
    )


def scope_of(path: str, roots: list[str]) -> str:
    """The innermost project ``path`` lies in, or ``WHOLE``."""
    inside = [root for root in roots if path == root or path.startswith(root + "/")]
    return max(inside, key=len) if inside else WHOLE


def serves(usage: Usage, scope: str, roots: list[str]) -> bool:
    """Whether a usage counts in a project's run: its own code, and the shared commands and
    settings (a root Makefile's ``ruff check``), but not shared code's imports, which the
    whole repository's run judges."""
    where = scope_of(usage.path, roots)
    if where == scope:
        return True
    if where != WHOLE or usage.kind in IMPORT_KINDS:
        return False
    aimed = aimed_at(usage, roots)
    return not aimed or scope in aimed


def aimed_at(usage: Usage, roots: list[str]) -> set[str]:
    """Projects a shared command names by path (``dagster-dbt project prepare-and-package
    --file hooli-data-eng/src/...`` in CI runs for hooli-data-eng alone); empty: every one."""
    if usage.kind != COMMAND or not usage.detail:
        return set()
    aimed = set()
    for word in usage.detail.split():
        path = word.split("=", 1)[-1].strip("'\"").removeprefix("./").rstrip("/")
        if path and (where := scope_of(path, roots)) != WHOLE:
            aimed.add(where)
    return aimed


def in_scope(finding: Finding, scope: str, roots: list[str]) -> bool:
    """Whether a finding made in ``scope``'s run speaks about that scope's files."""
    places = [e.path for e in finding.evidence if isinstance(e, (Usage, Declaration))]
    return not places or any(scope_of(path, roots) == scope for path in places)


def merged(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per (kind, subject): the first one's words, every run's evidence."""
    by_key: dict[tuple[str, str], Finding] = {}
    for finding in findings:
        key = (finding.kind, finding.subject)
        first = by_key.get(key)
        if first is None:
            by_key[key] = finding
            continue
        evidence = (*first.evidence, *(e for e in finding.evidence if e not in first.evidence))
        by_key[key] = _with_evidence(first, evidence)
    return list(by_key.values())


def _with_evidence(finding: Finding, evidence: tuple) -> Finding:
    return Finding(
        kind=finding.kind,
        subject=finding.subject,
        summary=finding.summary,
        evidence=evidence,
        severity=finding.severity,
        confidence=finding.confidence,
        kept=finding.kept,
    )
