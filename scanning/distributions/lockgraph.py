"""What each locked package requires, read from the repository's lock files.

``uv.lock``, ``poetry.lock`` and ``pylock.toml`` record, per package, the packages it depends
on (and, for uv and Poetry, which of them only its extras bring); pip-compile writes the same
as ``# via`` notes. That is the repository's own answer to "who pulls in X?", better than any
index for the versions it locks. The lock parsers keep it as each locked declaration's ``via``;
``facts_from_locks`` turns it back into ``requires`` for the rules. Malformed entries give
nothing, never an error (the manifest parser already reports the file).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from packaging.utils import canonicalize_name

from scanning.distributions.facts import LOCK, DistributionFacts
from scanning.types import Declaration

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_EXTRA_MARKER = re.compile(r"""extra\s*==\s*["']([A-Za-z0-9._-]+)["']""")
# A ``via`` note naming the extra of the parent that brings the package in: ``lxml[cssselect]``.
_PARENT_EXTRA = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\[([A-Za-z0-9._-]+)\]$")


def requires_in_lock(filename: str, data: dict) -> dict[str, DistributionFacts]:
    """Package → its facts (version, requires, extras) as a parsed lock records them.

    ``filename`` tells the dialect: ``poetry.lock``, else uv's or PEP 751's shape.
    """
    packages = data.get("package") if "package" in data else data.get("packages")
    if not isinstance(packages, list):
        return {}
    read = _poetry if filename == "poetry.lock" else _uv_or_pylock
    found: dict[str, DistributionFacts] = {}
    for package in packages:
        if not isinstance(package, dict) or not _valid(package.get("name")):
            continue
        canonical = canonicalize_name(str(package["name"]))
        requires, extras = read(package)
        version = package.get("version")
        found[canonical] = DistributionFacts(
            name=canonical,
            version=version if isinstance(version, str) else "",
            requires=tuple(requires),
            requires_source=LOCK,
            extras=tuple(extras),
        )
    return found


def parents_in_lock(filename: str, data: dict) -> dict[str, tuple[str, ...]]:
    """Package → the locked packages that require it (what pip-compile calls ``# via``).

    A parent that requires it only through one of its extras is noted with that extra,
    ``lxml[cssselect]``: lxml alone does not install cssselect, and the rules must know it.
    """
    parents: dict[str, set[str]] = {}
    for name, facts in requires_in_lock(filename, data).items():
        for text in facts.requires:
            requirement, _, marker = text.partition(";")
            child = requirement.split("[", 1)[0].strip()
            if _valid(child):
                extra = _EXTRA_MARKER.search(marker)
                note = f"{name}[{extra.group(1)}]" if extra else name
                parents.setdefault(canonicalize_name(child), set()).add(note)
    return {child: tuple(sorted(names)) for child, names in parents.items()}


def facts_from_locks(declarations: Iterable[Declaration]) -> dict[str, DistributionFacts]:
    """What each package requires, rebuilt from the ``via`` notes of locked declarations
    (lock files and compiled requirements): the repository's own record of who pulls in what."""
    requires: dict[str, set[str]] = {}
    extras: dict[str, set[str]] = {}
    origin: dict[str, str] = {}
    for declaration in declarations:
        for note in declaration.via:
            parent, extra = note.strip(), ""
            if match := _PARENT_EXTRA.match(parent):
                parent, extra = match.group(1), canonicalize_name(match.group(2))
            if _valid(parent) and " " not in parent:
                parent = canonicalize_name(parent)
                child = _requirement(declaration.name, (), extra)
                requires.setdefault(parent, set()).add(child)
                if extra:
                    extras.setdefault(parent, set()).add(extra)
                origin.setdefault(parent, declaration.path)
    return {
        parent: DistributionFacts(
            parent,
            requires=tuple(sorted(children)),
            requires_source=LOCK,
            extras=tuple(sorted(extras.get(parent, ()))),
            origin=origin[parent],
        )
        for parent, children in requires.items()
    }


def with_lock_requires(
    provided: dict[str, DistributionFacts], locked: dict[str, DistributionFacts]
) -> dict[str, DistributionFacts]:
    """``provided`` with the lock's requires where the package's own metadata gave none."""
    merged = dict(provided)
    for name, lock in locked.items():
        fact = merged.get(name)
        if fact is None:
            merged[name] = lock
        elif not fact.requires:
            merged[name] = dataclasses.replace(
                fact,
                requires=lock.requires,
                requires_source=LOCK,
                extras=fact.extras or lock.extras,
                origin=lock.origin,
            )
    return merged


def _valid(name: object) -> bool:
    return isinstance(name, str) and bool(_NAME.match(name))


def _names(entries: object) -> Iterable[tuple[str, tuple[str, ...]]]:
    if not isinstance(entries, list):
        return
    for entry in entries:
        if isinstance(entry, dict) and _valid(entry.get("name")):
            extras = entry.get("extra") or ()
            extras = tuple(e for e in extras if isinstance(e, str) and _valid(e))
            yield str(entry["name"]), extras


def _requirement(name: str, extras: tuple[str, ...], extra: str = "") -> str:
    text = f"{name}[{','.join(extras)}]" if extras else name
    return f'{text}; extra == "{extra}"' if extra else text


def _uv_or_pylock(package: dict) -> tuple[list[str], list[str]]:
    requires = [_requirement(n, e) for n, e in _names(package.get("dependencies"))]
    extras = []
    optional = package.get("optional-dependencies")
    if isinstance(optional, dict):
        for extra, entries in optional.items():
            if not _valid(extra):
                continue
            extras.append(extra)
            requires += [_requirement(n, e, extra) for n, e in _names(entries)]
    return requires, extras


def _poetry(package: dict) -> tuple[list[str], list[str]]:
    dependencies = package.get("dependencies")
    optional_names: set[str] = set()
    requires = []
    if isinstance(dependencies, dict):
        for name, spec in dependencies.items():
            if not _valid(name):
                continue
            if isinstance(spec, dict) and spec.get("optional") is True:
                optional_names.add(canonicalize_name(name))
                continue
            extras = spec.get("extras") if isinstance(spec, dict) else ()
            extras = tuple(e for e in extras or () if isinstance(e, str) and _valid(e))
            requires.append(_requirement(name, extras))
    extras_found = []
    poetry_extras = package.get("extras")
    if isinstance(poetry_extras, dict):
        for extra, entries in poetry_extras.items():
            if not _valid(extra) or not isinstance(entries, list):
                continue
            extras_found.append(extra)
            for entry in entries:
                if not isinstance(entry, str):
                    continue
                words = entry.replace("(", " ").replace("[", " ").split()
                if words and _valid(words[0]):
                    requires.append(_requirement(words[0], (), extra))
    return requires, extras_found
