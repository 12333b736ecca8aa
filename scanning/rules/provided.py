"""Third-party imports of a repository, and which declared distributions provide them."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator

from scanning.rules import mapping
from scanning.types import COMMAND, Usage

STDLIB = frozenset(sys.stdlib_module_names) | {"__main__", "__future__"}


def third_party(usages: Iterable[Usage], first_party: set[str]) -> Iterator[Usage]:
    """Required (not optional) imports of modules neither stdlib nor the repository's own."""
    outside: dict[str, bool] = {}  # module name -> neither stdlib nor first-party
    for usage in usages:
        if usage.optional or usage.kind == COMMAND or usage.is_distribution:
            continue
        keep = outside.get(usage.name)
        if keep is None:
            top = usage.name.split(".")[0]
            keep = outside[usage.name] = bool(top) and top not in STDLIB and top not in first_party
        if keep:
            yield usage


class Providers:
    """Answers "which of these distributions provides module X?" for a set of distributions."""

    def __init__(self, distributions: Iterable[str]) -> None:
        self.names = set(distributions)
        self._by_alias: dict[str, str] = {}
        self._below_namespace: dict[str, set[str]] = {}
        self._of: dict[str, frozenset[str]] = {}
        for name in sorted(self.names):
            for alias in mapping.import_names_for(name):
                self._by_alias.setdefault(alias.lower(), name)
                parts = alias.lower().split(".")
                for depth in range(1, len(parts)):
                    prefix = ".".join(parts[:depth])
                    self._below_namespace.setdefault(prefix, set()).add(name)

    def of(self, module: str) -> set[str]:
        """Distributions among ours that provide ``module`` (several for a bare namespace)."""
        # A repository imports a few dozen modules thousands of times: answer each name once.
        known = self._of.get(module)
        if known is None:
            known = self._of[module] = frozenset(self._lookup(module))
        return set(known)

    def _lookup(self, module: str) -> set[str]:
        distribution = mapping.resolve(module).distribution
        if distribution in self.names:
            return {distribution}
        parts = module.lower().split(".")
        for depth in range(len(parts), 0, -1):
            found = self._by_alias.get(".".join(parts[:depth]))
            if found:
                return {found}
        if mapping.is_namespace_only(module):
            return set(self._below_namespace.get(module.lower(), ()))
        return set()
