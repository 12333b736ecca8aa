"""Which declarations ask for a package directly, and which only lock what others pull in."""

from __future__ import annotations

import posixpath
import re

from scanning.manifests.requirements import HAND_ADDED
from scanning.types import Declaration

COMPILED = "requirements-compiled"
_SOURCE_NOTE = re.compile(r"\(([^()]+)\)\s*$")  # shop (pyproject.toml)
LOCK_KINDS = frozenset(
    {"poetry-lock", "uv-lock", "pylock", "pipfile-lock", "requirements-compiled"}
)
# Installs that happen at run time, in a CI step or a notebook cell: evidence that the package
# is installed there (a use), never a declaration of the repository's requirements.
INSTALL_KINDS = frozenset({"ci", "notebook"})
# Manifests that pin or constrain but do not ask for a package to be installed for its own sake.
NOT_DIRECT_KINDS = LOCK_KINDS | INSTALL_KINDS | {"constraints"}


def compiled_paths(kinds: dict[str, str]) -> set[str]:
    """``x.txt`` files compiled from an ``x.in`` beside them (pip-compile, uv): lock files.

    Compiled files are also recognised by content (header, ``# via`` notes) when parsed.
    """
    return {
        path
        for path in kinds
        if path.endswith(".txt") and path.removesuffix(".txt") + ".in" in kinds
    }


def lock_paths(kinds: dict[str, str]) -> set[str]:
    """Manifests that list the whole resolved set: lock files and compiled requirements."""
    return {path for path, kind in kinds.items() if kind in LOCK_KINDS} | compiled_paths(kinds)


def is_direct(path: str, kinds: dict[str, str], compiled: set[str]) -> bool:
    return kinds.get(path) not in NOT_DIRECT_KINDS and path not in compiled


def asked_in_compiled(declaration: Declaration, kinds: dict[str, str]) -> bool:
    """Whether a compiled file's entry is the only record that a person asked for it.

    pip-compile notes what asked for each package: ``-r requirements.in`` or
    ``shop (pyproject.toml)`` for a direct requirement, other packages' names for what they
    pull in. When that source is in the repository it declares the package; when it is not
    (only the compiled file was committed), the entry itself is the declaration.
    """
    if declaration.via == (HAND_ADDED,):
        return True
    base = posixpath.dirname(declaration.path)
    sources = []
    for note in declaration.via:
        if note.startswith(("-r ", "--requirement ")):
            sources.append(note.split(None, 1)[1].strip())
        elif match := _SOURCE_NOTE.search(note):
            sources.append(match.group(1))
    present = {bool(source_paths(base, source) & kinds.keys()) for source in sources}
    return bool(sources) and True not in present


def source_paths(base: str, source: str) -> set[str]:
    """Where a ``# via`` note's source may be: pip-compile writes it relative to the folder it
    ran in, usually the root (``-r requirements/base.txt``), or to the compiled file's."""
    return {posixpath.normpath(posixpath.join(folder, source)) for folder in (base, "")}


def direct_declarations(
    declarations: list[Declaration], kinds: dict[str, str]
) -> list[Declaration]:
    """Declarations a person wrote to ask for the package (not lock, compiled or constraints)."""
    compiled = compiled_paths(kinds)
    return [
        d
        for d in declarations
        if is_direct(d.path, kinds, compiled)
        or (kinds.get(d.path) == COMPILED and asked_in_compiled(d, kinds))
    ]


def locked_declarations(
    declarations: list[Declaration], kinds: dict[str, str]
) -> list[Declaration]:
    locks = lock_paths(kinds)
    return [d for d in declarations if d.path in locks]


def run_time_installs(declarations: list[Declaration], kinds: dict[str, str]) -> list[Declaration]:
    """What CI steps and notebook cells install: evidence of use, not declarations."""
    return [d for d in declarations if kinds.get(d.path) in INSTALL_KINDS]


def asked_for(declarations: list[Declaration], kinds: dict[str, str]) -> list[Declaration]:
    """Every name a person wrote to get installed: declarations and run-time installs."""
    return direct_declarations(declarations, kinds) + run_time_installs(declarations, kinds)
