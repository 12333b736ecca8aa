"""What the last scan of a repository read from each file, so a rescan parses only what changed.

One JSON file per repository under ``DEBTBOARD_SCAN_CACHE_DIR`` (default ``DATA_DIR/scan-cache``),
named by a hash of the repository's cache key, so no two repositories share one. Each entry
holds a file's evidence (usages and per-file errors) with its size, times, inode and SHA-256: an
unchanged stat is trusted; a changed one (every fresh clone) is checked against the hash, and
only a different hash sends the file to the parser again.

Evidence of one file depends only on its path and bytes and on the parser code, so entries are
valid as long as ``PARSER_FINGERPRINT`` (a version number plus a hash of the evidence code) is
unchanged. A cache that is missing, unreadable, corrupt or from other parser code is ignored
(with a log line); writes go to a temporary file renamed into place; the folder is kept under
``DEBTBOARD_SCAN_CACHE_MB`` by dropping the least recently written caches.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from scanning.evidence.sources import MAX_NOTEBOOK_BYTES
from scanning.types import FileError, Usage

logger = logging.getLogger(__name__)

# Bump when what a file's entry means changes (the evidence code is also hashed, below).
CACHE_VERSION = 1
_DEFAULT_MB = 256
_PARSER_FILES = ("types.py", "evidence")

Stat = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
Evidence = tuple[list[Usage], list[FileError]]


@functools.cache
def parser_fingerprint() -> str:
    """Version number plus a hash of the code that turns a file into evidence."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(str(CACHE_VERSION).encode())
    for name in _PARSER_FILES:
        target = package / name
        for source in sorted(target.rglob("*.py")) if target.is_dir() else [target]:
            digest.update(source.relative_to(package).as_posix().encode())
            digest.update(source.read_bytes())
    return f"{CACHE_VERSION}-{digest.hexdigest()[:16]}"


def cache_dir() -> Path | None:
    """Where caches live; None (no caching) when neither setting names a folder."""
    configured = getattr(settings, "DEBTBOARD_SCAN_CACHE_DIR", None)
    if configured:
        return Path(configured)
    data_dir = getattr(settings, "DATA_DIR", None)
    return Path(data_dir) / "scan-cache" if data_dir else None


