"""Lock files: ``poetry.lock``, ``uv.lock``, ``pylock.toml`` and ``Pipfile.lock``."""

from __future__ import annotations

import dataclasses
import json
import re
from collections import defaultdict, deque
from collections.abc import Callable

from scanning.distributions import lockgraph
from scanning.manifests import common
from scanning.manifests.purpose import purpose_for_name, purpose_for_path
from scanning.types import DEV, LOCKED, RUNTIME, Declaration, FileError, ManifestFile

POETRY_LOCK = "poetry-lock"
UV_LOCK = "uv-lock"
PYLOCK = "pylock"
PIPFILE_LOCK = "pipfile-lock"

_TOML_NAME = re.compile(r'^name[ \t]*=[ \t]*"([^"\n]*)"', re.MULTILINE)
_JSON_KEY = re.compile(r'^[ \t]*"([^"\n]+)"[ \t]*:[ \t]*\{', re.MULTILINE)
Package = dict[str, object]
PurposeOf = Callable[[Package], str]

_GROUP_IN_MARKER = re.compile(r"""['"]([A-Za-z0-9._-]+)['"] +in +dependency_groups""")


class _Lines:
    """Line of each package entry, in file order, keyed by the name as written."""

    def __init__(self, text: str, pattern: re.Pattern[str]) -> None:
        self._lines: dict[str, deque[int]] = defaultdict(deque)
        line, counted_to = 1, 0
        for match in pattern.finditer(text):
            line += text.count("\n", counted_to, match.start())
            counted_to = match.start()
            self._lines[match.group(1)].append(line)

    def take(self, name: str) -> int:
        lines = self._lines.get(name)
        return lines.popleft() if lines else 0


def _locked(
    path: str, name: object, version: object, line: int, purpose: str, marker: object = ""
) -> Declaration | FileError | None:
    if not isinstance(name, str):
        return FileError(path, "package entry without a name", line)
    canonical = common.canonical_name(name)
    if canonical is None:
        return FileError(path, f"invalid name: {common.redact(name)[:100]}", line)
    if not isinstance(version, str) or not version:
        return None  # a virtual or local package (the project itself)
    return Declaration(
        path=path,
        line=line,
        name=canonical,
        raw=f"{name}=={version}",
        purpose=purpose,
        specifier=f"=={version}",
        marker=marker if isinstance(marker, str) else "",
        pinned_version=version,
        pin_level=LOCKED,
    )


def _locked_vcs(
    path: str, name: str, entry: dict[str, object], line: int, purpose: str
) -> Declaration | FileError | None:
    """A Pipfile.lock entry from git: locked to the commit in ``ref`` (it has no version)."""
    ref = entry.get("ref")
    canonical = common.canonical_name(name)
    if canonical is None:
        return FileError(path, f"invalid name: {common.redact(name)[:100]}", line)
    if not isinstance(ref, str) or not ref:
        return None
    git = str(entry["git"])
    url = common.redact(f"{git if git.startswith('git+') else 'git+' + git}@{ref}")
    return Declaration(
        path=path,
        line=line,
        name=canonical,
        raw=f"{name} @ {url}",
        purpose=purpose,
        pin_level=LOCKED,
        url=url,
    )


def parse_poetry_lock(source: common.Source) -> ManifestFile:
    return _parse_toml_lock(source, POETRY_LOCK, "package", lambda _: _poetry_purpose)


def parse_uv_lock(source: common.Source) -> ManifestFile:
    return _parse_toml_lock(source, UV_LOCK, "package", _uv_purposes)


def parse_pylock(source: common.Source) -> ManifestFile:
    return _parse_toml_lock(source, PYLOCK, "packages", lambda _: _pylock_purpose)


