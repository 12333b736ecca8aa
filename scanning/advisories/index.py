"""Advisories in memory, by package, and what they say about one pinned version."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from packaging.utils import canonicalize_name

from scanning.advisories import matching, versions
from scanning.advisories.osv import AffectedPackage, OsvAdvisory, version_sort_key
from scanning.advisories.versions import VersionKey

AFFECTED = matching.Match.AFFECTED
UNKNOWN = matching.Match.UNKNOWN


@dataclass(frozen=True, slots=True)
class PackageMatch:
    """An advisory that affects (or may affect) one version of one package."""

    advisory: OsvAdvisory
    result: matching.Match  # AFFECTED or UNKNOWN; NOT_AFFECTED is never reported
    fixed_in: str | None = None  # lowest fixed version above the pinned one, if any
    fix_versions: tuple[str, ...] = ()  # every fixed version of this package, lowest first


class AdvisoryIndex:
    """Canonical package name -> live (not withdrawn) advisories, newest record per id wins."""

    def __init__(
        self, advisories: Iterable[OsvAdvisory] = (), *, unavailable_reason: str | None = None
    ) -> None:
        # Set when the data behind the index cannot be trusted (never synced, stale): whoever
        # audits with it must then report "not audited" with this reason, never "clean".
        self.unavailable_reason = unavailable_reason
        self._by_package: dict[str, dict[str, OsvAdvisory]] = {}
        # An organisation pins the same few versions in many repositories; an index lives
        # for one sync or scan run, so this grows only with the distinct pins it is asked about.
        self._matches: dict[tuple[str, str], tuple[PackageMatch, ...]] = {}
        self._canonical: dict[str, str] = {}
        # Versions between the same two range boundaries share one answer: thousands of
        # distinct pins of one package cost one evaluation per break, not one per pin.
        self._tables: dict[str, _PackageTable] = {}
        for advisory in advisories:
            self.add(advisory)

    def add(self, advisory: OsvAdvisory) -> None:
        self._matches.clear()
        self._tables.clear()
        for name in advisory.packages:
            records = self._by_package.setdefault(name, {})
            known = records.get(advisory.id)
            if known is not None and known.modified > advisory.modified:
                continue
            if advisory.withdrawn is not None:
                records.pop(advisory.id, None)
            else:
                records[advisory.id] = advisory

    def __len__(self) -> int:
        return len({a.id for records in self._by_package.values() for a in records.values()})

    def advisories_for(self, name: str) -> list[OsvAdvisory]:
        return list(self._by_package.get(canonicalize_name(name), {}).values())

    def match(self, name: str, version: str) -> list[PackageMatch]:
        """Every advisory that affects ``name==version`` or cannot be evaluated for it."""
        return list(self.lookup(name, version))

    def lookup(self, name: str, version: str) -> tuple[PackageMatch, ...]:
        """``match`` without the copy: the index's own answer, shared by every version that
        gets the same one (the same object, until the next ``add``)."""
        key = (name, version)
        found = self._matches.get(key)
        if found is None:
            canonical = self._canonical.get(name)
            if canonical is None:
                canonical = self._canonical[name] = canonicalize_name(name)
            found = self._matches[key] = self._segment_match(canonical, version)
        return found

    def _segment_match(self, canonical: str, version: str) -> tuple[PackageMatch, ...]:
        public = versions.public_key(version)
        if public is None or canonical not in self._by_package:
            return tuple(self._match(canonical, version))
        table = self._tables.get(canonical)
        if table is None:
            table = self._tables[canonical] = _PackageTable(
                canonical, list(self._by_package[canonical].values())
            )
        return table.match(version, public)

    def _match(self, canonical: str, version: str) -> list[PackageMatch]:
        """Direct evaluation of every advisory: for versions that are not PEP 440, and tests."""
        found = []
        for advisory in self._by_package.get(canonical, {}).values():
            entries = [entry for entry in advisory.affected if entry.name == canonical]
            results = [matching.affected(version, entry) for entry in entries]
            hits = [e for e, result in zip(entries, results, strict=True) if result is AFFECTED]
            if hits:
                fixes = [matching.lowest_fixed_above(version, entry) for entry in hits]
                fixed_in = min((f for f in fixes if f), key=version_sort_key, default=None)
                found.append(PackageMatch(advisory, AFFECTED, fixed_in, _fix_versions(entries)))
            elif UNKNOWN in results:
                found.append(PackageMatch(advisory, UNKNOWN, None, _fix_versions(entries)))
        return found


def _fix_versions(entries: list[AffectedPackage] | tuple[AffectedPackage, ...]) -> tuple[str, ...]:
    if len(entries) == 1:
        return entries[0].fixed_versions
    fixed = {version for entry in entries for version in entry.fixed_versions}
    return tuple(sorted(fixed, key=version_sort_key))


@dataclass(frozen=True, slots=True)
class _EntrySegments:
    """One entry on its package's segment line (see ``matching.affected_intervals``)."""

    firsts: list[int]  # the affected intervals, sorted: their first segments...
    ends: list[int]  # ... and their last ones
    fix_at: list[int]  # ascending segments of the fixes the entry does not itself affect...
    fixes: list[str]  # ... and those fixed versions, as written
    unknown: bool  # a range is not PEP 440: versions outside the intervals are unknown

    def contains(self, segment: int) -> bool:
        at = bisect_right(self.firsts, segment) - 1
        return at >= 0 and self.ends[at] >= segment

    def lowest_fix_above(self, segment: int) -> str | None:
        at = bisect_right(self.fix_at, segment)
        return self.fixes[at] if at < len(self.fixes) else None


