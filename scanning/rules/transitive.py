"""Imported, not declared, installed only because another requirement pulls it in (DEP003).

Knowable without an environment when a lock file (poetry.lock, uv.lock, pylock, Pipfile.lock, or
a requirements .txt compiled from the .in beside it) lists the package: the import works today,
and breaks the day the requirement that drags it in drops it.
"""

from __future__ import annotations

from scanning.distributions import facts as knowledge
from scanning.distributions import graph, mapping, requires
from scanning.distributions.provided import Providers, places, third_party
from scanning.rules import kinds
from scanning.rules.context import RuleContext
from scanning.rules.declared import direct_declarations, locked_declarations
from scanning.types import Declaration, Finding, Usage


def transitive(
    declarations: list[Declaration],
    usages: list[Usage],
    *,
    first_party: set[str],
    direct_kinds: dict[str, str],
    import_map: mapping.ImportMap = mapping.DEFAULT_MAP,
) -> list[Finding]:
    """Imports only a lock file, or a declared package's installed metadata, accounts for."""
    locked_found = locked_declarations(declarations, direct_kinds)
    direct_found = direct_declarations(declarations, direct_kinds)
    direct = Providers((d.name for d in direct_found), import_map=import_map)
    if not locked_found:
        return _pulled_in(direct_found, usages, direct, first_party, import_map)
    locked = Providers((d.name for d in locked_found), import_map=import_map)
    lock_lines: dict[str, list[Declaration]] = {}
    for declaration in locked_found:
        lock_lines.setdefault(declaration.name, []).append(declaration)
    roots = [(d.name, d.extras) for d in direct_found]
    by_extra = import_map.graph.through_extras(roots)
    by_distribution: dict[str, list[Usage]] = {}
    for usage in third_party(usages, first_party):
        if direct.of(usage.name):
            continue
        providers = locked.of(usage.name)
        if len(providers) == 1:
            (provider,) = providers
            # passlib[bcrypt] asks for bcrypt as surely as a line of its own
            if provider in by_extra or graph.extra_named_like(
                (usage.name.split(".")[0], provider), roots
            ):
                continue
            by_distribution.setdefault(provider, []).append(usage)
    findings = []
    for distribution, found in sorted(by_distribution.items()):
        first = found[0]
        locks = ", ".join(sorted({f"{d.path}:{d.line}" for d in lock_lines[distribution]}))
        findings.append(
            Finding(
                kind=kinds.TRANSITIVE,
                subject=distribution,
                summary=(
                    f"{first.name} is imported at {places(found)} but "
                    f"{distribution} is not declared directly; only the lock ({locks}) "
                    "installs it, because another requirement depends on it."
                ),
                evidence=(*found, *lock_lines[distribution]),
                confidence="high",  # the repository's own lock says so
            )
        )
    return findings


def _pulled_in(
    direct_found: list[Declaration],
    usages: list[Usage],
    direct: Providers,
    first_party: set[str],
    import_map: mapping.ImportMap,
) -> list[Finding]:
    """Without a lock: imports of what a declared package requires, per the packages' own
    metadata (read from the package index; never the scanning server's installed packages)."""
    chains = requires.pulled_in_by(direct_found, import_map=import_map)
    by_extra = import_map.graph.through_extras((d.name, d.extras) for d in direct_found)
    by_distribution: dict[str, list[Usage]] = {}
    for usage in third_party(usages, first_party):
        if direct.of(usage.name):
            continue
        distribution = import_map.resolve(usage.name).distribution
        if distribution in chains and distribution not in by_extra:
            by_distribution.setdefault(distribution, []).append(usage)
    findings = []
    for distribution, found in sorted(by_distribution.items()):
        chain = chains[distribution]
        parent = chain[0]
        first = found[0]
        declared = [d for d in direct_found if d.name == parent]
        findings.append(
            Finding(
                kind=kinds.TRANSITIVE,
                subject=distribution,
                summary=(
                    f"{first.name} is imported at {places(found)} but "
                    f"{distribution} is not declared; it is installed only because"
                    f" {' → '.join(chain)} ({requires.source_of(chain, import_map=import_map)}),"
                    " and no lock file fixes it."
                ),
                evidence=(*found, *declared),
                confidence=knowledge.confidence(
                    import_map.facts(parent).requires_source or knowledge.ASSUMED
                ),
            )
        )
    return findings


def find(context: RuleContext) -> list[Finding]:
    return transitive(
        context.declarations,
        context.usages,
        first_party=context.first_party,
        direct_kinds=context.direct_kinds,
        import_map=context.import_map,
    )
