"""Runtime requirements that float: unpinned, range-pinned, or exact with no lock file.

Debt levels, worst first: 1 unpinned (any release may arrive), 2 range (any release in the
range), 3 exact without a lock (the package is fixed, what it pulls in is not). Levels 1 and 2
are a finding per requirement; level 3 is the production-ready practice for the requirement
itself, so it only counts in the one repository-level ``no-lock`` finding.

A lock covers the manifests it is generated from (``lock_coverage``) and only the names it
lists: what a Dockerfile installs past it, a requirements file installed instead of it, a name
it does not list, and what notebooks install at run time all keep their pinning debt.
"""

from __future__ import annotations

import posixpath

from scanning.rules import kinds
from scanning.rules.context import RuleContext
from scanning.rules.declared import (
    compiled_paths,
    direct_declarations,
    lock_paths,
    run_time_installs,
    source_paths,
)
from scanning.types import EXACT, LOCKED, RANGE, RUNTIME, UNPINNED, Declaration, Finding

DEBT_LEVELS = {UNPINNED: 1, RANGE: 2, EXACT: 3}
_STRENGTH = {UNPINNED: 0, RANGE: 1, EXACT: 2, LOCKED: 3}
_DESCRIPTIONS = {UNPINNED: "unpinned", RANGE: "range-pinned", EXACT: "pinned exactly"}
# Installers upgraded in place by Dockerfiles; pinning them is a different conversation.
_INSTALLERS = frozenset({"pip", "setuptools", "wheel", "uv"})
REPOSITORY_SUBJECT = "(repository)"
# Manifests a lock file is generated from, when they are in the lock's folder or below it
# (a uv or Poetry workspace locks its members in the root's lock): pyproject.toml in each of
# its dialects (its kind is the one declaring most), Pipfile, setup.cfg and setup.py.
_LOCKED_SOURCES = frozenset(
    {"pyproject-pep621", "dependency-groups", "pdm", "uv", "poetry", "pipfile", "setup-cfg"}
    | {"setup-py"}
)
_VIA_SOURCE = ("-r ", "--requirement ")


def lock_coverage(declarations: list[Declaration], kinds: dict[str, str]) -> set[tuple[str, str]]:
    """(manifest path, name) pairs some lock file fixes: the lock lists the name, and the
    manifest is one the lock is generated from.

    Lock files (poetry.lock, uv.lock, pylock, Pipfile.lock) cover the project manifests in
    their folder and below; compiled requirements cover their ``.in`` twin and the sources
    their ``# via`` notes name (or, with no notes, the project manifests of their folder).
    """
    locks = lock_paths(kinds)
    compiled = compiled_paths(kinds) | {p for p in locks if kinds.get(p) == "requirements-compiled"}
    listed: dict[str, set[str]] = {}
    sources: dict[str, set[str]] = {}
    for declaration in declarations:
        if declaration.path in locks:
            listed.setdefault(declaration.path, set()).add(declaration.name)
            if declaration.path in compiled:
                sources.setdefault(declaration.path, set()).update(_via_sources(declaration))
    covered: set[tuple[str, str]] = set()
    manifests = {d.path for d in declarations if d.path not in locks}
    for lock, names in listed.items():
        folder = posixpath.dirname(lock)
        covers = {
            path
            for path in manifests
            if kinds.get(path) in _LOCKED_SOURCES
            and _below(path, folder)
            and (lock not in compiled or posixpath.dirname(path) == folder)
        }
        if lock in compiled:
            twin = lock.removesuffix(".txt") + ".in"
            named = sources.get(lock, set())
            covers = {twin} | named if (named or twin in kinds) else covers
        covered |= {(path, name) for path in covers for name in names}
    return covered


def _via_sources(declaration: Declaration) -> set[str]:
    base = posixpath.dirname(declaration.path)
    found = set()
    for note in declaration.via:
        if note.startswith(_VIA_SOURCE):
            found.add(note.split(None, 1)[1].strip())
        elif note.endswith(")") and "(" in note:
            found.add(note.rpartition("(")[2][:-1])
    return {path for source in found for path in source_paths(base, source)}


