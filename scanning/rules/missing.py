"""Imported, never declared: works by accident of the environment until it does not."""

from __future__ import annotations

from scanning.distributions import mapping, requires
from scanning.distributions.provided import Providers, places, third_party
from scanning.rules.declared import direct_declarations, locked_declarations
from scanning.types import Declaration, Finding, Usage


def missing(
    declarations: list[Declaration],
    usages: list[Usage],
    *,
    first_party: set[str],
    direct_kinds: dict[str, str] | None = None,
    import_map: mapping.ImportMap = mapping.DEFAULT_MAP,
) -> list[Finding]:
    """Third-party imports that no manifest declares, grouped by distribution.

    Optional imports (guarded by try/except ImportError or a condition) are evidence of use
    but never make a package missing on their own. With ``direct_kinds`` (manifest path →
    kind), a package only a lock file lists is left to the transitive rule.
    """
    if direct_kinds is None:
        direct, locked_found = declarations, []
    else:
        direct = direct_declarations(declarations, direct_kinds)
        locked_found = locked_declarations(declarations, direct_kinds)
    declared = Providers((d.name for d in direct), import_map=import_map)
    locked = Providers((d.name for d in locked_found), import_map=import_map)
    by_distribution: dict[str, list[Usage]] = {}
    resolutions: dict[str, mapping.Resolution] = {}
    candidates = list(third_party(usages, first_party))
    satisfied = _satisfied_alternatives(candidates, declared, locked)
    pulled_in = requires.pulled_in_by(declared.names)  # the transitive rule's
    for usage in candidates:
        if declared.of(usage.name) or locked.of(usage.name):
            continue
        if usage.detail.startswith("alternative") and (usage.path, usage.line) in satisfied:
            continue
        resolution = import_map.resolve(usage.name)
        if resolution.distribution in pulled_in:
            continue
        by_distribution.setdefault(resolution.distribution, []).append(usage)
        resolutions.setdefault(resolution.distribution, resolution)
    return [
        _finding(distribution, found, resolutions[distribution])
        for distribution, found in sorted(by_distribution.items())
    ]


def _satisfied_alternatives(
    usages: list[Usage], declared: Providers, locked: Providers
) -> set[tuple[str, int]]:
    """Places where several packages would do (psycopg or psycopg2 behind a postgres:// URL)
    and one of them is declared: none of the others is missing there."""
    return {
        (u.path, u.line)
        for u in usages
        if u.detail.startswith("alternative") and (declared.of(u.name) or locked.of(u.name))
    }


def _finding(distribution: str, found: list[Usage], resolution: mapping.Resolution) -> Finding:
    first = found[0]
    where = f"{first.name} is imported at {places(found)}"
    if resolution.source == mapping.AMBIGUOUS:
        summary = (
            f"{where} but no declared distribution provides it. {distribution} is a namespace"
            " shared by several distributions; which one is meant is not known."
        )
    elif resolution.source == mapping.CONVENTION:
        summary = (
            f"{where} but {distribution} is not declared. Nothing maps import"
            f" {first.name.split('.')[0]} to a distribution (no installed metadata, curated"
            " entry or declared package's metadata on the package index); the distribution"
            f" name {distribution} is assumed."
        )
    else:
        summary = (
            f"{where} but {distribution}, which provides it per"
            f" {mapping.SOURCE_LABELS[resolution.source]}, is not declared."
        )
    return Finding(kind="missing", subject=distribution, summary=summary, evidence=tuple(found))
