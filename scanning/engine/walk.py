"""List the files of a checkout that a scan reads: inside the repository only."""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from scanning.evidence.sources import MAX_NOTEBOOK_BYTES
from scanning.git import runner as gitrunner
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


@dataclass
class Listing:
    """What one walk of a checkout found, with each listed file's ``lstat`` (taken before any
    of it is read, so a later change to the file shows in a later stat)."""

    paths: list[str] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    stats: dict[str, os.stat_result] = field(default_factory=dict)


logger = logging.getLogger(__name__)


def list_files(
    root: Path, *, max_files: int = MAX_FILES, max_bytes: int = MAX_TOTAL_BYTES
) -> tuple[list[str], list[FileError]]:
    """Repository-relative POSIX paths of regular files below ``root``, directory by directory.

    Symbolic links are never followed (neither to directories nor to files), so a link that
    points outside the checkout cannot make the scan read the server's disk; pipes, sockets and
    devices are skipped (opening a pipe would block). Past ``max_files`` files or ``max_bytes``
    of readable files the walk stops with one "skipped" error naming the first file left out.
    """
    listing = walk_files(root, max_files=max_files, max_bytes=max_bytes)
    return listing.paths, listing.errors


def walk_files(
    root: Path,
    *,
    max_files: int = MAX_FILES,
    max_bytes: int = MAX_TOTAL_BYTES,
    tracked: set[str] | None = None,
) -> Listing:
    """``list_files`` with the stat of every listed file (one ``lstat`` each, as the walk needs).

    ``tracked`` (a git work tree's files, ``walk.tracked_files``), when given, is what
    may be listed: ignored files are other people's code or generated output. The walk
    still decides what is a regular file inside the checkout.

    Paths are built as strings from the directory entries: no ``Path`` per file, since a
    rescan of an unchanged repository spends most of its time here.
    """
    listing = Listing()
    folders = None if tracked is None else _folders_of(tracked)
    paths, errors, stats = listing.paths, listing.errors, listing.stats
    total = 0
    pending = [(str(root.resolve()), "")]  # (directory, its repository-relative path + "/")
    while pending:
        directory, prefix = pending.pop()
        subdirs: list[tuple[str, str]] = []
        for entry in _entries(directory, prefix, errors):
            relative = prefix + entry.name
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                errors.append(FileError(relative, "skipped: unreadable"))
                continue
            mode = info.st_mode
            if stat.S_ISREG(mode):
                if tracked is not None and relative not in tracked:
                    continue
                if len(paths) >= max_files:
                    message = f"skipped: more than {max_files} files; this and later files not read"
                    errors.append(FileError(relative, message))
                    return listing
                size = info.st_size if info.st_size <= READABLE_BYTES else 0
                if total + size > max_bytes:
                    limit = f"{max_bytes // (1024 * 1024)} MB"
                    message = f"skipped: more than {limit} of files; this and later files not read"
                    errors.append(FileError(relative, message))
                    return listing
                total += size
                paths.append(relative)
                stats[relative] = info
            elif stat.S_ISDIR(mode):
                skipped = entry.name in SKIP_DIRS or entry.name.endswith(".egg-info")
                if not skipped and (folders is None or relative in folders):
                    subdirs.append((entry.path, relative + "/"))
            elif tracked is not None and relative not in tracked:
                continue  # an ignored link or special file is not the repository's either
            elif stat.S_ISLNK(mode):
                errors.append(FileError(relative, "skipped: symbolic link"))
            else:
                kind = _SPECIAL.get(stat.S_IFMT(mode), "special file")
                errors.append(FileError(relative, f"skipped: {kind}, not a regular file"))
        pending.extend(reversed(subdirs))
    return listing


def _folders_of(paths: set[str]) -> set[str]:
    folders = set()
    for path in paths:
        parts = path.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            folders.add("/".join(parts[:depth]))
    return folders


def _entries(directory: str, prefix: str, errors: list[FileError]) -> list[os.DirEntry[str]]:
    """Entries of ``directory``, files before directories, each group sorted by name."""
    try:
        with os.scandir(directory) as scan:
            entries = list(scan)
    except OSError:
        errors.append(FileError(prefix.removesuffix("/") or ".", "skipped: unreadable"))
        return []
    return sorted(entries, key=lambda e: (e.is_dir(follow_symlinks=False), e.name))


def tracked_files(root: Path, *, timeout: float = 60) -> set[str] | None:
    """The files of the git work tree at ``root`` as git sees them, relative to ``root``:
    tracked ones and untracked ones that ``.gitignore`` does not exclude (so virtualenvs,
    ``.run/`` and build output are left out). None when ``root`` is no work tree or git
    cannot tell; the caller then walks the folder as it is.

    A local read through the hardened runner (no transport). Names come back as the file
    system spells them (``os.fsdecode``), so a name that is not UTF-8 matches the walk's.
    """
    if not (root / ".git").exists():
        return None
    args = ["-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    try:
        result = gitrunner.run_git(args, timeout=timeout)
    except gitrunner.GitFailed as exc:
        logger.info("git listing not used path=%s reason=%s", root, exc)
        return None
    return {os.fsdecode(name) for name in result.stdout.split(b"\0") if name}
