"""Is a version affected? OSV's evaluation algorithm over PEP 440 versions.

A local version (``1.0+ubuntu1``) is judged by its public part: a local build of an affected
release is assumed affected, since nothing in an advisory says otherwise.
"""

from __future__ import annotations

import enum
import functools
from bisect import bisect_left, bisect_right
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


def affected_intervals(
    entry: AffectedPackage,
    *,
    explicit_at: Mapping[str, int],
    event_at: Mapping[str, int],
    last: int,
) -> tuple[list[tuple[int, int]], bool]:
    """The segments ``entry`` affects, as sorted merged inclusive ``(first, end)`` intervals,
    and whether one of its ranges is not PEP 440 (versions outside the intervals are then
    unknown, not unaffected).

    Segments number a sorted list ``bounds`` holding every version ``entry`` names (explicit
    versions by their public part, range events whole): segment ``2i + 1`` is ``bounds[i]``
    itself, segment ``2i`` every version between ``bounds[i - 1]`` and ``bounds[i]``, and
    ``last`` (``2 * len(bounds)``) every version above them all. ``explicit_at`` and
    ``event_at`` give the segment of each version string. The timeline is evaluated by the
    same ``_in_timeline`` as ``affected``, on segment numbers, which order exactly as the
    versions they stand for: the answer is ``affected``'s for every version of a segment.
    """
    pieces: list[tuple[int, int]] = []
    unknown = False
    for version_range in entry.ranges:
        timeline = _placed_timeline(version_range.events, event_at, last)
        if timeline is None:
            unknown = True
        else:
            pieces += _timeline_intervals(timeline, last)
    merged = merge_intervals(pieces)
    found = set(map(explicit_at.get, entry.versions))
    found.discard(None)  # not PEP 440: only a pin written the same way matches it
    if found:
        points: list[int] = sorted(found)  # type: ignore[arg-type]
        # Explicit versions nearly always lie inside a range already: merge only the others.
        outside, start = [], 0
        for first, end in merged:
            inside = bisect_left(points, first, start)
            outside += points[start:inside]
            start = bisect_right(points, end, inside)
        outside += points[start:]
        if outside:
            merged = merge_intervals(merged + [(point, point) for point in outside])
    return merged, unknown


def merge_intervals(pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for first, end in sorted(pieces):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((first, end))
    return merged


def _placed_timeline(
    range_events: tuple[RangeEvent, ...], event_at: Mapping[str, int], last: int
) -> tuple[tuple[tuple[str, int], ...], tuple[int, ...]] | None:
    """``_timeline`` on segment numbers: -1 is below every version, ``last + 1`` above."""
    placed: list[tuple[str, int]] = []
    for event in range_events:
        if event.kind == INTRODUCED and event.version == "0":
            placed.append((event.kind, -1))
        elif event.kind == LIMIT and event.version == "*":
            placed.append((event.kind, last + 1))
        elif (position := event_at.get(event.version)) is not None:
            placed.append((event.kind, position))
        else:
            return None
    placed.sort(key=_position)  # stable: equal versions keep the record's order, as in _timeline
    limits = tuple(position for kind, position in placed if kind == LIMIT)
    return tuple(event for event in placed if event[0] != LIMIT), limits


def _timeline_intervals(
    timeline: tuple[tuple[tuple[str, int], ...], tuple[int, ...]], last: int
) -> list[tuple[int, int]]:
    # Between two consecutive events of this range nothing changes: test one segment of each
    # gap, and each event's own segment.
    events, limits = timeline
    marks = sorted({position for _, position in events} | set(limits) | {-1})
    pieces = []
    for index, mark in enumerate(marks):
        following = marks[index + 1] if index + 1 < len(marks) else last + 1
        for first, end in ((mark, mark), (mark + 1, following - 1)):
            first, end = max(first, 0), min(end, last)
            if first <= end and _in_timeline(first, timeline):  # type: ignore[arg-type]
                pieces.append((first, end))
    return pieces


def _position(event: tuple[str, int]) -> int:
    return event[1]


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