def _below(path: str, folder: str) -> bool:
    return not folder or path.startswith(folder + "/")


def runtime_requirements(
    declarations: list[Declaration], kinds: dict[str, str]
) -> dict[str, list[Declaration]]:
    """Runtime declarations a person wrote, by name (editable and local paths left out)."""
    by_name: dict[str, list[Declaration]] = {}
    for declaration in direct_declarations(declarations, kinds):
        if declaration.purpose != RUNTIME or kinds.get(declaration.path) == "constraints":
            continue
        if declaration.editable or declaration.url.startswith("file:"):
            continue
        if declaration.name in _INSTALLERS:
            continue
        by_name.setdefault(declaration.name, []).append(declaration)
    return by_name


def _strongest_pin(name: str, found: list[Declaration], constraints: dict[str, str]) -> str:
    levels = [d.pin_level for d in found]
    if name in constraints:
        levels.append(constraints[name])
    return max(levels, key=lambda level: _STRENGTH.get(level, 0))


def _constraint_pins(declarations: list[Declaration], kinds: dict[str, str]) -> dict[str, str]:
    pins: dict[str, str] = {}
    for declaration in declarations:
        if kinds.get(declaration.path) == "constraints":
            current = pins.get(declaration.name, UNPINNED)
            if _STRENGTH[declaration.pin_level] >= _STRENGTH[current]:
                pins[declaration.name] = declaration.pin_level
    return pins


def unpinned(declarations: list[Declaration], *, direct_kinds: dict[str, str]) -> list[Finding]:
    """One finding per unpinned or range-pinned runtime requirement no lock covers, and per
    such install in a notebook, with its debt level."""
    covered = lock_coverage(declarations, direct_kinds)
    constraints = _constraint_pins(declarations, direct_kinds)
    floating = {
        name: [d for d in found if (d.path, name) not in covered]
        for name, found in runtime_requirements(declarations, direct_kinds).items()
    }
    for install in run_time_installs(declarations, direct_kinds):
        if direct_kinds.get(install.path) == "notebook" and not install.url:
            floating.setdefault(install.name, []).append(install)
    findings = []
    for name, found in sorted(floating.items()):
        if not found:
            continue
        level = _strongest_pin(name, found, constraints)
        if level not in (UNPINNED, RANGE):
            continue
        where = ", ".join(f"{d.path}:{d.line} ({d.raw})" for d in found)
        findings.append(
            Finding(
                kind=kinds.UNPINNED,
                subject=name,
                summary=(
                    f"{name} is {_DESCRIPTIONS[level]} ({where}) and no lock file fixes what "
                    f"gets installed there (debt level {DEBT_LEVELS[level]} of 3, 1 is worst)."
                ),
                evidence=tuple(found),
            )
        )
    return findings


def no_lock(declarations: list[Declaration], *, direct_kinds: dict[str, str]) -> list[Finding]:
    """One repository-level finding when runtime requirements exist and no lock file does."""
    if lock_paths(direct_kinds):
        return []
    requirements = runtime_requirements(declarations, direct_kinds)
    if not requirements:
        return []
    constraints = _constraint_pins(declarations, direct_kinds)
    counts = dict.fromkeys(DEBT_LEVELS, 0)
    for name, found in requirements.items():
        level = _strongest_pin(name, found, constraints)
        if level in counts:
            counts[level] += 1
    manifests = sorted({d.path for found in requirements.values() for d in found})
    return [
        Finding(
            kind=kinds.NO_LOCK,
            subject=REPOSITORY_SUBJECT,
            summary=(
                f"{len(requirements)} runtime requirement(s) in {', '.join(manifests)} and no "
                f"lock file: {counts[UNPINNED]} unpinned, {counts[RANGE]} range-pinned, "
                f"{counts[EXACT]} exact; what they pull in changes from one install to the next."
            ),
            evidence=tuple(found[0] for _, found in sorted(requirements.items())),
        )
    ]


def find_unpinned(context: RuleContext) -> list[Finding]:
    return unpinned(context.declarations, direct_kinds=context.direct_kinds)


def find_no_lock(context: RuleContext) -> list[Finding]:
    return no_lock(context.declarations, direct_kinds=context.direct_kinds)
