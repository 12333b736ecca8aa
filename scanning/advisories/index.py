"""Advisories in memory, by package, and what they say about one pinned version."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from packaging.utils import canonicalize_name

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

    def __init__(self, advisories: Iterable[OsvAdvisory] = ()) -> None:
        self._by_package: dict[str, dict[str, OsvAdvisory]] = {}
        # An organisation pins the same few versions in many repositories; an index lives
        # for one sync or scan run, so this grows only with the distinct pins it is asked about.
        self._matches: dict[tuple[str, str], tuple[PackageMatch, ...]] = {}
        for advisory in advisories:
            self.add(advisory)

    def add(self, advisory: OsvAdvisory) -> None:
        self._matches.clear()
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
        if key not in self._matches:
            self._matches[key] = tuple(self._match(canonical, version))
        return list(self._matches[key])

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


def _fix_versions(entries: list[AffectedPackage]) -> tuple[str, ...]:
    fixed = {version for entry in entries for version in entry.fixed_versions}
    return tuple(sorted(fixed, key=version_sort_key))
