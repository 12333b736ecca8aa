"""Licence policy and freshness over what is known about each declared package.

Pure: the facts come in (from installed metadata, the package index or the cache) and what
could not be checked is reported as such, never as compliant or fresh.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from scanning.rules import kinds
from scanning.types import RUNTIME, Declaration, Finding

LICENSE = kinds.LICENSE
DEFAULT_DENYLIST = ("GPL", "AGPL")
DEFAULT_ABANDONED_AFTER_YEARS = 3

# Licence families by the words a licence string uses for them: "GNU Lesser General Public
# License" and "LGPL-2.1" are LGPL, never GPL.
_FAMILIES = (
    ("AGPL", re.compile(r"\bAGPL|Affero", re.I)),
    ("LGPL", re.compile(r"\bLGPL|Lesser General Public|Library General Public", re.I)),
    (
        "GPL",
        re.compile(r"(?<![AL])\bGPL|(?<!Lesser )(?<!Library )(?<!Affero )General Public", re.I),
    ),
)

FAMILIES = frozenset(name for name, _ in _FAMILIES)


@dataclass(frozen=True, slots=True)
class PackageFacts:
    """What is known about one distribution; ``*_unknown`` say why something is missing."""

    name: str
    license: str = ""
    license_unknown: str = ""  # reason the licence is unknown
    latest_version: str = ""
    latest_release_at: datetime | None = None
    release_unknown: str = ""  # reason the release history is unknown


def license_families(text: str) -> set[str]:
    """The families (GPL, LGPL, AGPL, or the text itself) a licence string names."""
    families = {family for family, pattern in _FAMILIES if pattern.search(text)}
    return families or {text.strip()}


def is_denied(text: str, denylist: Iterable[str]) -> str | None:
    """The denied family of ``text``, or None; an ``OR`` choice is denied only if every side is."""
    denied = {entry.strip().upper() for entry in denylist if entry.strip()}
    choices = [part for part in re.split(r"\s+OR\s+", text) if part.strip()]
    hits = []
    for choice in choices or [text]:
        found = sorted(f for f in license_families(choice) if f.upper() in denied)
        if not found:
            return None
        hits.append(found[0])
    return hits[0] if hits else None


def license_findings(
    declarations: Iterable[Declaration],
    facts: Mapping[str, PackageFacts],
    *,
    denylist: Iterable[str] = DEFAULT_DENYLIST,
    abandoned_after: timedelta = timedelta(days=365 * DEFAULT_ABANDONED_AFTER_YEARS),
    now: datetime,
) -> tuple[list[Finding], dict[str, Any]]:
    """``license`` findings for denied licences in runtime requirements, and the audit part."""
    denylist = tuple(denylist)
    by_name: dict[str, list[Declaration]] = {}
    for declaration in sorted(declarations, key=lambda d: (d.path, d.line)):
        if declaration.name:
            by_name.setdefault(declaration.name, []).append(declaration)
    findings: list[Finding] = []
    unknown_license, abandoned, unchecked_release = [], [], []
    for name, found in sorted(by_name.items()):
        known = facts.get(name, PackageFacts(name, license_unknown="not looked up"))
        runtime = [d for d in found if d.purpose == RUNTIME]
        if not known.license:
            unknown_license.append({"name": name, "reason": known.license_unknown or "unknown"})
        elif runtime and (family := is_denied(known.license, denylist)):
            where = ", ".join(f"{d.path}:{d.line}" if d.line else d.path for d in runtime)
            findings.append(
                Finding(
                    kind=LICENSE,
                    subject=name,
                    summary=f"{name} is licensed {known.license} ({family} is denied for "
                    f"runtime requirements): {where}",
                    evidence=tuple(runtime),
                )
            )
        if known.latest_release_at is None:
            unchecked_release.append({"name": name, "reason": known.release_unknown or "unknown"})
        elif now - known.latest_release_at > abandoned_after:
            abandoned.append(
                {
                    "name": name,
                    "latest_version": known.latest_version,
                    "latest_release": known.latest_release_at.date().isoformat(),
                }
            )
    audit = {
        "packages": len(by_name),
        "denied": [f.subject for f in findings],
        "license_unknown": unknown_license,
        "abandoned": abandoned,
        "release_unknown": unchecked_release,
    }
    return findings, audit
