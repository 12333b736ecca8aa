"""The knowledge table shipped with Debtboard (``knowledge.toml``), as ``DistributionFacts``.

Data, not code: one entry per distribution with the import names, console scripts and other
entry points it installs, what it requires (with extras and markers) and where that was read.
Used when the package index cannot say (none configured, or the lookup failed); a package
index always answers first.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from packaging.utils import canonicalize_name

from scanning.distributions.facts import ASSUMED, TABLE, DistributionFacts, EntryPoint

PATH = Path(__file__).with_name("knowledge.toml")


@dataclass(frozen=True, slots=True)
class Table:
    distributions: dict[str, DistributionFacts]
    namespaces: dict[str, str]  # namespace → naming pattern of its distributions ("google-{}")
    providers: dict[str, tuple[str, ...]]  # module → distributions installing it, sorted
    prefer: dict[str, str]  # module several install → the one a missing import suggests
    scripts: dict[str, str]  # console script → the distribution that installs it
    # (distribution, subcommand of its script) → distributions whose program it starts
    subcommands: dict[tuple[str, str], tuple[str, ...]]

    def facts(self, name: str) -> DistributionFacts | None:
        return self.distributions.get(name)


def parse(text: str) -> Table:
    data = tomllib.loads(text)
    namespaces = {str(k): str(v) for k, v in data.get("namespaces", {}).items()}
    distributions: dict[str, DistributionFacts] = {}
    providers: dict[str, set[str]] = {}
    scripts: dict[str, str] = {}
    subcommands: dict[tuple[str, str], tuple[str, ...]] = {}
    for name, entry in data.get("distributions", {}).items():
        for word, started in (entry.get("subcommands") or {}).items():
            subcommands[(name, str(word))] = tuple(canonicalize_name(s) for s in started)
        modules = tuple(sorted(m for m in entry.get("modules", ()) if m not in namespaces))
        # An entry that lists console scripts only still has its import name assumed.
        source = TABLE if "modules" in entry else ASSUMED
        entry_points = tuple(
            EntryPoint("console_scripts", script) for script in sorted(entry.get("scripts", ()))
        )
        # Other entry-point groups: ``entry_points = {"flake8.extension" = ["N8"]}``.
        groups = entry.get("entry_points", {})
        entry_points += tuple(
            EntryPoint(str(group), str(point))
            for group, points in sorted(groups.items() if isinstance(groups, dict) else ())
            for point in sorted(points if isinstance(points, list) else ())
        )
        # Its Requires-Dist lines as the wheel's METADATA gives them (extras and markers
        # included), and the fixtures its pytest plugin modules define: what an index would
        # have said, for scans without one.
        requires = tuple(str(line) for line in entry.get("requires", ()))
        distributions[name] = DistributionFacts(
            name=name,
            import_names=modules,
            source=source,
            requires=requires,
            requires_source=TABLE if requires else "",
            entry_points=entry_points,
            origin=str(entry.get("source", "")),
            fixtures=tuple(sorted(str(f) for f in entry.get("fixtures", ()))),
        )
        for module in modules:
            providers.setdefault(module, set()).add(name)
        for point in entry_points:
            if point.group == "console_scripts":
                scripts.setdefault(point.name, name)
    return Table(
        distributions,
        namespaces,
        {module: tuple(sorted(names)) for module, names in providers.items()},
        {str(k): str(v) for k, v in data.get("prefer", {}).items()},
        scripts,
        subcommands,
    )


@lru_cache(maxsize=1)
def shipped() -> Table:
    return parse(PATH.read_text(encoding="utf-8"))