def file_stat(root: Path, path: str) -> Stat | None:
    """(size, mtime, ctime, inode) of a regular file, never following a link; None otherwise."""
    try:
        info = os.lstat(os.path.join(root, path))
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_NOTEBOOK_BYTES:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def file_hash(root: Path, path: str) -> str | None:
    """SHA-256 of the file's bytes (read without following a link); None when unreadable."""
    try:
        descriptor = os.open(os.path.join(root, path), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        with os.fdopen(descriptor, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


@dataclass
class ScanCache:
    """The entries of one repository's cache, loaded, consulted and written back by one scan."""

    location: Path
    key_hash: str
    entries: dict[str, list[Any]] = field(default_factory=dict)
    fresh: dict[str, list[Any]] = field(default_factory=dict)
    changed: bool = False  # anything to write back beyond the entries loaded

    def lookup(self, root: Path, path: str) -> tuple[Evidence | None, Stat | None, str | None]:
        """(cached evidence or None, the file's stat, its hash when it had to be computed)."""
        current = file_stat(root, path)
        entry = self.entries.get(path)
        if current is None or entry is None:
            return None, current, None
        if entry[0] == list(current):
            digest = entry[1]
        else:
            digest = file_hash(root, path)
            if digest is None or digest != entry[1]:
                return None, current, digest
            entry = [list(current), digest, entry[2], entry[3]]
            self.changed = True
        try:
            found = _evidence(path, entry)
        except (TypeError, ValueError) as exc:  # valid JSON, but not what we wrote
            logger.warning(
                "scan cache entry ignored cache=%s path=%s error=%s", self.location, path, exc
            )
            return None, current, None
        self.fresh[path] = entry
        return found, current, digest

    def store(
        self, root: Path, path: str, found: Evidence, current: Stat | None, digest: str | None
    ) -> None:
        """Remember ``found`` for ``path`` as of ``current``/``digest`` (taken before parsing)."""
        if current is None:
            return
        digest = digest or file_hash(root, path)
        if digest is None:
            return
        usages, errors = found
        self.changed = True
        self.fresh[path] = [
            list(current),
            digest,
            [_usage_row(path, u) for u in usages],
            [[e.path if e.path != path else None, e.message, e.line] for e in errors],
        ]

    def save(self) -> None:
        """Write the entries of this scan (files gone since are dropped) atomically."""
        if not self.changed and self.fresh.keys() == self.entries.keys():
            return
        document = {
            "parser": parser_fingerprint(),
            "key": self.key_hash,
            "files": self.fresh,
        }
        try:
            self.location.parent.mkdir(parents=True, exist_ok=True)
            data = json.dumps(document, separators=(",", ":")).encode()
            limit = _limit_bytes()
            if len(data) > limit:
                logger.info(
                    "scan cache not written: too large cache=%s bytes=%s", self.location, len(data)
                )
                return
            handle, temporary = tempfile.mkstemp(dir=self.location.parent, suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as output:
                    output.write(data)
                os.replace(temporary, self.location)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            _prune(self.location.parent, limit, keep=self.location)
        except OSError as exc:
            logger.warning("scan cache not written cache=%s error=%s", self.location, exc)


def open_cache(key: object) -> ScanCache | None:
    """The cache of the repository ``key`` names; None when caching is off."""
    folder = cache_dir()
    if folder is None or not getattr(settings, "DEBTBOARD_SCAN_CACHE", True):
        return None
    key_hash = hashlib.sha256(f"debtboard-scan-cache:{key}".encode()).hexdigest()
    cache = ScanCache(folder / f"{key_hash[:32]}.json", key_hash)
    cache.entries = _load(cache.location, key_hash)
    return cache


def _load(location: Path, key_hash: str) -> dict[str, list[Any]]:
    try:
        document = json.loads(location.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        logger.warning("scan cache ignored: unreadable cache=%s error=%s", location, exc)
        return {}
    if not isinstance(document, dict) or document.get("key") != key_hash:
        logger.warning("scan cache ignored: not this repository's cache=%s", location)
        return {}
    if document.get("parser") != parser_fingerprint():
        logger.info("scan cache ignored: written by other parser code cache=%s", location)
        return {}
    files = document.get("files")
    if not isinstance(files, dict) or not all(_valid(entry) for entry in files.values()):
        logger.warning("scan cache ignored: malformed cache=%s", location)
        return {}
    return files


def _valid(entry: object) -> bool:
    """The entry's shape; its rows are checked when they are read (``ScanCache.lookup``)."""
    return (
        type(entry) is list
        and len(entry) == 4
        and type(entry[0]) is list
        and type(entry[1]) is str
        and type(entry[2]) is list
        and type(entry[3]) is list
    )


def _usage_row(path: str, usage: Usage) -> list[Any]:
    return [
        usage.name,
        None if usage.path == path else usage.path,
        usage.line,
        usage.kind,
        usage.mode,
        usage.optional,
        usage.is_distribution,
        usage.detail,
    ]


def _evidence(path: str, entry: list[Any]) -> Evidence:
    """Usages and errors of one entry; TypeError or ValueError when a row is malformed."""
    usages = [
        Usage(name, where or path, line, kind, mode, optional, is_distribution, detail)
        for name, where, line, kind, mode, optional, is_distribution, detail in entry[2]
    ]
    errors = [FileError(where or path, message, line) for where, message, line in entry[3]]
    return usages, errors


def _limit_bytes() -> int:
    return int(float(getattr(settings, "DEBTBOARD_SCAN_CACHE_MB", _DEFAULT_MB)) * 1024 * 1024)


def _prune(folder: Path, limit: int, *, keep: Path) -> None:
    """Delete the least recently written caches until the folder is under ``limit`` bytes."""
    caches = []
    for candidate in folder.glob("*.json"):
        try:
            info = candidate.stat()
        except OSError:
            continue
        caches.append((info.st_mtime_ns, info.st_size, candidate))
    total = sum(size for _, size, _ in caches)
    for _, size, candidate in sorted(caches):
        if total <= limit:
            break
        if candidate != keep:
            candidate.unlink(missing_ok=True)
            total -= size
