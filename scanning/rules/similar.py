"""Declared packages nobody knows the import names of, matched to unmapped imports by name.

Without installed metadata, a curated entry or the package index, ``sorl-thumbnail`` and
``import sorl`` would be reported unused *and* missing at once. When every word of the import
is a word of one declared package's name (``strawberry_django`` in
``strawberry-graphql-django``, ``timezone_field`` in ``django-timezone-field``), that package is
assumed to provide it. The assumption is recorded as the package's facts (source "similar"),
so findings and reports say so; it never applies to a package whose names are known.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from packaging.utils import canonicalize_name

from scanning.distributions import mapping
from scanning.distributions.popular import POPULAR
from scanning.distributions.provided import STDLIB
from scanning.types import COMMAND, Declaration, ProvidedImports, Usage

_WORD = re.compile(r"[a-z0-9]+")
# Words too common in package names to tie an import to one package on their own.
_GENERIC = frozenset(
    {"python", "py", "django", "flask", "pytest", "client", "api", "sdk", "core", "lib", "utils",
     "tools", "plugin", "plugins", "app", "apps", "ext", "contrib", "base", "common", "types"}
)  # fmt: skip
_MIN_WORD = 3


def words(name: str) -> list[str]:
    return _WORD.findall(name.lower())


def looks_like(module: str, distribution: str) -> bool:
    """Every word of ``module`` is a word of ``distribution``, and one of them is distinctive."""
    module_words = words(module)
    if not module_words or not set(module_words) <= set(words(distribution)):
        return False
    return any(w not in _GENERIC and len(w) >= _MIN_WORD for w in module_words)


def _provided_elsewhere(module: str, import_map: mapping.ImportMap) -> bool:
    """Whether another distribution is known to provide ``module``: the knowledge table says
    which (``yaml`` is PyYAML's), or a widely used distribution is named like it (``keras``
    beside a declared keras-core is keras, not keras-core). Such an import is no guess's."""
    if import_map.resolve(module).source != mapping.CONVENTION:
        return True
    return canonicalize_name(module) in POPULAR


def with_similar_names(
    provided: Mapping[str, ProvidedImports],
    declarations: Iterable[Declaration],
    usages: Iterable[Usage],
    first_party: set[str],
) -> dict[str, ProvidedImports]:
    """``provided`` plus, for declared packages of unknown names, the imports they resemble."""
    import_map = mapping.ImportMap(provided)
    declared = {d.name for d in declarations}
    unknown = sorted(name for name in declared if not import_map.import_names_known(name))
    if not unknown:
        return dict(provided)
    tops = {u.name.split(".")[0] for u in usages if not u.is_distribution and u.kind != COMMAND}
    imported = {top.lower() for top in tops}
    unmapped = {
        top
        for top in tops
        if top not in STDLIB
        and top not in first_party
        and import_map.resolve(top).distribution not in declared
        and not _provided_elsewhere(top, import_map)
    }
    # A package imported under its own name needs no guess.
    candidates = [
        name
        for name in unknown
        if not any(
            alias.split(".")[0].lower() in imported for alias in import_map.import_names_for(name)
        )
    ]
    chosen: dict[str, list[str]] = {}
    for module in sorted(unmapped):
        matching = [name for name in candidates if looks_like(module, name)]
        if matching:  # the closest name: fewest extra words
            best = min(matching, key=lambda name: (len(words(name)), name))
            chosen.setdefault(best, []).append(module)
    result = dict(provided)
    for name, modules in chosen.items():
        result[name] = ProvidedImports(
            name,
            tuple(modules),
            mapping.SIMILAR,
            reason=f"assumed: import {', '.join(modules)} looks like its name",
        )
    return result
