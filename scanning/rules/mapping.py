"""Which distribution provides an import name, and which import names a distribution provides.

The server does not have the scanned repositories' packages installed, so an answer is only as
good as its source. In order: namespace packages (``google.cloud.storage`` is
google-cloud-storage, never whatever the server happens to have installed under ``google``),
the curated table of well-known mismatches, installed metadata, then the naming convention
(``foo-bar`` provides ``foo_bar``). Callers can ask which source answered (``resolve``) and say
so in a finding instead of guessing silently.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from functools import lru_cache

from packaging.utils import canonicalize_name

from scanning.rules.known_imports import EXTRA_IMPORTS, KNOWN_IMPORTS

__all__ = [
    "KNOWN_IMPORTS",
    "Resolution",
    "distribution_for_import",
    "import_names_for",
    "is_namespace_only",
    "resolve",
]

# Sources of an answer, most trusted first.
CURATED = "curated"
NAMESPACE = "namespace"
INSTALLED = "installed"
CONVENTION = "convention"
AMBIGUOUS = "ambiguous"  # a namespace shared by many distributions: no single answer

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
