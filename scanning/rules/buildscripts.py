"""Scripts that run while a package is built, in the environment its build frontend makes.

``setup.py`` and a Hatch build hook (``hatch_build.py``) are run by the build backend inside
the isolated environment that ``[build-system] requires`` installs (setuptools when nothing
says): ``from hatchling.builders.hooks.plugin.interface import BuildHookInterface`` needs no
runtime declaration (https://hatch.pypa.io/latest/plugins/build-hook/custom/,
https://pip.pypa.io/en/stable/reference/build-system/pyproject-toml/#fallback-behaviour).
Their imports still show a package in use. A file of that name inside a Python package (its
folder has an ``__init__.py``: ``src/app/core/setup.py``) is a module of the application, never
run by a build.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import PurePosixPath

BUILD_SCRIPTS = frozenset({"setup.py", "hatch_build.py"})


def is_build_script(path: str, paths: Collection[str] = ()) -> bool:
    """Whether ``path`` is a build script, among the repository's ``paths``."""
    posix = PurePosixPath(path)
    if posix.name not in BUILD_SCRIPTS:
        return False
    return str(posix.parent / "__init__.py") not in paths
