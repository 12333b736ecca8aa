"""List the files of a checkout that a scan reads: inside the repository only."""

from __future__ import annotations

import os
from pathlib import Path

from scanning.types import FileError

# Directories that hold other people's code or generated output, never the repository's own.
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "__pycache__",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "site-packages",
        "dist",
        "build",
        ".eggs",
    }
)
MAX_FILES = 50_000


def list_files(root: Path, *, max_files: int = MAX_FILES) -> tuple[list[str], list[FileError]]:
    """Repository-relative POSIX paths of regular files below ``root``, sorted.

    Symbolic links are never followed (neither to directories nor to files), so a link that
    points outside the checkout cannot make the scan read the server's disk.
    """
    paths: list[str] = []
    errors: list[FileError] = []
    root = root.resolve()
    for current, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info"))
        base = Path(current)
        for name in sorted(files):
            full = base / name
            relative = full.relative_to(root).as_posix()
            if full.is_symlink():
                errors.append(FileError(relative, "skipped: symbolic link"))
                continue
            if len(paths) >= max_files:
                errors.append(FileError(relative, f"skipped: more than {max_files} files"))
                return paths, errors
            paths.append(relative)
    return paths, errors
