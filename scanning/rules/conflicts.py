"""One package pinned exactly to different versions by two runtime declarations.

``requirements.txt`` says ``django==4.2.1`` and ``deploy/requirements.txt`` says
``django==4.2.7``: which release runs depends on which file an install reads, and an upgrade
of one file leaves the other behind. Declarations under different environment markers
(``; python_version < "3.10"``) are alternatives, not a conflict; lock files, constraints and
editable or local installs are left out, as for pinning.
"""

from __future__ import annotations

from packaging.version import InvalidVersion, Version

from scanning.rules import kinds
from scanning.rules.context import RuleContext
from scanning.rules.pinning import runtime_requirements
from scanning.types import Declaration, Finding


def conflicting_pins(
    declarations: list[Declaration], *, direct_kinds: dict[str, str]
) -> list[Finding]:
    """One finding per runtime package pinned to two releases under the same markers."""
    findings = []
    for name, found in sorted(runtime_requirements(declarations, direct_kinds).items()):
        by_marker: dict[str, list[Declaration]] = {}
        for declaration in found:
            if declaration.pinned_version:
                by_marker.setdefault(declaration.marker, []).append(declaration)
        conflicting = [
            pins
            for pins in by_marker.values()
            if len({_release(d.pinned_version) for d in pins}) > 1
        ]
        if not conflicting:
            continue
        pins = [d for group in conflicting for d in group]
        where = ", ".join(f"{d.pinned_version} ({d.path}:{d.line})" for d in pins)
        findings.append(
            Finding(
                kind=kinds.CONFLICTING_PINS,
                subject=name,
                summary=(
                    f"{name} is pinned to different releases: {where}. Which one runs depends "
                    "on which file is installed."
                ),
                evidence=tuple(pins),
            )
        )
    return findings


def find(context: RuleContext) -> list[Finding]:
    return conflicting_pins(context.declarations, direct_kinds=context.direct_kinds)


def _release(version: str) -> Version | str:
    """``4.2`` and ``4.2.0`` are one release; a version packaging cannot read stays as written."""
    try:
        return Version(version)
    except InvalidVersion:
        return version
