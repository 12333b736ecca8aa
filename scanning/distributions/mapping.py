"""Which distribution provides an import name, and which import names a distribution provides.

Answers come from the distributions' own metadata (what a scan read from the package index or
the repository's lock), then Debtboard's knowledge table, then the naming pattern of a
namespace, then the distribution's name; never from what is installed on the scanning server,
so the same checkout gets the same verdicts on every server. Every answer says which source
gave it (``Resolution.source``), and findings repeat that with its confidence.

A module is resolved by the **longest prefix some distribution really provides**:
``google.cloud.storage.blob`` is google-cloud-storage's, ``airflow.providers.amazon.aws`` is
apache-airflow-providers-amazon's even when apache-airflow (``airflow``) is declared too. A
prefix that is a namespace (``google.cloud``, ``airflow.providers``) belongs to nobody.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from packaging.utils import canonicalize_name

from scanning.distributions import facts as sources
from scanning.distributions import graph as requirements_graph
from scanning.distributions import table
from scanning.types import DistributionFacts

__all__ = [
    "ImportMap",
    "Resolution",
    "distribution_for_import",
    "import_names_for",
    "is_namespace_only",
    "local_facts",
    "resolve",
]

# Sources of an answer (see ``scanning.distributions.facts``).
INDEX = sources.INDEX
LOCK = sources.LOCK
CURATED = sources.TABLE  # the knowledge table
NAMESPACE = sources.NAMESPACE
SIMILAR = sources.SIMILAR
UNKNOWN = sources.ASSUMED  # what a distribution provides: nothing better than its name
CONVENTION = "convention"  # an import's distribution: nothing better than the import's name
AMBIGUOUS = "ambiguous"  # a bare namespace shared by many distributions: no single answer
CONFIGURED = "configured"  # the repository's [tool.deptry] package_module_name_map
SOURCE_LABELS = {
    **sources.SOURCE_LABELS,
    CONVENTION: "the import's name (an assumption)",
    CONFIGURED: "the repository's [tool.deptry] package_module_name_map",
}
# Sources whose import names a scan may attribute to one declared distribution.
_ATTRIBUTABLE = frozenset({INDEX, CURATED, SIMILAR, NAMESPACE, CONFIGURED})


@dataclass(frozen=True, slots=True)
class Resolution:
    """The distribution believed to provide a module, and where that belief comes from."""

    distribution: str  # canonical; for AMBIGUOUS, the namespace as written (``google``)
    source: str

    @property
    def known(self) -> bool:
        return self.source not in (CONVENTION, AMBIGUOUS)

    @property
    def confidence(self) -> str:
        return sources.confidence(self.source)


def _namespaces() -> Mapping[str, str]:
    return table.shipped().namespaces


def is_namespace_only(module: str) -> bool:
    return module in _namespaces()


def namespace_of(module: str) -> str:
    """The deepest namespace ``module`` lies below ("" when none): ``google.cloud`` for
    ``google.cloud.storage.blob``."""
    parts = module.split(".")
    found = ""
    for depth in range(1, len(parts)):
        prefix = ".".join(parts[:depth])
        if prefix in _namespaces():
            found = prefix
    return found


def prefixes(module: str, floor: str) -> list[str]:
    """Prefixes of ``module`` longer than its namespace ``floor``, longest first."""
    parts = module.split(".")
    lowest = len(floor.split(".")) + 1 if floor else 1
    return [".".join(parts[:depth]) for depth in range(len(parts), lowest - 1, -1)]


def _preferred(module: str, providers: tuple[str, ...]) -> str:
    chosen = table.shipped().prefer.get(module)
    if chosen:
        return chosen
    same = canonicalize_name(module.rsplit(".", 1)[-1])
    return same if same in providers else providers[0]


@lru_cache(maxsize=8192)
def resolve(module: str) -> Resolution:
    """The distribution most likely to provide ``module`` (dotted or top-level), by the table
    and naming rules alone (no scan facts: see ``ImportMap.resolve``)."""
    if module in _namespaces():
        return Resolution(module, AMBIGUOUS)
    floor = namespace_of(module)
    shipped = table.shipped()
    for prefix in prefixes(module, floor):
        providers = shipped.providers.get(prefix)
        if providers:
            return Resolution(_preferred(prefix, providers), CURATED)
    if floor:
        below = module.split(".")[len(floor.split("."))]
        pattern = _namespaces()[floor]
        return Resolution(canonicalize_name(pattern.format(below)), NAMESPACE)
    return Resolution(canonicalize_name(module.split(".")[0]), CONVENTION)


def distribution_for_import(import_name: str) -> str:
    """The canonical distribution name most likely to provide ``import_name``."""
    return resolve(import_name).distribution


@lru_cache(maxsize=8192)
def _namespace_guesses(distribution: str) -> frozenset[str]:
    """``google-cloud-storage`` → ``google.cloud.storage`` by its namespace's naming pattern.

    A guess (``azure-storage-file-share`` is really ``azure.storage.fileshare``): it only ever
    makes a package look used, never missing.
    """
    best = ""
    for namespace, pattern in _namespaces().items():
        head, _, tail = pattern.partition("{}")
        if tail or not head or not distribution.startswith(head) or distribution == head:
            continue
        if len(head) > len(best.partition("|")[0]):
            rest = distribution[len(head) :].replace("-", "_")
            best = f"{head}|{namespace}.{rest}"
    return frozenset({best.partition("|")[2]}) if best else frozenset()


def _conventional(distribution: str) -> set[str]:
    conventional = distribution.replace("-", "_").replace(".", "_")
    names = {conventional}
    for prefix in ("python_", "py_"):
        if conventional.startswith(prefix):
            names.add(conventional.removeprefix(prefix))
    return names


def local_facts(distribution: str) -> DistributionFacts:
    """What ``distribution`` provides per the knowledge shipped with Debtboard.

    The table's entry, else the namespace naming pattern; else nothing is known (source
    ``assumed``: the import names are only what its name suggests, not listed here).
    """
    entry = table.shipped().facts(distribution)
    if entry is not None and entry.source == CURATED:
        return entry
    guessed = _namespace_guesses(distribution)
    if guessed:
        return DistributionFacts(distribution, tuple(sorted(guessed)), NAMESPACE)
    if entry is not None:  # console scripts known, import names not
        return entry
    return DistributionFacts(distribution, (), UNKNOWN)


@lru_cache(maxsize=8192)
def import_names_for(distribution: str) -> frozenset[str]:
    """Import names (top-level, or dotted below a namespace) that ``distribution`` may provide:
    the table's, the namespace guess and the names its own name suggests."""
    names = set(local_facts(distribution).import_names) | _namespace_guesses(distribution)
    names |= _conventional(distribution)
    return frozenset(n for n in names if n not in _namespaces())


