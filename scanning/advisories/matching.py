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
    RangeEvent,
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
_Timeline = tuple[tuple[_Event, ...], tuple[_Bound, ...]]  # (sorted events, limits)


def affected(version: str, entry: AffectedPackage) -> Match:
    explicit, timelines = _compile(entry.versions, tuple(r.events for r in entry.ranges))
    public = _public_version(version)
    if public is None:
        return Match.AFFECTED if version.strip() in entry.versions else Match.UNKNOWN
    if public in explicit:
        return Match.AFFECTED
    point = (1, public)
    if any(events is not None and _in_timeline(point, events) for events in timelines):
        return Match.AFFECTED
    return Match.UNKNOWN if None in timelines else Match.NOT_AFFECTED


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


def _in_timeline(point: _Bound, timeline: _Timeline) -> bool:
    events, limits = timeline
    if limits and not any(point < bound for bound in limits):
        return False
    vulnerable = False
    for kind, bound in events:
        if point < bound:
            break  # events are sorted: none from here on can apply
        if kind == INTRODUCED:
            vulnerable = True
        elif kind == FIXED or (kind == LAST_AFFECTED and point > bound):
            vulnerable = False
    return vulnerable


@functools.lru_cache(maxsize=32_768)
def _compile(
    versions: tuple[str, ...], ranges: tuple[tuple[RangeEvent, ...], ...]
) -> tuple[frozenset[Version], tuple[_Timeline | None, ...]]:
    """An entry's explicit versions and sorted timelines, parsed once per distinct entry."""
    explicit = frozenset(v for v in map(_public_version, versions) if v is not None)
    return explicit, tuple(_timeline(events) for events in ranges)


def _timeline(range_events: tuple[RangeEvent, ...]) -> _Timeline | None:
    """The range's events sorted by version and its limits, or ``None`` if not all PEP 440."""
    events: list[_Event] = []
    for event in range_events:
        if event.kind == INTRODUCED and event.version == "0":
            events.append((event.kind, _LOWEST))
        elif event.kind == LIMIT and event.version == "*":
            events.append((event.kind, _HIGHEST))
        elif (parsed := _parse(event.version)) is not None:
            events.append((event.kind, (1, parsed)))
        else:
            return None
    events.sort(key=lambda event: event[1])
    limits = tuple(bound for kind, bound in events if kind == LIMIT)
    return tuple(e for e in events if e[0] != LIMIT), limits


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
