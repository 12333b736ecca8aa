"""Third-party imports of a repository, and which declared distributions provide them."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator

from scanning.distributions import mapping
from scanning.types import COMMAND, ProvidedImports, Usage

STDLIB = frozenset(sys.stdlib_module_names) | {"__main__", "__future__"}
# protoc writes X_pb2.py (and grpc_tools X_pb2_grpc.py) for X.proto
# (https://protobuf.dev/reference/python/python-generated/#invocation): a top-level module so
# named is the project's generated code, which no distribution installs.
GENERATED_SUFFIXES = ("_pb2", "_pb2_grpc")
# Why a distribution's import names were not looked up on an index: none is configured.
OFFLINE = "no package index configured"
_MAX_AUDITED = 200


def third_party(usages: Iterable[Usage], first_party: set[str]) -> Iterator[Usage]:
    """Required (not optional) imports of modules neither stdlib nor the repository's own."""
    outside: dict[str, bool] = {}  # module name -> neither stdlib nor first-party
    for usage in usages:
        if usage.optional or usage.kind == COMMAND or usage.is_distribution:
            continue
        keep = outside.get(usage.name)
        if keep is None:
            top = usage.name.split(".")[0]
            keep = outside[usage.name] = (
                bool(top)
                and top not in STDLIB
                and top not in first_party
                and not top.endswith(GENERATED_SUFFIXES)
            )
        if keep:
            yield usage


def places(found: list[Usage]) -> str:
    """Where the first of ``found`` is, and how many more there are: ``a.py:3 and 2 more``."""
    first = found[0]
    more = f" and {len(found) - 1} more place(s)" if len(found) > 1 else ""
    return f"{first.path}:{first.line}{more}"


class Providers:
    """Answers "which of these distributions provides module X?" for a set of distributions."""

    def __init__(
        self,
        distributions: Iterable[str],
        *,
        import_map: mapping.ImportMap = mapping.DEFAULT_MAP,
    ) -> None:
        self.names = set(distributions)
        self.import_map = import_map
        self._by_alias: dict[str, str] = {}
        self._below_namespace: dict[str, set[str]] = {}
        self._answers: dict[str, frozenset[str]] = {}
        for name in sorted(self.names):
            for alias in import_map.import_names_for(name):
                self._by_alias.setdefault(alias.lower(), name)
                parts = alias.lower().split(".")
                for depth in range(1, len(parts)):
                    prefix = ".".join(parts[:depth])
                    self._below_namespace.setdefault(prefix, set()).add(name)

    def of(self, module: str) -> frozenset[str]:
        """Distributions among ours that provide ``module`` (several for a bare namespace)."""
        # Rules ask about every usage, and a repository imports the same modules over and over.
        found = self._answers.get(module)
        if found is None:
            found = self._answers[module] = frozenset(self._of(module))
        return found

    def _of(self, module: str) -> set[str]:
        distribution = self.import_map.resolve(module).distribution
        if distribution in self.names:
            return {distribution}
        owners = self.import_map.providers_of(module) & self.names
        if owners:
            return set(owners)
        # Longest prefix first, never above the namespace the module lies below: a declared
        # ``airflow`` does not provide ``airflow.providers.amazon``.
        for prefix in mapping.prefixes(module.lower(), mapping.namespace_of(module).lower()):
            found = self._by_alias.get(prefix)
            if found:
                return {found}
        # A bare namespace (``import google``, or one only a wheel's layout shows): every
        # distribution below it may be the one meant.
        return set(self._below_namespace.get(module.lower(), ()))


def import_names_audit(provided: dict[str, ProvidedImports]) -> dict:
    """For the scan run: how many distributions each source answered, and what went wrong."""
    sources: dict[str, int] = {}
    for fact in provided.values():
        sources[fact.source] = sources.get(fact.source, 0) + 1
    problems = [
        {"name": f.name, "source": f.source, "reason": f.reason}
        for f in sorted(provided.values(), key=lambda f: f.name)
        if f.reason and (f.source == mapping.UNKNOWN or f.reason != OFFLINE)
    ]
    return {"sources": sources, "problems": problems[:_MAX_AUDITED]}
