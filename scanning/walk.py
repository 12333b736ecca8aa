"""List the files of a checkout that a scan reads: inside the repository only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from scanning.evidence.sources import MAX_NOTEBOOK_BYTES
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
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
# No reader accepts a file larger than this (notebooks have the highest limit), so bigger
# files are listed but do not spend the byte budget.
READABLE_BYTES = MAX_NOTEBOOK_BYTES

_SPECIAL = {
    stat.S_IFIFO: "named pipe",
    stat.S_IFSOCK: "socket",
    stat.S_IFCHR: "device",
    stat.S_IFBLK: "device",
}


def list_files(
    root: Path, *, max_files: int = MAX_FILES, max_bytes: int = MAX_TOTAL_BYTES
) -> tuple[list[str], list[FileError]]:
    """Repository-relative POSIX paths of regular files below ``root``, directory by directory.

    Symbolic links are never followed (neither to directories nor to files), so a link that
    points outside the checkout cannot make the scan read the server's disk; pipes, sockets and
    devices are skipped (opening a pipe would block). Past ``max_files`` files or ``max_bytes``
    of readable files the walk stops with one "skipped" error naming the first file left out.
    """
    paths: list[str] = []
    errors: list[FileError] = []
    root = root.resolve()
    total = 0
    pending = [root]
    while pending:
        directory = pending.pop()
        subdirs: list[Path] = []
        for entry in _entries(directory, errors, root):
            full = Path(entry.path)
            relative = full.relative_to(root).as_posix()
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                errors.append(FileError(relative, "skipped: unreadable"))
                continue
            if stat.S_ISLNK(info.st_mode):
                errors.append(FileError(relative, "skipped: symbolic link"))
            elif stat.S_ISDIR(info.st_mode):
                if entry.name not in SKIP_DIRS and not entry.name.endswith(".egg-info"):
                    subdirs.append(full)
            elif not stat.S_ISREG(info.st_mode):
                kind = _SPECIAL.get(stat.S_IFMT(info.st_mode), "special file")
                errors.append(FileError(relative, f"skipped: {kind}, not a regular file"))
            elif len(paths) >= max_files:
                message = f"skipped: more than {max_files} files; this and later files not read"
                errors.append(FileError(relative, message))
                return paths, errors
            elif total + _budgeted(info.st_size) > max_bytes:
                limit = f"{max_bytes // (1024 * 1024)} MB"
                message = f"skipped: more than {limit} of files; this and later files not read"
                errors.append(FileError(relative, message))
                return paths, errors
            else:
                total += _budgeted(info.st_size)
                paths.append(relative)
        pending.extend(reversed(subdirs))
    return paths, errors


def _entries(directory: Path, errors: list[FileError], root: Path) -> list[os.DirEntry[str]]:
    """Entries of ``directory``, files before directories, each group sorted by name."""
    try:
        with os.scandir(directory) as scan:
            entries = list(scan)
    except OSError:
        errors.append(FileError(directory.relative_to(root).as_posix(), "skipped: unreadable"))
        return []
    return sorted(entries, key=lambda e: (e.is_dir(follow_symlinks=False), e.name))


def _budgeted(size: int) -> int:
    return size if size <= READABLE_BYTES else 0
