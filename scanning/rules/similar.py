"""Declared packages nobody knows the import names of, matched to unmapped imports by name.

Without installed metadata, a curated entry or the package index, ``sorl-thumbnail`` and
``import sorl`` would be reported unused *and* missing at once. When every word of the import
is a word of one declared package's name (``strawberry_django`` in
``strawberry-graphql-django``, ``timezone_field`` in ``django-timezone-field``), when it spells
consecutive words of the name (``adminsortable2``, ``rest_framework_csv`` of
``djangorestframework-csv``, ``vcr`` of ``vcrpy``, ``djclick`` of ``django-click``) or is the
start or end of one of its words (``captcha`` of ``django-recaptcha``), that package is assumed
to provide it, the closest resemblance first. The assumption is recorded as the package's
facts (source "similar"), so findings and reports say so; it never applies to a package whose
names are known.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from scanning.distributions import mapping
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


# Affixes of a name's word that its import leaves out (``vcrpy`` installs ``vcr``, ``pyjwt``
# ``jwt``) and the short form Django packages' imports use (``django-click``: ``djclick``).
_PREFIXES = ("python", "py", "django")  # djangorestframework-csv installs rest_framework_csv
_SUFFIXES = ("python", "py")
_SHORT = {"django": "dj", "python": "py"}
_MIN_PART = 5  # an import that is only part of one word of the name: at least this long


def _distinctive(word: str) -> bool:
    return word not in _GENERIC and len(word) >= _MIN_WORD


def _variants(word: str) -> set[str]:
    """How one word of a distribution's name may appear in its import's name."""
    found = {word}
    if word in _SHORT:
        found.add(_SHORT[word])
    for affix in _PREFIXES:
        if word.startswith(affix) and len(word) - len(affix) >= _MIN_WORD:
            found.add(word.removeprefix(affix))
    for affix in _SUFFIXES:
        if word.endswith(affix) and len(word) - len(affix) >= _MIN_WORD:
            found.add(word.removesuffix(affix))
    return found


def _spells_a_span(joined: str, name_words: list[str]) -> bool:
    """``joined`` is a run of consecutive words of the name, written together
    (``adminsortable2`` in ``django-admin-sortable2``, ``djclick`` in ``django-click``), one of
    them distinctive."""
    for start in range(len(name_words)):
        spelled = {("", False)}
        for word in name_words[start:]:
            spelled = {
                (text + variant, distinct or _distinctive(variant))
                for text, distinct in spelled
                for variant in _variants(word)
                if joined.startswith(text + variant)
            }
            if (joined, True) in spelled:
                return True
            if not spelled:
                break
    return False


def similarity(module: str, distribution: str) -> int:
    """How closely an import's name resembles a distribution's: 3 when every word of it is a
    word of the name, 2 when it spells consecutive words of the name, 1 when it is the start or
    end of one distinctive word (``captcha`` of ``django-recaptcha``), 0 when not at all."""
    module_words, name_words = words(module), words(distribution)
    if not module_words:
        return 0
    if set(module_words) <= set(name_words) and any(_distinctive(w) for w in module_words):
        return 3
    joined = "".join(module_words)
    if _spells_a_span(joined, name_words):
        return 2
    if len(joined) >= _MIN_PART and any(
        _distinctive(w) and len(w) > len(joined) and (w.startswith(joined) or w.endswith(joined))
        for w in name_words
    ):
        return 1
    return 0


def looks_like(module: str, distribution: str) -> bool:
    """``module`` resembles ``distribution``'s name closely enough to assume it provides it."""
    return similarity(module, distribution) > 0


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
        if matching:  # the closest name: most alike, then fewest extra words
            best = min(
                matching, key=lambda name: (-similarity(module, name), len(words(name)), name)
            )
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