class ImportMap:
    """The mapping functions, with what a scan learned about its declared distributions first.

    ``provided`` (distribution → ``DistributionFacts``) comes from the scan's loader (package
    index, lock, table). A distribution's names are the union of what its facts list and what
    the shipped knowledge says, so facts only ever make a package look used, never unused.
    """

    def __init__(self, provided: Mapping[str, DistributionFacts] | None = None) -> None:
        self.provided = dict(provided or {})
        owners: dict[str, set[str]] = {}
        for fact in self.provided.values():
            if fact.source in _ATTRIBUTABLE:
                for module in fact.import_names:
                    if module not in _namespaces():
                        owners.setdefault(module, set()).add(fact.name)
        self._owners = {module: frozenset(names) for module, names in owners.items()}
        # A module two declared distributions both install says nothing about either.
        self._owner = {m: next(iter(n)) for m, n in self._owners.items() if len(n) == 1}
        self._names: dict[str, frozenset[str]] = {}
        self._resolved: dict[str, Resolution] = {}
        self._graph: requirements_graph.Graph | None = None

    @property
    def graph(self) -> requirements_graph.Graph:
        """What the declared distributions require, from their facts; built once per scan
        for every rule that asks (unused, missing, transitive)."""
        if self._graph is None:
            self._graph = requirements_graph.Graph(self.provided)
        return self._graph

    def resolve(self, module: str) -> Resolution:
        """Like ``resolve``, but a declared distribution's own metadata answers first."""
        if not self._owners:
            return resolve(module)  # cached there; DEFAULT_MAP must not grow for ever
        found = self._resolved.get(module)
        if found is None:
            found = self._resolved[module] = self._resolve(module)
        return found

    def _resolve(self, module: str) -> Resolution:
        if module in _namespaces():
            return Resolution(module, AMBIGUOUS)
        for prefix in prefixes(module, namespace_of(module)):
            owner = self._owner.get(prefix)
            if owner is not None:
                return Resolution(owner, self.provided[owner].source)
            if prefix in self._owners:
                break  # several declared distributions install it: the shipped answer
        return resolve(module)

    def providers_of(self, module: str) -> frozenset[str]:
        """Every declared distribution whose facts list ``module`` or the longest prefix of it
        that anyone provides (several when two install the same module)."""
        for prefix in prefixes(module, namespace_of(module)):
            found = self._owners.get(prefix)
            if found:
                return found
        return frozenset()

    def import_names_for(self, distribution: str) -> frozenset[str]:
        if not self.provided:
            return import_names_for(distribution)
        names = self._names.get(distribution)
        if names is None:
            fact = self.provided.get(distribution)
            extra = fact.import_names if fact is not None else ()
            names = import_names_for(distribution) | {n for n in extra if n not in _namespaces()}
            self._names[distribution] = names
        return names

    def facts(self, distribution: str) -> DistributionFacts:
        return self.provided.get(distribution) or local_facts(distribution)

    def import_names_known(self, distribution: str) -> bool:
        """Whether a source better than the name says what it provides."""
        return self.facts(distribution).source != UNKNOWN

    def confidence(self, distribution: str) -> str:
        return sources.confidence(self.facts(distribution).source)

    def describe(self, distribution: str) -> str:
        """One sentence for a finding: which import names were looked for, and per what."""
        fact = self.facts(distribution)
        names = ", ".join(fact.import_names)
        if fact.source == UNKNOWN:
            guessed = ", ".join(sorted(self.import_names_for(distribution)))
            why = "no package index answer or knowledge-table entry"
            if fact.reason:
                why += f"; {fact.reason}"
            return (
                f"What {distribution} provides is not known here ({why});"
                f" looked for import {guessed}, after its name (low confidence)."
            )
        where = sources.describe_source(fact)
        if not names:
            return f"Per {where} it installs no importable module."
        said = f"Looked for import {names} (per {where}, {fact_confidence(fact)} confidence"
        if fact.reason:
            said += f"; {fact.reason}"
        return said + ")."


def fact_confidence(fact: DistributionFacts) -> str:
    return sources.confidence(fact.source)


DEFAULT_MAP = ImportMap()
