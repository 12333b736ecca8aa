"""Runtime requirements that float: unpinned, range-pinned, or exact with no lock file.

Debt levels, worst first: 1 unpinned (any release may arrive), 2 range (any release in the
range), 3 exact without a lock (the package is fixed, what it pulls in is not). Levels 1 and 2
are a finding per requirement; level 3 is the production-ready practice for the requirement
itself, so it only counts in the one repository-level ``no-lock`` finding. A repository with a
lock file (or compiled requirements) has no pinning debt.
"""

from __future__ import annotations

from scanning.rules import kinds
from scanning.rules.context import RuleContext
from scanning.rules.declared import direct_declarations, lock_paths
from scanning.types import EXACT, LOCKED, RANGE, RUNTIME, UNPINNED, Declaration, Finding

DEBT_LEVELS = {UNPINNED: 1, RANGE: 2, EXACT: 3}
_STRENGTH = {UNPINNED: 0, RANGE: 1, EXACT: 2, LOCKED: 3}
_DESCRIPTIONS = {UNPINNED: "unpinned", RANGE: "range-pinned", EXACT: "pinned exactly"}
# Installers upgraded in place by Dockerfiles; pinning them is a different conversation.
_INSTALLERS = frozenset({"pip", "setuptools", "wheel", "uv"})
REPOSITORY_SUBJECT = "(repository)"


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
    """One finding per unpinned or range-pinned runtime requirement, with its debt level."""
    if lock_paths(direct_kinds):
        return []
    constraints = _constraint_pins(declarations, direct_kinds)
    findings = []
    for name, found in sorted(runtime_requirements(declarations, direct_kinds).items()):
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
                    f"gets installed (debt level {DEBT_LEVELS[level]} of 3, 1 is worst)."
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
