"""Model weights and other large binaries in git, including deleted ones history still holds.

``weight_findings`` is pure. ``git_weight_files`` lists candidates from a checkout's object
database, so a file deleted long ago still counts (every clone still downloads it). A shallow
clone only has the objects of its commit: history there is invisible, and the listing says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from scanning import gitrunner
from scanning.engine import walk
from scanning.types import Declaration, FileError, Finding

WEIGHT_SUFFIXES = frozenset(
    {".pt", ".pth", ".h5", ".hdf5", ".onnx", ".pkl", ".pickle", ".safetensors", ".ckpt", ".bin"}
)
DEFAULT_THRESHOLD_BYTES = 10 * 1024 * 1024


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
    return PurePosixPath(path).suffix.lower() in WEIGHT_SUFFIXES


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
                kind="weight-file",
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


def git_weight_files(root: Path, *, timeout: float = 120) -> WeightListing:
    """Weight-like blobs in every commit reachable from any ref of the checkout at ``root``.

    Nothing is fetched: a blob a partial clone lacks has no size here and is counted in
    ``missing``. Raises ``gitrunner.GitFailed`` when git fails.
    """
    shallow = _git(root, ["rev-parse", "--is-shallow-repository"], timeout).strip() == b"true"
    path_of = _history_blobs(root, timeout)
    if not path_of:
        return WeightListing([], shallow)
    # Only the objects this clone has: asking for a missing one would fetch it.
    batch = _git(
        root,
        [
            "cat-file",
            "--batch-all-objects",
            "--batch-check=%(objectname) %(objecttype) %(objectsize)",
        ],
        timeout,
    )
    sizes: dict[str, int] = {}
    present: set[str] = set()
    for line in batch.decode().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == "blob" and parts[0] in path_of:
            present.add(parts[0])
            path = path_of[parts[0]]
            sizes[path] = max(sizes.get(path, 0), int(parts[2]))
    listed = _git(root, ["ls-tree", "-r", "--name-only", "-z", "HEAD"], timeout)
    head = {name.decode("utf-8", "surrogateescape") for name in listed.split(b"\0")}
    files = [WeightFile(path, size, path not in head) for path, size in sorted(sizes.items())]
    return WeightListing(files, shallow, missing=len(path_of.keys() - present))


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
    root: Path, *, threshold_bytes: int
) -> tuple[list[Finding], list[FileError]]:
    """Large weight files: from git history when ``root`` is a checkout, else from disk."""
    errors: list[FileError] = []
    if (root / ".git").exists():
        try:
            listing = git_weight_files(root)
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
