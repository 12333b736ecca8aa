"""Find the manifests of a checkout and parse them into ManifestFile records.

``parse_manifests`` never raises on file content: every problem becomes a FileError on the
ManifestFile it belongs to, and a parser bug costs one file, not the scan.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath

from scanning.manifests import (
    ci,
    commands,
    common,
    conda,
    locks,
    notebooks,
    pipfile,
    pixi,
    pyproject,
    requirements,
    setupcfg,
    setuppy,
)
from scanning.manifests.fixtures import is_test_fixture
from scanning.manifests.purpose import purpose_for_path
from scanning.types import DEV, FileError, ManifestFile

__all__ = ["manifest_kind", "parse_manifests"]

logger = logging.getLogger(__name__)

MAX_ERRORS_PER_FILE = 100

# Commands in CI, tox, nox and Makefiles install tools for developers, not the deployed app.
_DEV_KINDS = frozenset({ci.KIND, commands.TOX, commands.NOX, commands.MAKEFILE})

# Folders holding other projects' code (virtualenvs, vendored trees), not this repository's.
_SKIPPED_FOLDERS = frozenset(
    {".git", ".venv", "venv", "node_modules", "site-packages", ".tox", ".nox", "__pycache__"}
)
_REQUIREMENTS_NAME = re.compile(r"(?:^|.*[-_.])requirements(?:[-_.].*)?\.(?:txt|in)$")
_LOCKED_REQUIREMENTS_NAME = re.compile(r"(?:^|.*[-_.])requirements(?:[-_.].*)?\.lock$")
_CONDA_NAME = re.compile(r"(?:^|.*[-_.])environment(?:[-_.].*)?\.ya?ml$")
_CONSTRAINTS_NAME = re.compile(r"(?:^|.*[-_.])constraints(?:[-_.].*)?\.txt$")

Parser = Callable[[common.Source, requirements.RequirementsReader], ManifestFile | None]

_PARSERS: dict[str, Parser] = {
    pyproject.PEP621: lambda source, _: pyproject.parse(source),
    setupcfg.KIND: lambda source, _: setupcfg.parse(source),
    setuppy.KIND: lambda source, _: setuppy.parse(source),
    pipfile.KIND: lambda source, _: pipfile.parse(source),
    locks.PIPFILE_LOCK: lambda source, _: locks.parse_pipfile_lock(source),
    locks.POETRY_LOCK: lambda source, _: locks.parse_poetry_lock(source),
    locks.UV_LOCK: lambda source, _: locks.parse_uv_lock(source),
    locks.PYLOCK: lambda source, _: locks.parse_pylock(source),
    commands.DOCKERFILE: commands.parse_dockerfile,
    commands.MAKEFILE: commands.parse_makefile,
    commands.TOX: commands.parse_tox,
    commands.NOX: commands.parse_noxfile,
    ci.KIND: ci.parse,
    conda.KIND: conda.parse,
    pixi.KIND: lambda source, _: pixi.parse(source),
}

_KIND_BY_NAME = {
    "pyproject.toml": pyproject.PEP621,
    "setup.cfg": setupcfg.KIND,
    "setup.py": setuppy.KIND,
    "Pipfile": pipfile.KIND,
    "Pipfile.lock": locks.PIPFILE_LOCK,
    "poetry.lock": locks.POETRY_LOCK,
    "uv.lock": locks.UV_LOCK,
    "pylock.toml": locks.PYLOCK,
    "pixi.toml": pixi.KIND,
    "Dockerfile": commands.DOCKERFILE,
    "Containerfile": commands.DOCKERFILE,
    "Makefile": commands.MAKEFILE,
    "makefile": commands.MAKEFILE,
    "GNUmakefile": commands.MAKEFILE,
    "tox.ini": commands.TOX,
    "noxfile.py": commands.NOX,
    ".gitlab-ci.yml": ci.KIND,
}


def manifest_kind(path: str) -> str:
    """The kind of manifest a repository-relative path is ("" when it is none)."""
    parts = path.split("/")
    if "" in parts or "." in parts:  # not a plain relative path: let pathlib normalise it
        parts = list(PurePosixPath(path).parts)
    if not parts or _SKIPPED_FOLDERS.intersection(parts[:-1]) or is_test_fixture(path):
        return ""
    name = parts[-1]
    lower = name.lower()
    if name in _KIND_BY_NAME:
        return _KIND_BY_NAME[name]
    if _CONSTRAINTS_NAME.match(lower):
        return requirements.CONSTRAINTS
    if (
        _REQUIREMENTS_NAME.match(lower)
        or _LOCKED_REQUIREMENTS_NAME.match(lower)
        or (len(parts) > 1 and parts[-2] == "requirements" and lower.endswith((".txt", ".in")))
    ):
        return requirements.REQUIREMENTS
    if name.startswith(("Dockerfile.", "Containerfile.")) or lower.endswith(".dockerfile"):
        return commands.DOCKERFILE
    if name.startswith("pylock.") and name.endswith(".toml"):
        return locks.PYLOCK
    if _CONDA_NAME.match(lower) and parts[:2] != [".github", "workflows"]:
        return conda.KIND
    if lower.endswith(".ipynb"):
        return notebooks.KIND
    if parts[0] == ".circleci" and lower.endswith((".yml", ".yaml")):
        return ci.KIND
    if parts[:2] == [".github", "workflows"] and lower.endswith((".yml", ".yaml")):
        return ci.KIND
    return ""


def parse_manifests(
    root: Path,
    paths: Sequence[str],
    *,
    includes: dict[tuple[str, str], tuple[str, str]] | None = None,
) -> list[ManifestFile]:
    """One ManifestFile per manifest under ``root``, sorted by path.

    ``paths`` are the repository-relative POSIX paths of the checkout's regular files. Files
    that requirements files include (``-r``/``-c``) or commands install from (``pip install -r``)
    are parsed once, as requirements or constraints, even when named nowhere else.

    Besides ``paths``, the parsers only read the files they return and ask the filesystem
    nothing but where each include leads: ``includes``, when given, receives those answers,
    (folder, target) -> (repository path, "") or ("", why it cannot be followed).
    """
    root = root.resolve()
    found: dict[str, ManifestFile] = {}
    reader = requirements.RequirementsReader(root, found)
    for path in sorted(paths):
        kind = manifest_kind(path)
        if not kind or path in found:
            continue
        try:
            _parse_one(root, path, kind, reader)
        except Exception as exc:  # a parser bug must cost one file, not the scan
            logger.exception("manifest parser failed path=%s kind=%s", path, kind)
            manifest = found.setdefault(path, _empty(path, kind))
            manifest.errors.append(FileError(path, f"parser failed: {type(exc).__name__}"))
    manifests = sorted(found.values(), key=lambda manifest: manifest.path)
    for manifest in manifests:
        _cap_errors(manifest)
    if includes is not None:
        includes.update(reader.resolved)
    return manifests


def _parse_one(root: Path, path: str, kind: str, reader: requirements.RequirementsReader) -> None:
    if kind in (requirements.REQUIREMENTS, requirements.CONSTRAINTS):
        reader.read(path, kind)
        return
    if kind == notebooks.KIND:  # read with the notebooks' own size limit
        notebook = notebooks.parse(root, path, reader)
        if notebook is not None:
            reader.found.setdefault(path, notebook)
        return
    source = common.load(root, path)
    if isinstance(source, ManifestFile):
        source.kind, source.purpose = kind, _purpose(path, kind)
        reader.found[path] = source
        return
    try:
        manifest = _PARSERS[kind](source, reader)
    except RecursionError:
        manifest = source.manifest(kind, _purpose(path, kind))
        manifest.errors.append(FileError(path, "nested too deeply"))
    except common.TooManyEntries:
        manifest = source.manifest(kind, _purpose(path, kind))
        manifest.errors.append(FileError(path, common.TOO_MANY))
    if manifest is not None:
        reader.found.setdefault(path, manifest)


def _empty(path: str, kind: str) -> ManifestFile:
    return ManifestFile(path, kind, _purpose(path, kind), "")


def _purpose(path: str, kind: str) -> str:
    """Purpose of a manifest its parser never saw (unreadable, too large, crashed)."""
    return DEV if kind in _DEV_KINDS else purpose_for_path(path)


def _cap_errors(manifest: ManifestFile) -> None:
    if len(manifest.errors) > MAX_ERRORS_PER_FILE:
        dropped = len(manifest.errors) - MAX_ERRORS_PER_FILE
        del manifest.errors[MAX_ERRORS_PER_FILE:]
        manifest.errors.append(FileError(manifest.path, f"{dropped} more errors not shown"))
