"""One finding where the truth is one fact: an unmapped import beside an unknown declaration.

When nothing says which import name a declared distribution provides (no index answer, no
knowledge-table entry) and the code imports a module nothing maps to a distribution, the two
are most often one package under two names (``python-foo`` installing ``foo_lib``). Reporting
"unused" and "missing" with confidence would ask someone to remove a package the code needs;
instead both become one low-confidence ``unverified-mapping`` finding per such distribution,
which says how to settle it. Widely used distributions (the download ranking in
``distributions.popular``) are real under their own names and never paired.

A declaration is paired with the imports whose names share a run of letters with its own
(``invisible-watermark`` and ``imwatermark``, ``streamlit-aggrid`` and ``st_aggrid``); when
exactly one unknown declaration and one unmapped import are left beside each other, those two
are paired as well. Otherwise a research repository with five unknown declarations and five
unrelated unknown imports (``fire``, ``natsort``, ``scann`` beside ``torchmetrics``,
``test-tube``) would turn ten plain verdicts into five questions about one mapping each.
"""

from __future__ import annotations

import re

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
    pairs = {
        id(unused): [m for m in unmapped_missing if names_related(unused.subject, _module(m))]
        for unused in unknown_unused
    }
    paired = {id(m) for related in pairs.values() for m in related}
    lone_unused = [f for f in unknown_unused if not pairs[id(f)]]
    lone_missing = [f for f in unmapped_missing if id(f) not in paired]
    if len(lone_unused) == 1 and len(lone_missing) == 1:
        pairs[id(lone_unused[0])] = lone_missing
    merged, replaced = [], set()
    for unused in unknown_unused:
        related = pairs[id(unused)]
        if not related:
            continue
        usages = [u for f in related for u in f.evidence if isinstance(u, Usage)]
        merged.append(_unverified(unused, usages, import_map))
        replaced |= {id(unused), *(id(f) for f in related)}
    return [f for f in findings if id(f) not in replaced] + merged


def names_related(distribution: str, module: str) -> bool:
    """Whether a distribution's name and an import name share a run of letters.

    Four letters in a row, or the whole of the shorter name (``jwt`` in ``pyjwt``), compared
    without case and separators.
    """
    dist = re.sub(r"[^a-z0-9]", "", distribution.lower())
    root = re.sub(r"[^a-z0-9]", "", module.split(".")[0].lower())
    if not dist or not root:
        return False
    return _longest_common_run(dist, root) >= min(4, len(dist), len(root))


def _longest_common_run(left: str, right: str) -> int:
    best = 0
    previous = [0] * (len(right) + 1)
    for a in left:
        current = [0]
        for j, b in enumerate(right):
            current.append(previous[j] + 1 if a == b else 0)
        best = max(best, *current)
        previous = current
    return best


def _module(finding: Finding) -> str:
    return finding.evidence[0].name


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
