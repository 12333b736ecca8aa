"""Model weights and other large binaries in git, including deleted ones history still holds.

``weight_findings`` is pure. ``git_weight_files`` lists candidates from a checkout's object
database, so a file deleted long ago still counts (every clone still downloads it). A shallow
clone only has the objects of its commit: history there is invisible, and the listing says so.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from scanning import walk
from scanning.types import Declaration, FileError, Finding

WEIGHT_SUFFIXES = frozenset(
    {".pt", ".pth", ".h5", ".hdf5", ".onnx", ".pkl", ".pickle", ".safetensors", ".ckpt", ".bin"}
)
DEFAULT_THRESHOLD_BYTES = 10 * 1024 * 1024
_GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_TERMINAL_PROMPT": "0"}


@dataclass(frozen=True, slots=True)
class WeightFile:
    path: str  # repository-relative POSIX path
    size: int  # bytes; the largest version git holds
    in_history: bool  # True when the path is gone from the checked-out commit


@dataclass(frozen=True, slots=True)
class WeightListing:
    files: list[WeightFile]
    shallow: bool  # a shallow clone cannot see deleted files


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


def _git(root: Path, args: list[str], timeout: float, stdin: str | None = None) -> str:
    result = subprocess.run(
        ["git", "-C", str(root), *args],
        input=stdin,
        capture_output=True,
        text=True,
        errors="surrogateescape",  # paths as the filesystem gives them, like os.listdir
        timeout=timeout,
        check=True,
        env={**os.environ, **_GIT_ENV},
    )
    return result.stdout


def git_weight_files(root: Path, *, timeout: float = 120) -> WeightListing:
    """Weight-like blobs in every commit reachable from any ref of the checkout at ``root``.

    Raises ``subprocess.CalledProcessError`` or ``TimeoutExpired`` when git fails.
    """
    shallow = _git(root, ["rev-parse", "--is-shallow-repository"], timeout).strip() == "true"
    objects = _git(root, ["rev-list", "--objects", "--all"], timeout)
    path_of: dict[str, str] = {}
    for line in objects.splitlines():
        object_id, _, path = line.partition(" ")
        if path and is_weight_path(path):
            path_of.setdefault(object_id, path)
    if not path_of:
        return WeightListing([], shallow)
    batch = _git(
        root,
        ["cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)"],
        timeout,
        stdin="\n".join(path_of) + "\n",
    )
    sizes: dict[str, int] = {}
    for line in batch.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == "blob":
            path = path_of[parts[0]]
            sizes[path] = max(sizes.get(path, 0), int(parts[2]))
    head = set(_git(root, ["ls-tree", "-r", "--name-only", "-z", "HEAD"], timeout).split("\0"))
    files = [WeightFile(path, size, path not in head) for path, size in sorted(sizes.items())]
    return WeightListing(files, shallow)


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
        except (OSError, subprocess.SubprocessError) as exc:
            errors.append(FileError(".git", f"could not list git objects: {type(exc).__name__}"))
            files: list[WeightFile] = []
        else:
            files = listing.files
            if listing.shallow:
                message = "shallow clone: files deleted from history cannot be seen"
                errors.append(FileError(".git", message))
    else:
        paths, _ = walk.list_files(root)
        files = disk_weight_files(root, paths)
    return weight_findings(files, threshold_bytes=threshold_bytes), errors
