"""Which top-level import names the repository provides itself."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath

_SOURCE_SUFFIXES = (".py", ".pyi", ".pyx", ".pyw")
# Directories that hold other people's code: a committed virtualenv or vendored copies would
# otherwise make `django` or `six` look first-party and hide real dependencies.
_FOREIGN_DIRS = frozenset(
    {
        "site-packages",
        "dist-packages",
        "node_modules",
        ".tox",
        ".nox",
        ".venv",
        "__pycache__",
        ".eggs",
        "_vendor",
        "vendor",
        "vendored",
        "third_party",
    }
)


def foreign_prefixes(paths: Sequence[str]) -> tuple[str, ...]:
    """Directories (with a trailing slash) that are virtualenvs: they hold a ``pyvenv.cfg``."""
    return tuple(
        path.removesuffix("pyvenv.cfg")
        for path in paths
        if path.endswith("/pyvenv.cfg") and path.count("/") >= 1
    )


def is_foreign(path: str, venvs: tuple[str, ...] = ()) -> bool:
    """True for files inside a virtualenv, ``site-packages``, ``node_modules`` or vendored code."""
    if venvs and path.startswith(venvs):
        return True
    parts = path.split("/")[:-1]
    if not _FOREIGN_DIRS.isdisjoint(parts):
        return True
    return ".egg-info" in path and any(part.endswith(".egg-info") for part in parts)


def first_party_modules(paths: Sequence[str]) -> set[str]:
    """Names importable from the repository: every source file stem and every directory holding one.

    Deliberately generous (``scripts/utils.py`` makes ``utils`` and ``scripts`` first-party), so a
    sibling import in a loose script is never mistaken for a third-party dependency.
    """
    venvs = foreign_prefixes(paths)
    names: set[str] = set()
    for path in paths:
        if not path.endswith(_SOURCE_SUFFIXES) or is_foreign(path, venvs):
            continue
        parts = path.split("/")
        if "" in parts or "." in parts:  # not a plain relative path: let pathlib normalise it
            parts = list(PurePosixPath(path).parts)
        stem = parts[-1].split(".", 1)[0]
        candidates = [*parts[:-1], stem]
        names.update(
            c for c in candidates if c.isidentifier() and c not in ("__init__", "__main__")
        )
    return names
