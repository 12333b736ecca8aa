"""pip requirements and constraints files, with their ``-r``/``-c`` includes.

We split lines ourselves because pip's own parser is not a public API (and
pip-requirements-parser is a vendored copy of pip internals); each requirement string is then
parsed by ``packaging``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from scanning.manifests import common
from scanning.manifests.purpose import purpose_for_path
from scanning.types import FileError, ManifestFile

REQUIREMENTS = "requirements"
CONSTRAINTS = "constraints"
MAX_INCLUDE_DEPTH = 10

_OPTION_START = re.compile(r"\s--?[A-Za-z]")

_INCLUDE_OPTIONS = {
    "-r": REQUIREMENTS,
    "--requirement": REQUIREMENTS,
    "-c": CONSTRAINTS,
    "--constraint": CONSTRAINTS,
}
_EDITABLE_OPTIONS = frozenset({"-e", "--editable"})
# Options that change where or how pip installs, not what: nothing to record (index URLs may
# carry credentials, so they are not stored at all).
_IGNORED_OPTIONS = frozenset(
    {
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "--no-index",
        "--trusted-host",
        "--pre",
        "--prefer-binary",
        "--require-hashes",
        "--no-binary",
        "--only-binary",
        "--use-feature",
        "--hash",
        "--config-settings",
        "--global-option",
    }
)


class IncludeError(Exception):
    """An include that cannot be followed; the message is safe to show."""


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield ``(first line number, text)`` with continuations joined and comments removed."""
    pending: list[str] = []
    start = 0
    for number, physical in enumerate(text.split("\n"), start=1):
        physical = physical.rstrip("\r")
        if not pending:
            start = number
        if physical.endswith("\\") and not physical.lstrip().startswith("#"):
            pending.append(physical[:-1])
            continue
        pending.append(physical)
        line = common.strip_comment(" ".join(pending))
        pending = []
        if line:
            yield start, line
    if pending:
        line = common.strip_comment(" ".join(pending))
        if line:
            yield start, line


def split_option(line: str) -> tuple[str, str]:
    """``-r x``, ``-rx``, ``--requirement=x`` and ``--requirement x`` → option, value."""
    if line.startswith("--"):
        head, *rest = line.split(None, 1)
        option, equals, value = head.partition("=")
        return option, " ".join([value, *rest] if equals else rest).strip()
    return line[:2], line[2:].strip()


class RequirementsReader:
    """Reads requirements files into ``found`` (path → ManifestFile), each file once.

    A file is registered before its includes are followed, so include cycles stop there.
    """

    def __init__(self, root: Path, found: dict[str, ManifestFile]) -> None:
        self.root = root.resolve()
        self.found = found
        # Every include looked up: (folder, target) -> (repository path, "") or ("", error).
        # What a parse read depends on these answers too, so the scan cache checks them again.
        self.resolved: dict[tuple[str, str], tuple[str, str]] = {}

    def read(self, path: str, kind: str = REQUIREMENTS, depth: int = 0) -> ManifestFile:
        if path in self.found:
            return self.found[path]
        source = common.load(self.root, path)
        if isinstance(source, ManifestFile):
            source.kind, source.purpose = kind, purpose_for_path(path)
            self.found[path] = source
            return source
        manifest = source.manifest(kind, purpose_for_path(path))
        self.found[path] = manifest
        for number, line in logical_lines(source.text):
            self._read_line(manifest, number, line, depth)
        return manifest

    def resolve(self, base_dir: str, target: str) -> str:
        """Repository-relative path of ``target`` written in a file under ``base_dir``."""
        try:
            path = self._resolve(base_dir, target)
        except IncludeError as exc:
            self.resolved[base_dir, target] = ("", str(exc))
            raise
        self.resolved[base_dir, target] = (path, "")
        return path

    def _resolve(self, base_dir: str, target: str) -> str:
        shown = common.redact(target)[:200]
        if "://" in target:
            raise IncludeError(f"remote include not followed: {shown}")
        if not target or "\x00" in target:
            raise IncludeError(f"invalid include: {shown!r}")
        try:
            resolved = (self.root / base_dir / target).resolve()
            is_file = resolved.is_file()
        except (OSError, RuntimeError, ValueError):
            raise IncludeError(f"include cannot be read: {shown}") from None
        if not resolved.is_relative_to(self.root):
            raise IncludeError(f"include outside the repository: {shown}")
        relative = resolved.relative_to(self.root)
        if relative.parts[:1] == (".git",):
            raise IncludeError(f"include outside the repository: {shown}")
        if not is_file:
            raise IncludeError(f"included file not found: {shown}")
        return relative.as_posix()

    def include(self, including: str, target: str, kind: str, depth: int) -> None:
        """Follow an include from ``including``; raises IncludeError."""
        if depth >= MAX_INCLUDE_DEPTH:
            raise IncludeError(f"include depth limit ({MAX_INCLUDE_DEPTH}) reached at {target}")
        path = self.resolve(str(PurePosixPath(including).parent), target)
        self.read(path, kind, depth + 1)

    def _read_line(self, manifest: ManifestFile, number: int, line: str, depth: int) -> None:
        if line.startswith("-"):
            self._read_option(manifest, number, line, depth)
            return
        match = _OPTION_START.search(line)
        requirement = line[: match.start()] if match else line
        result = common.declaration(
            requirement, path=manifest.path, line=number, purpose=manifest.purpose
        )
        common.add_result(manifest, result)

    def _read_option(self, manifest: ManifestFile, number: int, line: str, depth: int) -> None:
        option, value = split_option(line)
        if option in _INCLUDE_OPTIONS:
            try:
                self.include(manifest.path, value, _INCLUDE_OPTIONS[option], depth)
            except IncludeError as exc:
                manifest.errors.append(FileError(manifest.path, str(exc), number))
        elif option in _EDITABLE_OPTIONS:
            match = _OPTION_START.search(value)
            target = value[: match.start()] if match else value
            result = common.declaration(
                target, path=manifest.path, line=number, purpose=manifest.purpose, editable=True
            )
            common.add_result(manifest, result)
        elif option not in _IGNORED_OPTIONS:
            message = f"unsupported option {common.redact(option)[:50]}"
            manifest.errors.append(FileError(manifest.path, message, number))
