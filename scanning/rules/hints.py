"""One finding where the truth is one fact: an unmapped import beside an unknown declaration.

When nothing says which import name a declared distribution provides (no index answer, no
knowledge-table entry) and the code imports a module nothing maps to a distribution, the two
are most often one package under two names (``python-foo`` installing ``foo_lib``). Reporting
"unused" and "missing" with confidence would ask someone to remove a package the code needs;
instead both become one low-confidence ``unverified-mapping`` finding per such distribution,
which says how to settle it. Widely used distributions (the download ranking in
``distributions.popular``) are real under their own names and never paired.
"""

from __future__ import annotations

from scanning.distributions import mapping
from scanning.distributions.facts import LOW
from scanning.distributions.popular import POPULAR
from scanning.distributions.provided import places
from scanning.rules import kinds
from scanning.rules.devtools import is_dev_tool
from scanning.rules.unused import stdlib_names_of
from scanning.types import Declaration, Finding, Usage


def link_unknown_mappings(
    findings: list[Finding], *, import_map: mapping.ImportMap = mapping.DEFAULT_MAP
) -> list[Finding]:
    # A dev tool or a distribution named like a standard library module is unused for a
    # reason its finding already gives; neither is a likely source of an unmapped import.
    # A widely used distribution is a real one under its own name: ``requests`` is not the
    # unmapped name of some other declared package, nor ``urllib3`` an import of ``requests``.
    unknown_unused = [
        f
        for f in findings
        if f.kind == kinds.UNUSED
        and not import_map.import_names_known(f.subject)
        and f.subject not in POPULAR
        and not is_dev_tool(f.subject)
        and not stdlib_names_of(f.subject, import_map=import_map)
    ]
    unmapped_missing = [
        f
        for f in findings
        if f.kind == kinds.MISSING
        and f.evidence
        and not import_map.resolve(f.evidence[0].name).known
        and f.subject not in POPULAR
    ]
    if not unknown_unused or not unmapped_missing:
        return findings
    usages = [u for f in unmapped_missing for u in f.evidence if isinstance(u, Usage)]
    merged = [_unverified(f, usages, import_map) for f in unknown_unused]
    replaced = {id(f) for f in (*unknown_unused, *unmapped_missing)}
    return [f for f in findings if id(f) not in replaced] + merged


def _unverified(unused: Finding, usages: list[Usage], import_map: mapping.ImportMap) -> Finding:
    name = unused.subject
    declared = [d for d in unused.evidence if isinstance(d, Declaration)]
    where = ", ".join(f"{d.path}:{d.line}" for d in declared)
    modules = ", ".join(sorted({u.name.split(".")[0] for u in usages}))
    why = import_map.facts(name).reason or "no package index answer or knowledge-table entry"
    summary = (
        f"{name} is declared at {where} and {modules} is imported at {places(usages)}, but"
        f" which import names {name} provides is not known ({why}) and nothing declared is"
        f" known to provide {modules}."
        f" Most likely {name} provides {modules}: check its wheel's top_level.txt, or"
        f" configure a package index, before acting. If it does not, {name} is unused and"
        f" {modules} missing."
    )
    return Finding(
        kind=kinds.UNVERIFIED_MAPPING,
        subject=name,
        summary=summary,
        evidence=(*declared, *usages),
        confidence=LOW,
    )
