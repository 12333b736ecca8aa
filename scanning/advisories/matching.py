"""Is a version affected? OSV's evaluation algorithm over PEP 440 versions.

A local version (``1.0+ubuntu1``) is judged by its public part: a local build of an affected
release is assumed affected, since nothing in an advisory says otherwise.
"""

from __future__ import annotations

import enum
import functools

from packaging.version import InvalidVersion, Version

from scanning.advisories.osv import (
    FIXED,
    INTRODUCED,
    LAST_AFFECTED,
    LIMIT,
    AffectedPackage,
    VersionRange,
)


class Match(enum.Enum):
    AFFECTED = "affected"
    NOT_AFFECTED = "not-affected"
    UNKNOWN = "unknown"  # the version or the advisory's range is not PEP 440: cannot evaluate


# Bounds of a sorted timeline: "introduced: 0" sorts before, "limit: *" after every version.
_LOWEST = (0,)
_HIGHEST = (2,)
_Bound = tuple[int] | tuple[int, Version]
_Event = tuple[str, _Bound]


def affected(version: str, entry: AffectedPackage) -> Match:
    public = _public_version(version)
    if public is None:
        return Match.AFFECTED if version.strip() in entry.versions else Match.UNKNOWN
    if public in _explicit_versions(entry.versions):
        return Match.AFFECTED
    undecidable = False
    point = (1, public)
    for version_range in entry.ranges:
        events = _timeline(version_range)
        if events is None:
            undecidable = True
        elif _in_timeline(point, events):
            return Match.AFFECTED
    return Match.UNKNOWN if undecidable else Match.NOT_AFFECTED


def lowest_fixed_above(version: str, entry: AffectedPackage) -> str | None:
    """The lowest ``fixed`` version above ``version`` that this entry does not itself affect."""
    public = _public_version(version)
    if public is None:
        return None
    for candidate in entry.fixed_versions:
        fixed = _parse(candidate)
        if fixed is None or fixed <= public:
            continue
        if affected(candidate, entry) is Match.NOT_AFFECTED:
            return candidate
    return None


def _in_timeline(point: _Bound, events: tuple[_Event, ...]) -> bool:
    limits = [bound for kind, bound in events if kind == LIMIT]
    if limits and not any(point < bound for bound in limits):
        return False
    vulnerable = False
    for kind, bound in events:
        if kind == INTRODUCED and point >= bound:
            vulnerable = True
        elif (kind == FIXED and point >= bound) or (kind == LAST_AFFECTED and point > bound):
            vulnerable = False
    return vulnerable


@functools.lru_cache(maxsize=16_384)
def _timeline(version_range: VersionRange) -> tuple[_Event, ...] | None:
    """The range's events sorted by version, or ``None`` if one of them is not PEP 440."""
    events: list[_Event] = []
    for event in version_range.events:
        if event.kind == INTRODUCED and event.version == "0":
            events.append((event.kind, _LOWEST))
        elif event.kind == LIMIT and event.version == "*":
            events.append((event.kind, _HIGHEST))
        elif (parsed := _parse(event.version)) is not None:
            events.append((event.kind, (1, parsed)))
        else:
            return None
    return tuple(sorted(events, key=lambda event: event[1]))


@functools.lru_cache(maxsize=16_384)
def _explicit_versions(versions: tuple[str, ...]) -> frozenset[Version]:
    parsed = (_public_version(text) for text in versions)
    return frozenset(v for v in parsed if v is not None)


@functools.lru_cache(maxsize=65_536)
def _public_version(text: str) -> Version | None:
    parsed = _parse(text)
    if parsed is None or parsed.local is None:
        return parsed
    return Version(parsed.public)


@functools.lru_cache(maxsize=65_536)
def _parse(text: str) -> Version | None:
    try:
        return Version(text.strip())
    except InvalidVersion:
        return None
