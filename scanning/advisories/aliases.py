"""One vulnerability, many records: severities shared across sources by id and alias.

The PyPA database mostly carries no CVSS vector, while GitHub's record of the same
vulnerability (its GHSA id among the PYSEC record's aliases, or the PYSEC id among the GHSA
record's) usually has one, or at least GitHub's severity level. Every record of a group named
by the same ids gets the severities of all of them, so the highest known score counts.
"""

from __future__ import annotations

from collections.abc import Iterable

from scanning.advisories.osv import OsvAdvisory, Severity

# (id, aliases, severities) of a record that matters only for its severity.
Related = tuple[str, tuple[str, ...], tuple[Severity, ...]]


def merge_by_alias(
    advisories: list[OsvAdvisory], related: Iterable[Related] = ()
) -> list[OsvAdvisory]:
    """``advisories`` each with the severities of every record sharing an id or alias with it
    (among themselves and ``related``), in the same order."""
    parent: dict[str, str] = {}

    def root(name: str) -> str:
        parent.setdefault(name, name)
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    records: list[Related] = [(a.id, a.aliases, a.all_severities()) for a in advisories]
    records += list(related)
    for record_id, aliases, _ in records:
        for alias in aliases:
            parent[root(alias)] = root(record_id)
    by_group: dict[str, list[Severity]] = {}
    for record_id, _, severities in records:
        by_group.setdefault(root(record_id), []).extend(severities)
    return [a.with_severity(tuple(by_group[root(a.id)])) for a in advisories]


def names_of(advisories: Iterable[OsvAdvisory]) -> set[str]:
    """Every id and alias the advisories go by."""
    return {name for a in advisories for name in (a.id, *a.aliases)}
