"""Advisories in memory, by package, and what they say about one pinned version."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from packaging.utils import canonicalize_name
from packaging.version import Version

from scanning.advisories import matching
from scanning.advisories.osv import AffectedPackage, OsvAdvisory, version_sort_key

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
        # Versions between the same two range boundaries share one answer: thousands of
        # distinct pins of one package cost one evaluation per segment, not one per pin.
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
        canonical = canonicalize_name(name)
        key = (canonical, version)
        found = self._matches.get(key)
        if found is None:
            found = self._matches[key] = self._segment_match(canonical, version)
        return list(found)

    def _segment_match(self, canonical: str, version: str) -> tuple[PackageMatch, ...]:
        public = matching.public_version(version)
        if public is None or canonical not in self._by_package:
            return tuple(self._match(canonical, version))
        table = self._tables.get(canonical)
        if table is None:
            table = self._tables[canonical] = _PackageTable(
                canonical, list(self._by_package[canonical].values())
            )
        return table.match(public)

    def _match(self, canonical: str, version: str) -> list[PackageMatch]:
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
    fixed = {version for entry in entries for version in entry.fixed_versions}
    return tuple(sorted(fixed, key=version_sort_key))


@dataclass(frozen=True, slots=True)
class _EntrySegments:
    affected: list[tuple[int, int]]  # inclusive segment intervals, sorted
    fixes: list[tuple[int, str]]  # (segment, version) of fixes the entry does not affect
    unknown: bool  # a range is not PEP 440: versions outside ``affected`` are unknown

    def contains(self, segment: int) -> bool:
        position = bisect_right(self.affected, segment, key=_first) - 1
        return position >= 0 and self.affected[position][1] >= segment

    def lowest_fix_above(self, segment: int) -> str | None:
        position = bisect_right(self.fixes, segment, key=_first)
        return self.fixes[position][1] if position < len(self.fixes) else None


def _first(pair: tuple[int, object]) -> int:
    return pair[0]


class _PackageTable:
    """One package's advisories compiled onto its sorted range boundaries.

    Versions between the same two boundaries (or equal to the same boundary) get the same
    answer, so thousands of distinct pins of one package cost one evaluation per segment,
    and each evaluation compares small integers instead of versions.
    """

    def __init__(self, canonical: str, advisories: list[OsvAdvisory]) -> None:
        rows = [(a, [e for e in a.affected if e.name == canonical]) for a in advisories]
        self.bounds = sorted(
            {
                bound
                for _, entries in rows
                for entry in entries
                for bound in matching.boundaries(entry)
            }
        )
        self.bound_index = {bound: position for position, bound in enumerate(self.bounds)}
        self.rows = [
            (advisory, [self._compile(entry) for entry in entries], _fix_versions(entries))
            for advisory, entries in rows
        ]
        self.by_segment: dict[int, tuple[PackageMatch, ...]] = {}
        self.hits_at: list[tuple[int, ...]] | None = None
        self.unknown_rows = frozenset(
            row for row, (_, entries, _) in enumerate(self.rows) if any(e.unknown for e in entries)
        )

    def _compile(self, entry: AffectedPackage) -> _EntrySegments:
        fixes = []
        for fixed in entry.fixed_versions:
            parsed = matching.public_version(fixed)
            if (
                parsed is not None
                and matching.affected(fixed, entry) is matching.Match.NOT_AFFECTED
            ):
                fixes.append((self.segment(parsed), fixed))
        return _EntrySegments(
            matching.affected_segments(entry, self.bound_index),
            sorted(fixes, key=lambda fix: fix[0]),
            matching.has_unparseable_range(entry),
        )

    def segment(self, version: Version) -> int:
        exact = self.bound_index.get(version)
        if exact is not None:
            return 2 * exact + 1
        position = bisect_left(self.bounds, version)
        on_bound = position < len(self.bounds) and self.bounds[position] == version
        return 2 * position + 1 if on_bound else 2 * position

    def match(self, version: Version) -> tuple[PackageMatch, ...]:
        segment = self.segment(version)
        found = self.by_segment.get(segment)
        if found is None:
            found = self.by_segment[segment] = tuple(self._evaluate(segment))
        return found

    def _evaluate(self, segment: int) -> list[PackageMatch]:
        if self.hits_at is None:
            self.hits_at = self._sweep()
        found = []
        rows = self.hits_at[segment]
        if self.unknown_rows:
            rows = tuple(sorted({*rows, *self.unknown_rows}))
        for row in rows:
            advisory, entries, fix_versions = self.rows[row]
            if len(entries) == 1 and not self.unknown_rows:
                hits = entries  # the sweep put this row here: its only entry affects the segment
            else:
                hits = [entry for entry in entries if entry.contains(segment)]
            if hits:
                fixes = [fix for entry in hits if (fix := entry.lowest_fix_above(segment))]
                if len(fixes) > 1:
                    fixes.sort(key=version_sort_key)
                found.append(
                    PackageMatch(advisory, AFFECTED, fixes[0] if fixes else None, fix_versions)
                )
            else:
                found.append(PackageMatch(advisory, UNKNOWN, None, fix_versions))
        return found

    def _sweep(self) -> list[tuple[int, ...]]:
        """For every segment, the rows (advisories) whose entries affect it, in row order."""
        segments = 2 * len(self.bounds) + 1
        opening: list[list[int]] = [[] for _ in range(segments + 1)]
        closing: list[list[int]] = [[] for _ in range(segments + 1)]
        for row, (_, entries, _) in enumerate(self.rows):
            for first, last in _merged(entries):
                opening[first].append(row)
                closing[last + 1].append(row)
        active: dict[int, int] = {}  # row -> number of open intervals
        hits_at = []
        current: tuple[int, ...] = ()
        for segment in range(segments):
            if opening[segment] or closing[segment]:
                for row in closing[segment]:
                    active[row] -= 1
                    if not active[row]:
                        del active[row]
                for row in opening[segment]:
                    active[row] = active.get(row, 0) + 1
                current = tuple(sorted(active))
            hits_at.append(current)
        return hits_at


def _merged(entries: list[_EntrySegments]) -> list[tuple[int, int]]:
    if len(entries) == 1:
        return entries[0].affected
    return matching.merge_intervals([piece for entry in entries for piece in entry.affected])
