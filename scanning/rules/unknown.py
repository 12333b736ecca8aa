"""Declared distributions the configured package index does not know (it answered 404).

A typo, a package removed from the index, or an internal name nobody registered publicly:
anyone may upload a package of that name, and installers that also look at a public index
would take it (dependency confusion). Only an index's answer counts: without an index, or when
it could not be reached, nothing is said.
"""

from __future__ import annotations

from scanning.rules import kinds
from scanning.rules.context import RuleContext
from scanning.rules.declared import asked_for
from scanning.types import NOT_ON_INDEX, Declaration, Finding, ProvidedImports

KIND = kinds.UNKNOWN_PACKAGE


def unknown_packages(
    declarations: list[Declaration],
    provided: dict[str, ProvidedImports],
    *,
    direct_kinds: dict[str, str],
) -> list[Finding]:
    """One finding per declared name the index had no project page for."""
    by_name: dict[str, list[Declaration]] = {}
    for declaration in asked_for(declarations, direct_kinds):
        if not declaration.url and not declaration.editable:
            by_name.setdefault(declaration.name, []).append(declaration)
    findings = []
    for name, found in sorted(by_name.items()):
        fact = provided.get(name)
        if fact is None or f"package index: {NOT_ON_INDEX}" not in fact.reason:
            continue
        where = ", ".join(f"{d.path}:{d.line}" for d in found)
        findings.append(
            Finding(
                kind=KIND,
                subject=name,
                summary=(
                    f"{name} (declared at {where}) is not on the configured package index: a "
                    "typo, a package removed from the index, or an internal name anyone could "
                    "register there (dependency confusion)."
                ),
                evidence=tuple(found),
            )
        )
    return findings


def find(context: RuleContext) -> list[Finding]:
    return unknown_packages(
        context.declarations, context.import_map.provided, direct_kinds=context.direct_kinds
    )
