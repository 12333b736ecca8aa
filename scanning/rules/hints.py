"""Tie together an unused declaration and a missing import that may be the same package.

When nothing says which import name a declared distribution provides, the classic false pair
appears: the distribution looks unused and its import looks missing. Rather than guess, both
findings say that they may cancel out.
"""

from __future__ import annotations

from dataclasses import replace

from scanning.distributions import mapping
from scanning.rules.devtools import is_dev_tool
from scanning.rules.unused import stdlib_names_of
from scanning.types import Finding


def link_unknown_mappings(
    findings: list[Finding], *, import_map: mapping.ImportMap = mapping.DEFAULT_MAP
) -> list[Finding]:
    # A dev tool or a distribution named like a standard library module is unused for a
    # reason its finding already gives; neither is a likely source of an unmapped import.
    unknown_unused = [
        f.subject
        for f in findings
        if f.kind == "unused"
        and not import_map.import_names_known(f.subject)
        and not is_dev_tool(f.subject)
        and not stdlib_names_of(f.subject, import_map=import_map)
    ]
    unknown_missing = [
        f.evidence[0].name.split(".")[0]
        for f in findings
        if f.kind == "missing" and f.evidence and not import_map.resolve(f.evidence[0].name).known
    ]
    if not unknown_unused or not unknown_missing:
        return findings
    linked = []
    for finding in findings:
        if finding.kind == "unused" and finding.subject in unknown_unused:
            names = ", ".join(sorted(set(unknown_missing)))
            finding = replace(
                finding,
                summary=f"{finding.summary} It may provide the unmapped import(s) {names}.",
            )
        elif (
            finding.kind == "missing"
            and finding.evidence
            and not import_map.resolve(finding.evidence[0].name).known
        ):
            names = ", ".join(sorted(unknown_unused))
            finding = replace(
                finding, summary=f"{finding.summary} It may come from the declared {names}."
            )
        linked.append(finding)
    return linked
