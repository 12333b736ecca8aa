"""What the last scan of a repository read from each file, so a rescan parses only what changed.

One JSON file per repository under ``DEBTBOARD_SCAN_CACHE_DIR`` (default ``DATA_DIR/scan-cache``),
named by a hash of the repository's cache key, so no two repositories share one. It holds:

- per file, its evidence (usages and per-file errors) with its stat (size, mtime, ctime, inode)
  and SHA-256. An unchanged stat is trusted and the file is neither read nor hashed; a changed
  one (every fresh clone) is checked against the hash, and only a different hash sends the file
  to the parser again. A stat is only recorded as trustworthy when the file had not been touched
  for ``RACY_NS`` before the scan started: a file written in the same timestamp tick as our read
  could change again without its stat changing (git's "racy clean" problem), so such files are
  hashed on the next scan.
- the manifests of the last scan, with everything their parse depended on: the manifest paths
  in walk order, every file the parsers read (roots and the files they include, each with stat
  and hash) and the answer to every include lookup (``RequirementsReader.resolved``). They are
  reused only when all of that is unchanged, so an included file that changes while the
  including one does not, or an include that now finds a file it did not find before, sends the
  manifests to the parser again.

Entries are valid as long as ``parser_fingerprint`` (a version number, the Python and
``packaging`` versions, and a hash of the code that reads files) is unchanged. A cache that is
missing, unreadable, corrupt or from other parser code is ignored (with a log line); writes go to
a temporary file renamed into place; the folder is kept under ``DEBTBOARD_SCAN_CACHE_MB`` by
dropping the least recently written caches.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import stat
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import packaging
from django.conf import settings

from scanning.engine import rows
from scanning.evidence.sources import MAX_NOTEBOOK_BYTES
from scanning.manifests.requirements import IncludeError, RequirementsReader
from scanning.types import FileError, ManifestFile, Usage

logger = logging.getLogger(__name__)

# Bump when what an entry means changes (the code that reads files is also hashed, below).
CACHE_VERSION = 2
_DEFAULT_MB = 256
_PARSER_FILES = (
    "types.py",
    "engine/rows.py",
    "engine/cache.py",
    "engine/pipeline.py",
    "evidence",
    "manifests",
)
# A file whose mtime or ctime is this close to the start of the scan (or later) may still be
# changing within one timestamp tick (1-2 s on coarse filesystems): its stat is not trusted.
RACY_NS = 3 * 1_000_000_000

Stat = list[int]  # [size, mtime_ns, ctime_ns, inode], or [] when it must not be trusted
Evidence = tuple[list[Usage], list[FileError]]


@functools.cache
def parser_fingerprint() -> str:
    """Version number plus a hash of the code that turns a file into evidence."""
    package = Path(__file__).resolve().parent.parent  # scanning/
    versions = f"{CACHE_VERSION} {sys.version} packaging {packaging.__version__}"
    digest = hashlib.sha256(versions.encode())
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


def file_hash(root: Path, path: str) -> str | None:
    """SHA-256 of the file's bytes (read without following a link); None when unreadable."""
    try:
        descriptor = os.open(os.path.join(root, path), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


@dataclass
class ScanCache:
    """One repository's cache, loaded, consulted and written back by one scan."""

    location: Path
    key_hash: str
    started_ns: int  # when the scan started, before it listed any file
    entries: dict[str, list[Any]] = field(default_factory=dict)
    fresh: dict[str, list[Any]] = field(default_factory=dict)
    manifests: dict[str, Any] | None = None  # the last scan's manifests, as loaded
    fresh_manifests: dict[str, Any] | None = None  # this scan's, to write back
    changed: bool = False  # anything to write back beyond the entries loaded

    def stat_key(self, info: os.stat_result | None) -> Stat:
        """``info`` as recorded; [] (check the hash) for a file touched just before the scan."""
        if info is None or max(info.st_mtime_ns, info.st_ctime_ns) >= self.started_ns - RACY_NS:
            return []
        return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]

    def lookup(
        self, root: Path, path: str, info: os.stat_result | None
    ) -> tuple[Evidence | None, str | None]:
        """(cached evidence or None, the file's hash when it had to be computed).

        ``info`` is the file's ``lstat`` from the walk, taken before anything read the file.
        """
        entry = self.entries.get(path)
        if entry is None or info is None or info.st_size > MAX_NOTEBOOK_BYTES:
            return None, None
        current = self.stat_key(info)
        digest = None
        if not current or current != entry[0]:
            digest = file_hash(root, path)
            if digest is None or digest != entry[1]:
                return None, digest
            if current != entry[0]:
                entry = [current, digest, *entry[2:]]
                self.changed = True
        try:
            found = _evidence(path, entry)
        except (TypeError, ValueError, LookupError) as exc:  # valid JSON, not what we wrote
            logger.warning(
                "scan cache entry ignored cache=%s path=%s error=%s", self.location, path, exc
            )
            return None, digest
        self.fresh[path] = entry
        return found, digest

    def store(
        self, path: str, found: Evidence, info: os.stat_result | None, digest: str | None
    ) -> None:
        """Remember ``found`` for ``path`` as of ``info`` and ``digest``, both taken before the
        file was parsed (so a change while it was read shows on the next scan)."""
        if info is None or info.st_size > MAX_NOTEBOOK_BYTES or digest is None:
            return
        usages, errors = found
        shapes, usage_rows = rows.usage_rows(path, usages)
        self.changed = True
        self.fresh[path] = [
            self.stat_key(info),
            digest,
            shapes,
            usage_rows,
            [rows.error_row(path, e) for e in errors],
        ]

    def reuse_manifests(
        self, root: Path, roots: list[str], stats: dict[str, os.stat_result]
    ) -> list[ManifestFile] | None:
        """The last scan's manifests when nothing their parse depended on changed, else None.

        ``roots`` are this walk's manifest paths in walk order and ``stats`` its file stats.
        """
        snapshot = self.manifests
        if snapshot is None or snapshot["roots"] != roots:
            return None
        inputs: dict[str, list[Any]] = {}
        for path, (recorded, digest) in snapshot["inputs"].items():
            current = self.stat_key(stats.get(path))  # [] for a file outside the walk: hash it
            if (not current or current != recorded) and file_hash(root, path) != digest:
                return None
            inputs[path] = [current, digest]
        reader = RequirementsReader(root, {})
        for folder, target, resolved, problem in snapshot["includes"]:
            if _include(reader, folder, target) != (resolved, problem):
                return None
        try:
            found = [rows.manifest(row) for row in snapshot["found"]]
        except (TypeError, ValueError, LookupError) as exc:
            logger.warning("scan cache manifests ignored cache=%s error=%s", self.location, exc)
            return None
        if inputs == snapshot["inputs"]:
            self.fresh_manifests = snapshot
        else:
            self.fresh_manifests = {**snapshot, "inputs": inputs}
        return found

    def remember_manifests(
        self,
        roots: list[str],
        found: list[ManifestFile],
        digests: dict[str, str | None],
        includes: dict[tuple[str, str], tuple[str, str]],
        stats: dict[str, os.stat_result],
    ) -> None:
        """Keep this scan's manifests with what their parse read: every root (``digests`` holds
        their hashes, taken before they were parsed), every file in ``found`` and the answers
        to the include lookups. Nothing is kept when some file read has no hash."""
        self.fresh_manifests = None
        hashes = {m.path: m.content_hash for m in found}
        inputs: dict[str, list[Any]] = {}
        for path in [*roots, *hashes]:
            digest = hashes.get(path) or digests.get(path)
            if not digest:
                return
            inputs[path] = [self.stat_key(stats.get(path)), digest]
        self.fresh_manifests = {
            "roots": roots,
            "inputs": inputs,
            "includes": [[*where, *answer] for where, answer in sorted(includes.items())],
            "found": [rows.manifest_row(m) for m in found],
        }

    def save(self) -> None:
        """Write the entries of this scan (files gone since are dropped) atomically."""
        if (
            not self.changed
            and self.fresh.keys() == self.entries.keys()
            and self.fresh_manifests is self.manifests
        ):
            return
        document = {
            "parser": parser_fingerprint(),
            "key": self.key_hash,
            "files": self.fresh,
            "manifests": self.fresh_manifests,
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
    """The cache of the repository ``key`` names; None when caching is off.

    Open it before listing the files: the time it is opened is the scan's start, from which
    recently touched files are told apart.
    """
    folder = cache_dir()
    if folder is None or not getattr(settings, "DEBTBOARD_SCAN_CACHE", True):
        return None
    key_hash = hashlib.sha256(f"debtboard-scan-cache:{key}".encode()).hexdigest()
    cache = ScanCache(folder / f"{key_hash[:32]}.json", key_hash, time.time_ns())
    cache.entries, cache.manifests = _load(cache.location, key_hash)
    return cache


def _load(location: Path, key_hash: str) -> tuple[dict[str, list[Any]], dict[str, Any] | None]:
    try:
        document = json.loads(location.read_bytes())
    except FileNotFoundError:
        return {}, None
    except (OSError, ValueError) as exc:
        logger.warning("scan cache ignored: unreadable cache=%s error=%s", location, exc)
        return {}, None
    if not isinstance(document, dict) or document.get("key") != key_hash:
        logger.warning("scan cache ignored: not this repository's cache=%s", location)
        return {}, None
    if document.get("parser") != parser_fingerprint():
        logger.info("scan cache ignored: written by other parser code cache=%s", location)
        return {}, None
    files = document.get("files")
    manifests = document.get("manifests")
    if (
        not isinstance(files, dict)
        or not all(_valid(entry) for entry in files.values())
        or not (manifests is None or _valid_manifests(manifests))
    ):
        logger.warning("scan cache ignored: malformed cache=%s", location)
        return {}, None
    return files, manifests


def _valid(entry: object) -> bool:
    """The entry's shape; its rows are checked when they are read (``ScanCache.lookup``)."""
    return (
        type(entry) is list
        and len(entry) == 5
        and type(entry[0]) is list
        and type(entry[1]) is str
        and type(entry[2]) is list
        and type(entry[3]) is list
        and type(entry[4]) is list
    )


def _valid_manifests(snapshot: object) -> bool:
    """The shape of the manifests part; the manifest rows are checked when they are read."""
    if not isinstance(snapshot, dict):
        return False
    roots, inputs = snapshot.get("roots"), snapshot.get("inputs")
    includes, found = snapshot.get("includes"), snapshot.get("found")
    return (
        type(roots) is list
        and all(type(root) is str for root in roots)
        and type(inputs) is dict
        and all(
            type(value) is list
            and len(value) == 2
            and type(value[0]) is list
            and type(value[1]) is str
            for value in inputs.values()
        )
        and type(includes) is list
        and all(
            type(row) is list and len(row) == 4 and all(type(part) is str for part in row)
            for row in includes
        )
        and type(found) is list
    )


def _include(reader: RequirementsReader, folder: str, target: str) -> tuple[str, str]:
    """Where an include leads now, as ``RequirementsReader.resolved`` records it."""
    try:
        return reader.resolve(folder, target), ""
    except IncludeError as exc:
        return "", str(exc)


def _evidence(path: str, entry: list[Any]) -> Evidence:
    """Usages and errors of one entry; TypeError, ValueError or LookupError when malformed."""
    return rows.usages(path, entry[2], entry[3]), [rows.error(path, row) for row in entry[4]]


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
