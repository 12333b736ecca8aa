"""Imported, never declared: works by accident of the environment until it does not."""

from __future__ import annotations

from scanning.distributions import graph, mapping, requires
from scanning.distributions.facts import HIGH, MEDIUM
from scanning.distributions.provided import Providers, places, third_party
from scanning.rules import kinds
from scanning.rules.context import RuleContext
from scanning.rules.declared import direct_declarations, locked_declarations
from scanning.rules.installs import installed_only_at_run_time, installed_where_used
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
    pulled_in = requires.pulled_in_by(direct, import_map=import_map)  # the transitive rule's
    roots = [(d.name, d.extras) for d in direct]
    by_extra = import_map.graph.through_extras(roots)
    job_installs = installed_where_used(declarations, direct_kinds or {})
    for usage in candidates:
        if declared.of(usage.name) or locked.of(usage.name):
            continue
        if usage.detail.startswith("alternative") and (usage.path, usage.line) in satisfied:
            continue
        resolution = import_map.resolve(usage.name)
        if resolution.distribution in pulled_in or resolution.distribution in by_extra:
            continue
        if graph.extra_named_like((usage.name.split(".")[0], resolution.distribution), roots):
            continue  # ``celery[redis]`` asks for redis, by the extra's name
        if (usage.path, resolution.distribution) in job_installs:
            continue  # the CI file installs it for its own inline code
        by_distribution.setdefault(resolution.distribution, []).append(usage)
        resolutions.setdefault(resolution.distribution, resolution)
    run_time = installed_only_at_run_time(declarations, direct_kinds or {})
    return [
        _finding(distribution, found, resolutions[distribution], run_time.get(distribution))
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


def _finding(
    distribution: str,
    found: list[Usage],
    resolution: mapping.Resolution,
    installed: Declaration | None = None,
) -> Finding:
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
            f" {first.name.split('.')[0]} to a distribution (no declared package's metadata"
            " on the package index or knowledge-table entry names it); the distribution"
            f" name {distribution} is assumed (low confidence)."
        )
    else:
        summary = (
            f"{where} but {distribution}, which provides it per"
            f" {mapping.SOURCE_LABELS[resolution.source]} ({resolution.confidence}"
            " confidence), is not declared."
        )
    if installed is not None:
        summary += (
            f" It is installed only by {installed.path}:{installed.line} at run time, which"
            " no manifest records."
        )
    return Finding(
        kind=kinds.MISSING,
        subject=distribution,
        summary=summary,
        evidence=tuple(found),
        # The import is undeclared for sure; only the distribution named may be a guess (the
        # summary says so), unless the import is a bare namespace several distributions share.
        confidence=MEDIUM if resolution.source == mapping.AMBIGUOUS else HIGH,
    )


def find(context: RuleContext) -> list[Finding]:
    return missing(
        context.declarations,
        context.usages,
        first_party=context.first_party,
        direct_kinds=context.direct_kinds,
        import_map=context.import_map,
    )