class _PackageTable:
    """One package's advisories compiled onto its sorted range boundaries.

    Versions between the same two boundaries (or equal to the same boundary) get the same
    answer, and so do the segments between two breaks (where an advisory starts or stops
    affecting versions, or its lowest fix changes): thousands of distinct pins of one package
    cost one evaluation per break, and each compares small integers instead of versions.
    Versions are order keys (plain tuples, see ``versions``): sorting never calls ``Version``.
    """

    def __init__(self, canonical: str, advisories: list[OsvAdvisory]) -> None:
        rows = [(a, [e for e in a.affected if e.name == canonical]) for a in advisories]
        explicit_texts: set[str] = set()
        event_texts: set[str] = set()
        for _, entries in rows:
            for entry in entries:
                explicit_texts.update(entry.versions)
                for version_range in entry.ranges:
                    event_texts.update(event.version for event in version_range.events)
        # Explicit versions match by their public part, range events as written. Sorting
        # (key, text) pairs and numbering them in one pass keeps tuples out of dict keys.
        placed = [(k, 0, t) for t in explicit_texts if (k := versions.public_key(t)) is not None]
        placed += [(k, 1, t) for t in event_texts if (k := versions.parse_key(t)) is not None]
        placed.sort()
        self.bounds: list[VersionKey] = []
        explicit_at: dict[str, int] = {}
        event_at: dict[str, int] = {}
        for key, is_event, text in placed:
            if not self.bounds or self.bounds[-1] != key:
                self.bounds.append(key)
            (event_at if is_event else explicit_at)[text] = 2 * len(self.bounds) - 1
        # A pin written as an explicit version has that version's segment.
        self.segment_of_text = explicit_at
        last = 2 * len(self.bounds)
        self.rows = [
            (
                advisory,
                [self._compile(entry, explicit_at, event_at, last) for entry in entries],
                _fix_versions(entries),
            )
            for advisory, entries in rows
        ]
        self.unknown_rows = frozenset(
            row for row, (_, entries, _) in enumerate(self.rows) if any(e.unknown for e in entries)
        )
        self.change_at, self.rows_from = self._sweep()
        # Every segment from one break up to the next gets the same answer: no row starts or
        # stops affecting it, and no row's lowest fix above it changes. Pins of the same
        # release series mostly share one evaluation.
        self.breaks = sorted(
            {
                segment
                for _, entries, _ in self.rows
                for entry in entries
                for segment in (*entry.firsts, *(end + 1 for end in entry.ends), *entry.fix_at)
            }
        )
        self.by_break: dict[int, tuple[PackageMatch, ...]] = {}
        self.answers: dict[tuple[int, str | None], PackageMatch] = {}

    def _compile(
        self,
        entry: AffectedPackage,
        explicit_at: dict[str, int],
        event_at: dict[str, int],
        last: int,
    ) -> _EntrySegments:
        intervals, unknown = matching.affected_intervals(
            entry, explicit_at=explicit_at, event_at=event_at, last=last
        )
        firsts = [first for first, _ in intervals]
        ends = [end for _, end in intervals]
        fix_at: list[int] = []
        fixes: list[str] = []
        # ``matching.lowest_fixed_above``: a fix counts when the entry does not affect it
        # (never, when a range is unknown), and when it is above the pin as a whole version.
        for fixed in () if unknown else entry.fixed_versions:
            public, whole = versions.public_key(fixed), versions.parse_key(fixed)
            if public is None or whole is None:
                continue
            segment = self.segment(public)
            at = bisect_right(firsts, segment) - 1
            if at < 0 or ends[at] < segment:
                fix_at.append(self.segment(whole))
                fixes.append(fixed)
        return _EntrySegments(firsts, ends, fix_at, fixes, unknown)

    def segment(self, key: VersionKey) -> int:
        at = bisect_left(self.bounds, key)
        return 2 * at + 1 if at < len(self.bounds) and self.bounds[at] == key else 2 * at

    def match(self, version: str, key: VersionKey) -> tuple[PackageMatch, ...]:
        """The answer for ``version``, whose public order key is ``key``."""
        segment = self.segment_of_text.get(version)
        if segment is None:
            segment = self.segment(key)
        since = bisect_right(self.breaks, segment) - 1
        found = self.by_break.get(since)
        if found is None:
            found = self.by_break[since] = tuple(self._evaluate(segment))
        return found

    def _evaluate(self, segment: int) -> list[PackageMatch]:
        at = bisect_right(self.change_at, segment) - 1
        rows = self.rows_from[at] if at >= 0 else ()
        if self.unknown_rows:
            rows = tuple(sorted({*rows, *self.unknown_rows}))
        found = []
        for row in rows:
            _, entries, _ = self.rows[row]
            if len(entries) == 1 and not entries[0].unknown:
                hits = entries  # the sweep put this row here: its only entry affects the segment
            else:
                hits = [entry for entry in entries if entry.contains(segment)]
            if not hits:
                found.append(self._answer(row, UNKNOWN, None))
                continue
            fixes = [fix for entry in hits if (fix := entry.lowest_fix_above(segment))]
            if len(fixes) > 1:
                fixes.sort(key=version_sort_key)
            found.append(self._answer(row, AFFECTED, fixes[0] if fixes else None))
        return found

    def _answer(self, row: int, result: matching.Match, fixed_in: str | None) -> PackageMatch:
        key = (row if result is AFFECTED else -1 - row, fixed_in)
        answer = self.answers.get(key)
        if answer is None:
            advisory, _, fix_versions = self.rows[row]
            answer = self.answers[key] = PackageMatch(advisory, result, fixed_in, fix_versions)
        return answer

    def _sweep(self) -> tuple[list[int], list[tuple[int, ...]]]:
        """Where the set of rows (advisories) affecting a segment changes, and what it becomes.

        Returns ``(change_at, rows_from)``: from segment ``change_at[i]`` up to the next change,
        exactly the rows ``rows_from[i]`` (in row order) affect the segment.
        """
        changes: dict[int, list[tuple[int, int]]] = {}
        for row, (_, entries, _) in enumerate(self.rows):
            for first, end in _merged(entries):
                changes.setdefault(first, []).append((row, 1))
                changes.setdefault(end + 1, []).append((row, -1))
        active: dict[int, int] = {}  # row -> number of its intervals open here
        change_at: list[int] = []
        rows_from: list[tuple[int, ...]] = []
        for segment in sorted(changes):
            for row, step in changes[segment]:
                count = active.get(row, 0) + step
                if count:
                    active[row] = count
                else:
                    del active[row]
            change_at.append(segment)
            rows_from.append(tuple(sorted(active)))
        return change_at, rows_from


def _merged(entries: list[_EntrySegments]) -> list[tuple[int, int]]:
    if len(entries) == 1:
        return list(zip(entries[0].firsts, entries[0].ends, strict=True))
    return matching.merge_intervals(
        [piece for entry in entries for piece in zip(entry.firsts, entry.ends, strict=True)]
    )
