"""Evidence that a repository uses a package: pure functions over a checkout's files.

``collect_usages`` reads every file it understands once and never raises on bad input: each
problem becomes a ``FileError`` and the scan goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from scanning.evidence.first_party import first_party_modules, foreign_prefixes, is_foreign
from scanning.evidence.modes import mode_for
from scanning.evidence.pyfiles import python_usages
from scanning.evidence.sources import decode_python, read_bytes
from scanning.types import FileError, Usage

__all__ = ["collect_usages", "first_party_modules", "mode_for"]

Extracted = tuple[list[Usage], list[FileError]]


def collect_usages(root: Path, paths: Sequence[str]) -> tuple[list[Usage], list[FileError]]:
    """Every usage found under ``root`` in the repository-relative POSIX ``paths``."""
    venvs = foreign_prefixes(paths)
    usages: list[Usage] = []
    errors: list[FileError] = []
    for path in paths:
        extractor = _extractor_for(path)
        if extractor is None or is_foreign(path, venvs):
            continue
        try:
            found, problems = extractor(root, path)
        except Exception as exc:  # last line of defence: one bad file never stops a scan
            found, problems = [], [FileError(path, f"internal error: {type(exc).__name__}")]
        usages.extend(dict.fromkeys(found))
        errors.extend(problems)
    return usages, errors


def _extractor_for(path: str) -> Callable[[Path, str], Extracted] | None:
    if path.endswith((".py", ".pyw")):
        return _python_file
    return None


def _python_file(root: Path, path: str) -> Extracted:
    data = read_bytes(root, path)
    if isinstance(data, FileError):
        return [], [data]
    source, problem = decode_python(data, path)
    usages, errors = python_usages(source, path, mode_for(path, source))
    return usages, ([problem] if problem else []) + errors
