"""Where knowledge about a distribution comes from, and how sure a verdict resting on it is.

A verdict about a repository is only as good as what it knows about the distributions the
repository declares. That knowledge comes from the distributions' own metadata, never from
what happens to be installed on the scanning server. Sources, most trusted first:

- ``index``: the release's wheel on the configured package index (its ``RECORD`` or
  ``top_level.txt``, ``METADATA`` and ``entry_points.txt``);
- ``lock``: the repository's own lock file, which records what each locked package requires;
- ``table``: the knowledge table shipped with Debtboard (``knowledge.toml``), each entry
  with the release it was read from;
- ``namespace`` and ``similar``: assumptions from the name with some structure behind them
  (the naming pattern of a namespace; an unmapped import made of the name's words);
- ``assumed``: nothing better; the import name is taken from the distribution's name
  (``foo-bar`` provides ``foo_bar``), and every finding resting on it says so.
"""

from __future__ import annotations

from scanning.types import DistributionFacts, EntryPoint

__all__ = ["DistributionFacts", "EntryPoint", "confidence", "describe_source"]

INDEX = "index"
LOCK = "lock"
TABLE = "table"
NAMESPACE = "namespace"
SIMILAR = "similar"
ASSUMED = "assumed"

HIGH = "high"
MEDIUM = "medium"
LOW = "low"

CONFIGURED = "configured"  # the repository's own [tool.deptry] package_module_name_map

CONFIDENCE = {
    INDEX: HIGH,
    LOCK: HIGH,
    CONFIGURED: HIGH,
    TABLE: MEDIUM,
    NAMESPACE: LOW,
    SIMILAR: LOW,
    ASSUMED: LOW,
}

# How a finding names each source ("... per its wheel on the package index").
SOURCE_LABELS = {
    INDEX: "its wheel on the package index",
    LOCK: "the repository's lock file",
    TABLE: "Debtboard's knowledge table",
    NAMESPACE: "the naming pattern of its namespace (an assumption)",
    SIMILAR: "the likeness of the names (an assumption)",
    ASSUMED: "its name (an assumption: no metadata was available)",
}


def confidence(source: str) -> str:
    return CONFIDENCE.get(source, LOW)


def describe_source(facts: DistributionFacts) -> str:
    where = SOURCE_LABELS.get(facts.source, facts.source)
    if facts.source == INDEX and facts.version:
        where = f"its {facts.version} wheel on the package index"
    elif facts.source == TABLE and facts.origin:
        where = f"Debtboard's knowledge table ({facts.origin})"
    return where


# Which reader of a wheel's metadata produced stored facts. Raise it whenever the reader learns
# something new from a wheel (a file, a field, a rule for import names): facts a cache kept from
# an older reader then count as stale and the wheel is read again, instead of being trusted until
# the time-to-live runs out without what the new reader would have found.
READER_VERSION = 2  # 2: the fixtures of pytest plugins
READER_KEY = "reader"


def as_json(facts: DistributionFacts) -> dict:
    """What a cache keeps beside the import names: the rest of the wheel's metadata, and which
    reader read it."""
    return {
        READER_KEY: READER_VERSION,
        "requires": list(facts.requires),
        "requires_source": facts.requires_source,
        "extras": list(facts.extras),
        "entry_points": [[e.group, e.name, e.value] for e in facts.entry_points],
        "license": facts.license,
        "installed_bytes": facts.installed_bytes,
        "origin": facts.origin,
        "fixtures": list(facts.fixtures),
    }


def read_by_current_reader(data: object) -> bool:
    """Whether facts ``as_json`` stored were read by this reader (older ones have no key)."""
    return isinstance(data, dict) and data.get(READER_KEY) == READER_VERSION


def from_json(base: DistributionFacts, data: object) -> DistributionFacts:
    """``base`` (name, import names, source, version) with what ``as_json`` kept; anything
    malformed is left out rather than trusted."""
    if not isinstance(data, dict):
        return base

    def strings(key: str) -> tuple[str, ...]:
        value = data.get(key)
        return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()

    points = data.get("entry_points")
    entry_points = tuple(
        EntryPoint(*row)
        for row in (points if isinstance(points, list) else ())
        if isinstance(row, list) and len(row) == 3 and all(isinstance(v, str) for v in row)
    )
    size = data.get("installed_bytes")
    text = {k: data.get(k) if isinstance(data.get(k), str) else "" for k in ("license", "origin")}
    requires_source = data.get("requires_source")
    return DistributionFacts(
        name=base.name,
        import_names=base.import_names,
        source=base.source,
        version=base.version,
        reason=base.reason,
        requires=strings("requires"),
        requires_source=requires_source if isinstance(requires_source, str) else "",
        extras=strings("extras"),
        entry_points=entry_points,
        license=str(text["license"]),
        installed_bytes=size if isinstance(size, int) and size >= 0 else 0,
        origin=str(text["origin"]),
        fixtures=strings("fixtures"),
    )