def _parse_toml_lock(
    source: common.Source, kind: str, key: str, purposes: Callable[[list[object]], PurposeOf]
) -> ManifestFile:
    manifest = source.manifest(kind, purpose_for_path(source.path))
    data = common.load_toml(source)
    if isinstance(data, FileError):
        manifest.errors.append(data)
        return manifest
    packages = data.get(key, [])
    if not isinstance(packages, list):
        manifest.errors.append(FileError(source.path, f"[[{key}]] should be an array of tables"))
        return manifest
    lines = _Lines(source.text, _TOML_NAME)
    purpose_of = purposes(packages)
    parents = lockgraph.parents_in_lock(source.path.rsplit("/", 1)[-1], data)
    for package in packages:
        if not isinstance(package, dict):
            continue
        name = package.get("name")
        line = lines.take(name) if isinstance(name, str) else 0
        if kind == UV_LOCK and _is_local_uv_package(package):
            continue
        version, marker = package.get("version"), package.get("marker", "")
        result = _locked(source.path, name, version, line, purpose_of(package), marker)
        if isinstance(result, Declaration) and result.name in parents:
            result = dataclasses.replace(result, via=parents[result.name])
        common.add_result(manifest, result)
    return manifest


def _poetry_purpose(package: Package) -> str:
    groups = package.get("groups")
    if isinstance(groups, list) and groups:
        if "main" in groups:
            return RUNTIME
        return purpose_for_name(str(groups[0]), default=DEV)
    category = package.get("category")
    return DEV if category == "dev" else RUNTIME


def _pylock_purpose(package: Package) -> str:
    marker = package.get("marker")
    if isinstance(marker, str) and "dependency_groups" in marker:
        match = _GROUP_IN_MARKER.search(marker)
        if match:
            return purpose_for_name(match.group(1), default=DEV)
    return RUNTIME


def _is_local_uv_package(package: Package) -> bool:
    source = package.get("source")
    local_kinds = {"editable", "virtual", "path", "directory"}
    return isinstance(source, dict) and bool(local_kinds & source.keys())


def _uv_purposes(packages: list[object]) -> PurposeOf:
    """uv.lock names the project's direct dev groups on the project's own entry; use them."""
    runtime: set[str] = set()
    group_of: dict[str, str] = {}
    for package in packages:
        if not isinstance(package, dict) or not _is_local_uv_package(package):
            continue
        runtime.update(_dependency_names(package.get("dependencies")))
        for group, dependencies in common.table(package, "dev-dependencies").items():
            for name in _dependency_names(dependencies):
                group_of.setdefault(name, purpose_for_name(group, default=DEV))

    def purpose_of(package: Package) -> str:
        name = package.get("name")
        if not isinstance(name, str) or name in runtime:
            return RUNTIME
        return group_of.get(name, RUNTIME)

    return purpose_of


def _dependency_names(dependencies: object) -> list[str]:
    items = dependencies if isinstance(dependencies, list) else []
    return [d["name"] for d in items if isinstance(d, dict) and isinstance(d.get("name"), str)]


def parse_pipfile_lock(source: common.Source) -> ManifestFile:
    manifest = source.manifest(PIPFILE_LOCK, purpose_for_path(source.path))
    try:
        data = json.loads(source.text)
    except (ValueError, RecursionError) as exc:
        manifest.errors.append(FileError(source.path, f"invalid JSON: {type(exc).__name__}"))
        return manifest
    if not isinstance(data, dict):
        manifest.errors.append(FileError(source.path, "invalid Pipfile.lock: not an object"))
        return manifest
    lines = _Lines(source.text, _JSON_KEY)
    for section, packages in data.items():
        if section == "_meta":
            continue
        if not isinstance(packages, dict):
            message = f"[{section[:50]}] should be an object of packages"
            manifest.errors.append(FileError(source.path, message))
            continue
        purpose = {"default": RUNTIME, "develop": DEV}.get(section) or purpose_for_name(section)
        for name, entry in packages.items():
            line = lines.take(name)
            if not isinstance(entry, dict):
                continue
            version = entry.get("version")
            version = version.removeprefix("==") if isinstance(version, str) else None
            if version is None and isinstance(entry.get("git"), str):
                result = _locked_vcs(source.path, name, entry, line, purpose)
            else:
                markers = entry.get("markers", "")
                result = _locked(source.path, name, version, line, purpose, markers)
            common.add_result(manifest, result)
    return manifest
