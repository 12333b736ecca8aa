"""Is a version affected? OSV's evaluation algorithm over PEP 440 versions.

A local version (``1.0+ubuntu1``) is judged by its public part: a local build of an affected
release is assumed affected, since nothing in an advisory says otherwise.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping

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


def public_version(text: str) -> Version | None:
    """The PEP 440 public version of ``text`` (local label dropped), or ``None``."""
    return _public_version(text)


def boundaries(entry: AffectedPackage) -> set[Version]:
    """Every version at which this entry's verdict (or its lowest fix above) can change.

    Between two consecutive boundaries, and at each boundary, every version gets the same
    answer from ``affected`` and ``lowest_fixed_above``: the index caches per such segment.
    """
    found = {v for v in map(_public_version, entry.versions) if v is not None}
    for version_range in entry.ranges:
        for event in version_range.events:
            if (parsed := _parse(event.version)) is not None:
                found.add(parsed)
    return found


def affected_segments(
    entry: AffectedPackage, bound_index: Mapping[Version, int]
) -> list[tuple[int, int]]:
    """The segments ``entry`` affects, as sorted inclusive ``(first, last)`` segment intervals.

    ``bound_index`` numbers a sorted list ``bounds`` holding at least ``boundaries(entry)``
    (version -> position in the list). Segment ``2i + 1`` is
    ``bounds[i]`` itself, segment ``2i`` every version between ``bounds[i - 1]`` and
    ``bounds[i]``. The timeline is evaluated by the same ``_in_timeline`` on segment numbers,
    which order exactly as the versions they stand for, so the answer is ``affected``'s.
    """
    explicit, timelines = _compile(entry.versions, tuple(r.events for r in entry.ranges))
    last = 2 * len(bound_index)

    def position(bound: _Bound) -> int:
        if bound == _LOWEST:
            return -1
        if bound == _HIGHEST:
            return last + 1
        return 2 * bound_index[bound[1]] + 1

    affected_at: set[int] = {position((1, version)) for version in explicit}
    pieces: list[tuple[int, int]] = []
    for timeline in timelines:
        if timeline is None:
            continue
        events = tuple((kind, position(bound)) for kind, bound in timeline[0])
        limits = tuple(position(bound) for bound in timeline[1])
        marks = sorted({p for _, p in events} | set(limits) | {-1})
        for index, mark in enumerate(marks):
            following = marks[index + 1] if index + 1 < len(marks) else last + 1
            for first, end in ((mark, mark), (mark + 1, following - 1)):
                first, end = max(first, 0), min(end, last)
                if first <= end and _in_timeline(first, (events, limits)):  # type: ignore[arg-type]
                    pieces.append((first, end))
    pieces += [(point, point) for point in affected_at]
    return merge_intervals(pieces)


def merge_intervals(pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for first, end in sorted(pieces):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((first, end))
    return merged


def has_unparseable_range(entry: AffectedPackage) -> bool:
    _, timelines = _compile(entry.versions, tuple(r.events for r in entry.ranges))
    return None in timelines


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
