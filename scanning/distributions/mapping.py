"""Which distribution provides an import name, and which import names a distribution provides.

The server does not have the scanned repositories' packages installed, so an answer is only as
good as its source. In order: namespace packages (``google.cloud.storage`` is
google-cloud-storage, never whatever the server happens to have installed under ``google``),
the curated table of well-known mismatches, installed metadata, then the naming convention
(``foo-bar`` provides ``foo_bar``). Callers can ask which source answered (``resolve``) and say
so in a finding instead of guessing silently.

A scan knows more: what each declared distribution provides, read by the scan service from
installed metadata, the release's wheel on the package index (cached per distribution) or the
curated table (``scanning.package_cache.importnames``). ``ImportMap`` answers the same
questions with those facts first; the module-level functions are the answers without them.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from packaging.utils import canonicalize_name

from scanning.distributions.known_imports import EXTRA_IMPORTS, KNOWN_IMPORTS
from scanning.types import ProvidedImports

__all__ = [
    "KNOWN_IMPORTS",
    "ImportMap",
    "Resolution",
    "distribution_for_import",
    "import_names_for",
    "is_namespace_only",
    "local_facts",
    "resolve",
]

# Sources of an answer, most trusted first.
CURATED = "curated"
NAMESPACE = "namespace"
INSTALLED = "installed"
INDEX = "index"  # the release's wheel on the package index (a fact of the scan, see ImportMap)
CONVENTION = "convention"
AMBIGUOUS = "ambiguous"  # a namespace shared by many distributions: no single answer
UNKNOWN = "unknown"  # what a distribution provides: no source better than its name
SIMILAR = "similar"  # assumed: an unmapped import is made of words of the package's name

# How a finding names each source ("... per the curated table").
SOURCE_LABELS = {
    CURATED: "the curated table",
    NAMESPACE: "the namespace naming rule",
    INSTALLED: "the metadata installed on this server",
    INDEX: "its wheel on the package index",
    SIMILAR: "the likeness of the names, an assumption",
}

# Modules that are namespaces only: several distributions install packages below them.
NAMESPACE_ONLY = frozenset(
    {
        "google",
        "google.cloud",
        "azure",
        "azure.storage",
        "azure.mgmt",
        "azure.keyvault",
        "azure.ai",
        "azure.monitor",
        "azure.eventhub.extensions",
        "opentelemetry",
        "opentelemetry.exporter",
        "opentelemetry.instrumentation",
        "zope",
        "backports",
        "jaraco",
        "sphinxcontrib",
        "mpl_toolkits",
        "flufl",
        "ruamel",
    }
)

# Modules below a namespace whose distribution does not follow the dotted-name convention.
NAMESPACE_EXCEPTIONS: dict[str, str] = {
    "google.protobuf": "protobuf",
    "google.auth": "google-auth",
    "google.oauth2": "google-auth",
    "google.api_core": "google-api-core",
    "google.api": "googleapis-common-protos",
    "google.rpc": "googleapis-common-protos",
    "google.type": "googleapis-common-protos",
    "google.longrunning": "googleapis-common-protos",
    "google.logging": "googleapis-common-protos",
    "google.iam": "grpc-google-iam-v1",
    "google.genai": "google-genai",
    "google.generativeai": "google-generativeai",
    "google.colab": "google-colab",
    "google.cloud.storage": "google-cloud-storage",
    "google.cloud.sql": "cloud-sql-python-connector",
    "azure.storage.fileshare": "azure-storage-file-share",
    "azure.storage.filedatalake": "azure-storage-file-datalake",
    "azure.functions": "azure-functions",
    "azure.cosmos": "azure-cosmos",
    "opentelemetry.trace": "opentelemetry-api",
    "opentelemetry.context": "opentelemetry-api",
    "opentelemetry.metrics": "opentelemetry-api",
    "opentelemetry.propagate": "opentelemetry-api",
    "opentelemetry.propagators": "opentelemetry-api",
    "opentelemetry.baggage": "opentelemetry-api",
    "opentelemetry.util": "opentelemetry-api",
    "opentelemetry.attributes": "opentelemetry-api",
    "opentelemetry.environment_variables": "opentelemetry-api",
    "opentelemetry.semconv": "opentelemetry-semantic-conventions",
    "ruamel.yaml": "ruamel-yaml",
    "mpl_toolkits.mplot3d": "matplotlib",
    "mpl_toolkits.axes_grid1": "matplotlib",
    "mpl_toolkits.basemap": "basemap",
}


@dataclass(frozen=True, slots=True)
class Resolution:
    """The distribution believed to provide a module, and where that belief comes from."""

    distribution: str  # canonical; for AMBIGUOUS, the namespace as written (``google``)
    source: str

    @property
    def known(self) -> bool:
        return self.source not in (CONVENTION, AMBIGUOUS)


def is_namespace_only(module: str) -> bool:
    return module in NAMESPACE_ONLY


@lru_cache(maxsize=1)
def _installed() -> tuple[dict[str, str], dict[str, frozenset[str]]]:
    import_to_dist: dict[str, str] = {}
    dist_to_imports: dict[str, set[str]] = {}
    for import_name, dists in importlib.metadata.packages_distributions().items():
        if import_name.startswith("_") or not dists or import_name in NAMESPACE_ONLY:
            continue
        canonical = [canonicalize_name(d) for d in dists]
        import_to_dist.setdefault(import_name, canonical[0])
        for dist in canonical:
            dist_to_imports.setdefault(dist, set()).add(import_name)
    return import_to_dist, {k: frozenset(v) for k, v in dist_to_imports.items()}


@lru_cache(maxsize=1)
def _known_by_dist() -> dict[str, frozenset[str]]:
    by_dist: dict[str, set[str]] = {}
    for module, dist in (*KNOWN_IMPORTS.items(), *NAMESPACE_EXCEPTIONS.items()):
        by_dist.setdefault(dist, set()).add(module)
    for dist, names in EXTRA_IMPORTS.items():
        by_dist.setdefault(dist, set()).update(names)
    return {k: frozenset(v) for k, v in by_dist.items()}


def _namespace_resolution(module: str) -> Resolution | None:
    parts = module.split(".")
    if parts[0] not in NAMESPACE_ONLY:
        return None
    for depth in range(len(parts), 1, -1):
        prefix = ".".join(parts[:depth])
        if prefix in NAMESPACE_EXCEPTIONS:
            return Resolution(NAMESPACE_EXCEPTIONS[prefix], NAMESPACE)
    depth = 1
    while depth < len(parts) and ".".join(parts[: depth + 1]) in NAMESPACE_ONLY:
        depth += 1
    if depth >= len(parts):
        return Resolution(module, AMBIGUOUS)
    return Resolution(canonicalize_name("-".join(parts[: depth + 1])), NAMESPACE)


@lru_cache(maxsize=4096)
def resolve(module: str) -> Resolution:
    """The distribution most likely to provide ``module`` (dotted or top-level)."""
    namespaced = _namespace_resolution(module)
    if namespaced is not None:
        return namespaced
    top = module.split(".")[0]
    if top in KNOWN_IMPORTS:
        return Resolution(KNOWN_IMPORTS[top], CURATED)
    installed, _ = _installed()
    if top in installed:
        return Resolution(installed[top], INSTALLED)
    return Resolution(canonicalize_name(top), CONVENTION)


def distribution_for_import(import_name: str) -> str:
    """The canonical distribution name most likely to provide ``import_name``."""
    return resolve(import_name).distribution


@lru_cache(maxsize=4096)
def import_names_for(distribution: str) -> frozenset[str]:
    """Import names (top-level, or dotted below a namespace) that ``distribution`` may provide."""
    _, installed = _installed()
    names = set(installed.get(distribution, ()))
    names |= _known_by_dist().get(distribution, frozenset())
    names |= _namespace_guesses(distribution)
    conventional = distribution.replace("-", "_")
    names.add(conventional)
    for prefix in ("python_", "py_"):
        if conventional.startswith(prefix):
            names.add(conventional.removeprefix(prefix))
    return frozenset(names)


def import_names_known(distribution: str) -> bool:
    """Whether a source better than the naming convention says what ``distribution`` provides."""
    _, installed = _installed()
    return (
        distribution in installed
        or distribution in _known_by_dist()
        or bool(_namespace_guesses(distribution))
    )


@lru_cache(maxsize=4096)
def _namespace_guesses(distribution: str) -> frozenset[str]:
    """``google-cloud-storage`` → ``google.cloud.storage``, ``azure-identity`` → ``azure.identity``.

    A guess (``azure-storage-file-share`` is really ``azure.storage.fileshare``): it only ever
    makes a package look used, never missing.
    """
    words = distribution.split("-")
    for depth in range(len(words) - 1, 0, -1):
        namespace = ".".join(words[:depth])
        if namespace in NAMESPACE_ONLY:
            rest = "_".join(words[depth:])
            return frozenset({f"{namespace}.{rest}"})
    return frozenset()


def local_facts(distribution: str) -> ProvidedImports:
    """What ``distribution`` provides per the sources at hand without a package index.

    Installed metadata first, then the curated table, then the namespace naming rule; else
    the source is unknown (and the names are only what its name suggests, not listed here).
    """
    _, installed = _installed()
    if distribution in installed:
        return ProvidedImports(distribution, tuple(sorted(installed[distribution])), INSTALLED)
    curated = _known_by_dist().get(distribution)
    if curated:
        return ProvidedImports(distribution, tuple(sorted(curated)), CURATED)
    guessed = _namespace_guesses(distribution)
    if guessed:
        return ProvidedImports(distribution, tuple(sorted(guessed)), NAMESPACE)
    return ProvidedImports(distribution, (), UNKNOWN)


class ImportMap:
    """The mapping functions, with what a scan learned about its declared distributions first.

    ``provided`` (distribution → ``ProvidedImports``) comes from the scan service; without it
    every answer is the module-level one. A distribution's names are the union of what its
    facts list and what the module-level sources say, so facts only ever make a package look
    used, never unused; where the answer came from is kept for the findings to say.
    """

    def __init__(self, provided: Mapping[str, ProvidedImports] | None = None) -> None:
        self.provided = dict(provided or {})
        owners: dict[str, set[str]] = {}
        for fact in self.provided.values():
            if fact.source in (INDEX, INSTALLED, SIMILAR):
                for module in fact.import_names:
                    if module not in NAMESPACE_ONLY:
                        owners.setdefault(module, set()).add(fact.name)
        # A module two declared distributions both install says nothing about either.
        self._owner = {module: names.pop() for module, names in owners.items() if len(names) == 1}
        self._names: dict[str, frozenset[str]] = {}
        self._resolved: dict[str, Resolution] = {}

    def resolve(self, module: str) -> Resolution:
        """Like ``resolve``, but a declared distribution's own metadata answers first."""
        if not self._owner:
            return resolve(module)  # cached there; DEFAULT_MAP must not grow for ever
        found = self._resolved.get(module)
        if found is None:
            found = self._resolve(module)
            self._resolved[module] = found
        return found

    def _resolve(self, module: str) -> Resolution:
        parts = module.split(".")
        for depth in range(len(parts), 0, -1):
            owner = self._owner.get(".".join(parts[:depth]))
            if owner is not None:
                return Resolution(owner, self.provided[owner].source)
        return resolve(module)

    def import_names_for(self, distribution: str) -> frozenset[str]:
        if not self.provided:
            return import_names_for(distribution)
        names = self._names.get(distribution)
        if names is None:
            fact = self.provided.get(distribution)
            extra = fact.import_names if fact is not None else ()
            names = import_names_for(distribution) | {n for n in extra if n not in NAMESPACE_ONLY}
            self._names[distribution] = names
        return names

    def facts(self, distribution: str) -> ProvidedImports:
        return self.provided.get(distribution) or local_facts(distribution)

    def import_names_known(self, distribution: str) -> bool:
        """Whether a source better than the naming convention says what it provides."""
        return self.facts(distribution).source != UNKNOWN

    def describe(self, distribution: str) -> str:
        """One sentence for a finding: which import names were looked for, and per what."""
        fact = self.facts(distribution)
        names = ", ".join(fact.import_names)
        if fact.source == UNKNOWN:
            guessed = ", ".join(sorted(self.import_names_for(distribution)))
            why = "no installed metadata or curated entry"
            if fact.reason:
                why += f"; {fact.reason}"
            return (
                f"What {distribution} provides is not known here ({why});"
                f" looked for import {guessed}, after its name."
            )
        where = SOURCE_LABELS[fact.source]
        if fact.source == INDEX and fact.version:
            where = f"its {fact.version} wheel on the package index"
        if not names:
            return f"Per {where} it installs no importable module."
        said = f"Looked for import {names} (per {where}"
        if fact.reason:
            said += f"; {fact.reason}"
        return said + ")."


DEFAULT_MAP = ImportMap()
