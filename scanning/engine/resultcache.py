"""A whole scan's answer, kept for the next run of the command on the same unchanged inputs.

A rescan of an unchanged checkout spends nearly all of its time starting Python and importing
the scanner, not reading files (``scanning.engine.cache`` already skips those). This module
lets the command skip the scanner too: it keeps the printed report and exit status beside
the ``lstat`` of everything the scan could have read, taken before the scan started:

- every directory and file of the checkout outside the folders the walk never enters (a file
  added or removed changes its directory's times, so new files are seen without listing);
- git's state that the scan asks git about: ``HEAD``, the index, ``packed-refs``,
  ``shallow``, ``config``, ``info/exclude``, the pack folder and every file below ``refs/``;
- every directory and file of the advisory source (a folder), or the archive itself;
- the scanner's own source files and the folders the interpreter imports packages from
  (installed distributions' metadata is read from them);
- and, in the key, the interpreter, the flags and every ``DEBTBOARD_*`` variable.

The answer is given back only when every recorded stat is still the same (mode, size, mtime,
ctime, inode). As in ``scanning.engine.cache``, a file changed within ``RACY_NS`` of the scan's
start could change again within the same clock tick without its stat changing, so no answer
is kept at all while any recorded input is that recent. Imports only the standard library:
the path that answers from here must not pay for the scanner's imports.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

FORMAT = 1
RACY_NS = 3 * 1_000_000_000
MAX_ENTRIES = 256  # kept answers (one per checkout and flags); the least recent go first
_GIT_FILES = ("HEAD", "index", "packed-refs", "shallow", "config", "info/exclude", "commondir")
_GIT_FOLDERS = ("refs", "objects/pack", "objects/info")
_CODE_SUFFIXES = (".py", ".toml", ".json", ".txt", ".csv", ".yaml", ".yml")

Stat = list[int] | None  # [mode, size, mtime_ns, ctime_ns, inode], None when absent
_ABSENT = [-1, -1, -1, -1, -1]


def _warn(message: str, *args: object) -> None:
    import logging  # only when something is wrong: the answering path stays small

    logging.getLogger(__name__).warning(message, *args)


def _stat(path: str) -> Stat:
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return [info.st_mode, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


def key_of(parts: object) -> str:
    """The cache key for ``parts`` (JSON-able), with this interpreter and format in it: the
    whole text, compared whole (a file name alone is no proof of a match)."""
    return json.dumps([FORMAT, sys.version, sys.executable, parts], sort_keys=True, default=str)


def entry_path(cache_dir: Path, key: str) -> Path:
    digest = zlib.crc32(key.encode()) ^ (zlib.adler32(key.encode()) << 32)
    return cache_dir / "results" / f"{digest:016x}.json"


def lookup(cache_dir: Path, key: str) -> tuple[str, int] | None:
    """The kept (report, exit status) for ``key`` when none of its inputs changed, else None."""
    try:
        document = json.loads(entry_path(cache_dir, key).read_bytes())
        if document["key"] != key:
            return None
        recorded = document["stats"]
        found: list[int] = []
        paths = document["paths"]
        for path in paths.split("\0") if paths else ():
            found += _stat(path) or _ABSENT
        if found != recorded:
            return None
        return str(document["output"]), int(document["status"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        _warn("result cache ignored file=%s error=%s", entry_path(cache_dir, key), exc)
        return None


def snapshot(paths: Iterable[str]) -> list[tuple[str, Stat]]:
    return [(path, _stat(path)) for path in paths]


def store(
    cache_dir: Path,
    key: str,
    inputs: list[tuple[str, Stat]],
    output: str,
    status: int,
    *,
    started_ns: int,
) -> bool:
    """Keep the answer unless an input was touched within ``RACY_NS`` of ``started_ns``.

    ``inputs`` must be taken before the scan read anything, so a change during the scan
    shows as a changed stat next time. Returns whether it was kept.
    """
    import tempfile

    recent = started_ns - RACY_NS
    if any(s is not None and max(s[2], s[3]) >= recent for _, s in inputs):
        return False
    if any("\0" in path for path, _ in inputs):
        return False  # cannot be a file name; nothing is kept rather than something unchecked
    target = entry_path(cache_dir, key)
    document = {
        "key": key,
        "paths": "\0".join(path for path, _ in inputs),
        "stats": [number for _, s in inputs for number in (s or _ABSENT)],
        "output": output,
        "status": status,
    }
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        with os.fdopen(handle, "w") as out:
            json.dump(document, out, separators=(",", ":"))
        os.replace(temporary, target)
    except (OSError, ValueError) as exc:
        _warn("result cache not written file=%s error=%s", target, exc)
        return False
    _prune(target.parent)
    return True


def _prune(folder: Path) -> None:
    """Past ``MAX_ENTRIES`` answers, remove the least recently written."""
    try:
        with os.scandir(folder) as entries:
            kept = [(e.stat().st_mtime_ns, e.path) for e in entries if e.name.endswith(".json")]
    except OSError:
        return
    for _, path in sorted(kept)[: max(0, len(kept) - MAX_ENTRIES)]:
        try:
            os.unlink(path)
        except OSError:
            continue


def _tree(top: str, skip: Callable[[str], bool]) -> Iterator[str]:
    """``top``, and every directory and file below it but those in a folder ``skip`` names."""
    yield top
    pending = [top]
    while pending:
        directory = pending.pop()
        try:
            with os.scandir(directory) as entries:
                found = list(entries)
        except OSError:
            continue  # its stat is recorded: if it becomes readable, its times change
        for entry in found:
            yield entry.path
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir and not skip(entry.name):
                pending.append(entry.path)


def _code_files(top: str) -> Iterator[str]:
    for folder, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            if name.endswith(_CODE_SUFFIXES):
                yield os.path.join(folder, name)


def _never(name: str) -> bool:
    return False


def _hidden(name: str) -> bool:
    return name.startswith(".")  # as the advisory source's own fingerprint skips them


def watched_paths(
    root: Path, *, skip_dirs: frozenset[str], sources: Iterable[Path], code: Path
) -> list[str] | None:
    """Every path whose stat decides whether a kept answer for ``root`` still holds.

    ``skip_dirs`` are the folder names the walk never enters (nor folders ending in
    ``.egg-info``); ``sources`` the advisory folders or archives; ``code`` the scanner's.

    None when the inputs cannot be told by stat: a ``.git`` that is a file (a linked work
    tree or submodule keeps its state elsewhere).
    """
    top = str(root.resolve())
    git = os.path.join(top, ".git")
    skipped = skip_dirs | {".git"}
    paths = list(_tree(top, lambda name: name in skipped or name.endswith(".egg-info")))
    git_stat = _stat(git)
    if git_stat is not None:
        if not stat.S_ISDIR(git_stat[0]):
            return None
        paths += [os.path.join(git, name) for name in _GIT_FILES]
        for folder in _GIT_FOLDERS:
            paths += _tree(os.path.join(git, folder), _never)
    for source in sources:
        location = str(source.resolve())
        paths += _tree(location, _hidden) if os.path.isdir(location) else [location]
    paths += _code_files(str(code))
    paths += [entry for entry in sys.path if entry and os.path.isdir(entry)]
    return paths


def now_ns() -> int:
    return time.time_ns()
