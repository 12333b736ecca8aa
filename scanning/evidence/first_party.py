"""Which top-level import names the repository provides itself."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath

_SOURCE_SUFFIXES = (".py", ".pyi", ".pyx", ".pyw")
_CODE_SUFFIXES = (".py", ".pyx", ".pyw")  # what runs; a .pyi only describes
# Where stubs for other packages are kept: mypy's documented mypy_path example and pyright's
# default stubPath (https://mypy.readthedocs.io/en/stable/stubs.html,
# https://microsoft.github.io/pyright/#/configuration?id=main-configuration-options).
_STUB_FOLDERS = frozenset({"stubs", "typings"})
# Files that mark the folder holding them as a project's root (what goes on sys.path).
# alembic runs beside its alembic.ini and puts that folder on sys.path (its templates'
# ``prepend_sys_path = .``), so migrations/env.py imports the application by its own name.
_PROJECT_FILES = frozenset({"pyproject.toml", "setup.py", "setup.cfg", "manage.py", "alembic.ini"})
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


def _unanchored_package(folder: str, packages: set[str], roots: set[str]) -> bool:
    """A top-level package outside every project root (``docs/_ext/__init__.py``): such a
    folder is put on ``sys.path`` itself (Sphinx's local extensions), so its modules import by
    their own names."""
    parent = folder.rpartition("/")[0]
    return parent not in packages and parent not in roots


def _below_package(folder: str, packages: set[str]) -> bool:
    """A folder without ``__init__.py`` inside a package (``config/settings/`` of the package
    ``config``) is a namespace sub-package: its modules are ``config.settings.jwt``, never a
    top-level ``jwt``."""
    parts = folder.split("/")
    return any("/".join(parts[:depth]) in packages for depth in range(1, len(parts)))


def first_party_modules(paths: Sequence[str]) -> set[str]:
    """Names importable from the repository's import roots, and nothing nested below them.

    A name is first-party when it is a package whose folder is not inside another package, a
    folder directly inside a project root (the repository root, a folder holding
    ``pyproject.toml``/``setup.py``/``setup.cfg``/``manage.py``, and ``src/`` in either), or a
    module beside other loose modules (``scripts/utils.py`` makes ``utils`` first-party, so a
    sibling import in a script is never mistaken for a third-party dependency), or a module
    directly inside a package that no project root holds (``docs/_ext/llms_txt.py``). A folder named
    like a distribution inside a package (``shop/integrations/redis/``) is not: ``import redis``
    there still means the distribution.
    """
    venvs = foreign_prefixes(paths)
    # A stubs folder (``stubs/pyarrow/__init__.pyi`` on mypy_path, pyright's ``typings/``)
    # types someone else's package: where it holds no code, nothing there is importable.
    code_folders = {path.rpartition("/")[0] for path in paths if path.endswith(_CODE_SUFFIXES)}
    paths = [
        path
        for path in paths
        if not path.endswith(".pyi")
        or path.rpartition("/")[0] in code_folders
        or not _STUB_FOLDERS.intersection(path.split("/")[:-1])
    ]
    sources: list[list[str]] = []
    packages: set[str] = set()
    roots = {"", "src"}
    explicit_roots: set[str] = set()  # folders holding a project file: on sys.path, package or not
    for path in paths:
        parts = path.split("/")
        if "" in parts or "." in parts:  # not a plain relative path: let pathlib normalise it
            parts = list(PurePosixPath(path).parts)
        folder = "/".join(parts[:-1])
        if parts[-1] in _PROJECT_FILES and not is_foreign(path, venvs):
            roots.update((folder, f"{folder}/src" if folder else "src"))
            explicit_roots.add(folder)
        if not path.endswith(_SOURCE_SUFFIXES) or is_foreign(path, venvs):
            continue
        if parts[-1].split(".", 1)[0] == "__init__" and folder:
            packages.add(folder)
        sources.append(parts)
    names: set[str] = set()
    folders_seen: set[str] = set()
    for parts in sources:
        folder = "/".join(parts[:-1])
        loose = folder not in packages and not _below_package(folder, packages)
        if loose or _unanchored_package(folder, packages, roots):
            names.add(parts[-1].split(".", 1)[0])
        for depth in range(len(parts) - 1, 0, -1):
            here = "/".join(parts[:depth])
            if here in folders_seen:
                break  # its ancestors were looked at with it
            folders_seen.add(here)
            parent = "/".join(parts[: depth - 1])
            package_root = here in packages and parent not in packages
            in_root = parent in roots and (parent not in packages or parent in explicit_roots)
            if package_root or in_root:
                names.add(parts[depth - 1])
    return {name for name in names if name.isidentifier() and name not in ("__init__", "__main__")}
