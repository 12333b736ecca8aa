"""Model weights and other large binaries in git, including deleted ones history still holds.

``weight_findings`` is pure. ``git_weight_files`` lists candidates from a checkout's object
database, so a file deleted long ago still counts (every clone still downloads it). A shallow
clone only has the objects of its commit: history there is invisible, and the listing says so.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from scanning.engine import walk
from scanning.git import runner as gitrunner
from scanning.rules import kinds
from scanning.types import Declaration, FileError, Finding

WEIGHT_SUFFIXES = frozenset(
    {".pt", ".pth", ".h5", ".hdf5", ".onnx", ".pkl", ".pickle", ".safetensors", ".ckpt", ".bin"}
)
DEFAULT_THRESHOLD_BYTES = 10 * 1024 * 1024
_LISTING_VERSION = 3
# The settings that make a clone partial (git's own test: extensions.partialClone, or a
# remote with promisor = true); names are matched without case, as git matches them.
_PARTIAL_CLONE_KEYS = r"^(extensions\.partialclone|remote\..*\.promisor)$"
_GIT_TRUE = frozenset({"true", "yes", "on", "1", ""})
logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WeightFile:
    path: str  # repository-relative POSIX path
    size: int  # bytes; the largest version git holds
    in_history: bool  # True when the path is gone from the checked-out commit


@dataclass(frozen=True, slots=True)
class WeightListing:
    files: list[WeightFile]
    shallow: bool  # a shallow clone cannot see deleted files
    missing: int = 0  # weight-like blobs a partial clone does not have (sizes unknown)


def is_weight_path(path: str) -> bool:
    """The path's suffix (as ``PurePosixPath.suffix`` reads it) is a weight file's."""
    name = path.rstrip("/").rpartition("/")[2]
    dot = name.rfind(".")
    return 0 < dot < len(name) - 1 and name[dot:].lower() in WEIGHT_SUFFIXES


def weight_findings(
    files: list[WeightFile], *, threshold_bytes: int = DEFAULT_THRESHOLD_BYTES
) -> list[Finding]:
    """One ``weight-file`` finding per weight-like path at or above ``threshold_bytes``."""
    findings = []
    for found in sorted(files, key=lambda f: f.path):
        if found.size < threshold_bytes or not is_weight_path(found.path):
            continue
        megabytes = found.size / (1024 * 1024)
        where = (
            "deleted, but still in git history (every clone downloads it)"
            if found.in_history
            else "tracked in git"
        )
        findings.append(
            Finding(
                kind=kinds.WEIGHT_FILE,
                subject=found.path,
                summary=(
                    f"{found.path} ({megabytes:.1f} MB) is {where}; model weights belong in "
                    "an artifact store or Git LFS."
                ),
                evidence=(Declaration(path=found.path, line=0, name=found.path, raw=where),),
            )
        )
    return findings


def _git(root: Path, args: list[str], timeout: float) -> bytes:
    return gitrunner.run_git(["-C", str(root), *args], timeout=timeout).stdout


def _history_blobs(root: Path, timeout: float) -> dict[str, str]:
    """Weight-like blobs of every commit reachable from any ref: object id -> path.

    Read from ``git log --raw -z`` (each change: its modes, both object ids, the status, then
    the path ending in NUL), so a path holding a line break is read whole.
    """
    raw = _git(
        root,
        ["log", "--all", "--format=", "--raw", "-z", "-m", "--no-renames", "--no-abbrev"],
        timeout,
    )
    path_of: dict[str, str] = {}
    fields = raw.split(b"\0")
    for header, path_bytes in zip(fields[::2], fields[1::2], strict=False):
        parts = header.strip().split()
        if len(parts) != 5:
            continue
        path = path_bytes.decode("utf-8", "surrogateescape")
        if not is_weight_path(path):
            continue
        for mode, object_id in ((parts[0], parts[2]), (parts[1], parts[3])):
            if mode.lstrip(b":").startswith(b"100") and object_id.strip(b"0"):
                path_of.setdefault(object_id.decode(), path)
    return path_of


def git_weight_files(
    root: Path, *, timeout: float = 120, cache: Path | None = None, min_size: int = 0
) -> WeightListing:
    """Weight-like blobs in every commit reachable from any ref of the checkout at ``root``.

    Nothing is fetched: a blob a partial clone lacks has no size here and is counted in
    ``missing``. With ``min_size``, a listing may leave out files smaller than that (the
    history is not walked at all when the clone holds no blob that large). With ``cache`` (a
    file), the listing is kept there with the refs it was read at, and read back while HEAD,
    every ref, the shallowness and ``min_size`` are unchanged: walking a long history is most
    of a small repository's rescan otherwise. Raises ``gitrunner.GitFailed`` when git fails.
    """
    answer = _git(
        root,
        ["rev-parse", "--path-format=absolute", "--is-shallow-repository", "--git-common-dir"],
        timeout,
    ).splitlines()
    shallow = bool(answer) and answer[0].strip() == b"true"
    common = Path(os.fsdecode(answer[1].strip())) if len(answer) > 1 else root / ".git"
    if cache is None:
        return _git_weight_files(root, shallow, timeout, _floor(root, common, min_size, timeout))
    refs = _git_refs(root, timeout)
    key = hashlib.sha256(f"{_LISTING_VERSION} {shallow} {min_size}\n".encode() + refs).hexdigest()
    known = _cached_listing(cache, key)
    if known is not None:
        return known
    listing = _git_weight_files(root, shallow, timeout, _floor(root, common, min_size, timeout))
    if not listing.missing:  # a partial clone's answer may change as objects arrive
        _store_listing(cache, key, listing)
    return listing


def _floor(root: Path, common: Path, min_size: int, timeout: float) -> int:
    """The size below which blobs may be left out: none in a partial clone, where the blobs
    this clone lacks are counted by what history names, whatever their size. A partial clone
    has promisor packs and a promisor remote or ``extensions.partialClone`` (packs alone are
    not one: a clone of a partial clone's folder copies them with every object)."""
    try:
        promisor = any(p.suffix == ".promisor" for p in (common / "objects" / "pack").iterdir())
    except OSError:
        promisor = False
    if not promisor:
        return min_size
    try:
        found = _git(root, ["config", "--get-regexp", _PARTIAL_CLONE_KEYS], timeout)
    except gitrunner.GitFailed as exc:
        if exc.returncode == 1:  # none set
            return min_size
        raise
    for line in found.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(" ")
        if key.endswith(".promisor") and value.strip().lower() not in _GIT_TRUE:
            continue  # "promisor = false"
        return 0
    return min_size


def _git_refs(root: Path, timeout: float) -> bytes:
    """HEAD and every ref with its object, as ``git show-ref --head`` lists them."""
    try:
        return _git(root, ["show-ref", "--head"], timeout)
    except gitrunner.GitFailed as exc:
        if exc.returncode == 1:  # no ref at all
            return b""
        raise


def _cached_listing(cache: Path, key: str) -> WeightListing | None:
    try:
        document = json.loads(cache.read_bytes())
        if document["key"] != key:
            return None
        files = [WeightFile(str(p), int(s), bool(h)) for p, s, h in document["files"]]
        return WeightListing(files, bool(document["shallow"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        logger.warning("weights cache ignored cache=%s error=%s", cache, exc)
        return None


def _store_listing(cache: Path, key: str, listing: WeightListing) -> None:
    document = {
        "key": key,
        "shallow": listing.shallow,
        "files": [[f.path, f.size, f.in_history] for f in listing.files],
    }
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=cache.parent, suffix=".tmp")
        with os.fdopen(handle, "w") as output:
            json.dump(document, output)
        os.replace(temporary, cache)
    except (OSError, ValueError) as exc:
        logger.warning("weights cache not written cache=%s error=%s", cache, exc)


def _git_weight_files(root: Path, shallow: bool, timeout: float, floor: int = 0) -> WeightListing:
    """The listing; with ``floor``, blobs smaller than that are left out, and when the object
    database holds none that large the history is not walked (cheaper by far: one listing of
    the packs' object sizes instead of a diff of every commit)."""
    sizes_of = _blob_sizes(root, timeout, floor) if floor else None
    if sizes_of is not None and not sizes_of:
        return WeightListing([], shallow)
    path_of = _history_blobs(root, timeout)
    if not path_of:
        return WeightListing([], shallow)
    if sizes_of is None:
        # Only the objects this clone has: asking for a missing one would fetch it.
        sizes_of = _blob_sizes(root, timeout, 0, wanted=path_of)
    else:
        path_of = {oid: path for oid, path in path_of.items() if oid in sizes_of}
    sizes: dict[str, int] = {}
    for object_id, path in path_of.items():
        if object_id in sizes_of:
            sizes[path] = max(sizes.get(path, 0), sizes_of[object_id])
    listed = _git(root, ["ls-tree", "-r", "--name-only", "-z", "HEAD"], timeout)
    head = {name.decode("utf-8", "surrogateescape") for name in listed.split(b"\0")}
    files = [WeightFile(path, size, path not in head) for path, size in sorted(sizes.items())]
    return WeightListing(files, shallow, missing=len(path_of.keys() - sizes_of.keys()))


_OBJECT_LINE = re.compile(rb"^(\d+) ([0-9a-f]+)$", re.MULTILINE)


def _blob_sizes(
    root: Path, timeout: float, floor: int, wanted: dict[str, str] | None = None
) -> dict[str, int]:
    """Object id -> size of the objects this clone holds (packed or loose, reachable or not)
    that are ``floor`` bytes or more, or (``wanted``) that are among those ids.

    Every kind of object is listed, not only blobs: asking git for each one's type resolves
    the delta chains of the packs (a fifth of git's time here). The callers keep only the ids
    the history names as blobs, so a large tree or commit changes nothing they find; at
    most it makes them read the history to learn that."""
    batch = _git(
        root,
        ["cat-file", "--batch-all-objects", "--batch-check=%(objectsize) %(objectname)"],
        timeout,
    )
    digits = len(str(floor)) if floor else 1
    line = (
        _OBJECT_LINE
        if digits <= 1
        else re.compile(rb"^(\d{%d,}) ([0-9a-f]+)$" % digits, re.MULTILINE)
    )
    found: dict[str, int] = {}
    for match in line.finditer(batch):
        size = int(match.group(1))
        object_id = match.group(2).decode()
        if size >= floor and (wanted is None or object_id in wanted):
            found[object_id] = size
    return found


def disk_weight_files(root: Path, paths: list[str]) -> list[WeightFile]:
    """Weight-like files on disk, for a directory that is not a git checkout."""
    files = []
    for path in paths:
        if is_weight_path(path):
            try:
                size = (root / path).stat().st_size
            except OSError:
                continue
            files.append(WeightFile(path, size, in_history=False))
    return files


def weight_findings_for(
    root: Path, *, threshold_bytes: int, cache: Path | None = None
) -> tuple[list[Finding], list[FileError]]:
    """Large weight files: from git history when ``root`` is a checkout, else from disk.

    ``cache`` is a file where the git listing may be kept between scans (see
    ``git_weight_files``)."""
    errors: list[FileError] = []
    if (root / ".git").exists():
        try:
            listing = git_weight_files(root, cache=cache, min_size=threshold_bytes)
        except (OSError, gitrunner.GitFailed) as exc:
            errors.append(FileError(".git", f"could not list git objects: {exc}"))
            files: list[WeightFile] = []
        else:
            files = listing.files
            if listing.shallow:
                message = "shallow clone: files deleted from history cannot be seen"
                errors.append(FileError(".git", message))
            if listing.missing:
                blobs = "1 blob" if listing.missing == 1 else f"{listing.missing} blobs"
                verb = "is" if listing.missing == 1 else "are"
                message = f"partial clone, {blobs} of history {verb} not in this clone"
                errors.append(FileError(".git", f"could not list git objects: {message}"))
    else:
        paths, _ = walk.list_files(root)
        files = disk_weight_files(root, paths)
    return weight_findings(files, threshold_bytes=threshold_bytes), errors
