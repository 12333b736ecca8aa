"""Which references point at which model versions of a store, and which versions are candidates.

Pure: model versions from ``layout``, references from ``references`` (or rebuilt from stored
evidence), the store described by ``StoreSpace``. A reference pins a version when it names
the version or something inside it; a reference to a model's folder (or anything above it)
pins no version: code that loads "the latest" keeps the newest, which is never a candidate.

Key paths without a bucket match wherever the version's path appears in them, aligned on
``/``: a mount point or a local cache folder in front of the key does not hide the use.
Matching is an index lookup per sub-path of the reference, so 1,000 references against
100,000 versions cost milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from scanning.artifacts.layout import MLFLOW, ModelVersion, newest_keys
from scanning.artifacts.references import SERVING, Reference

GIB = 1024**3


@dataclass(frozen=True, slots=True)
class StoreSpace:
    """Where a store's keys live: a bucket and prefix, or a directory (bucket empty)."""

    bucket: str = ""
    prefix: str = ""  # normalised: empty or ending in "/"
    directory: str = ""  # absolute path of a directory store


@dataclass(slots=True)
class Verdict:
    version: ModelVersion
    references: list[Reference] = field(default_factory=list)
    is_newest: bool = False
    is_candidate: bool = False
    reason: str = ""

    @property
    def serving(self) -> bool:
        return any(r.mode == SERVING for r in self.references)


def match(
    versions: Iterable[ModelVersion], references: Iterable[Reference], space: StoreSpace
) -> dict[tuple[str, str, str], list[Reference]]:
    """References per version (keyed by model, version, prefix); versions without any absent."""
    by_prefix: dict[str, ModelVersion] = {}
    by_run: dict[str, list[ModelVersion]] = {}
    for version in versions:
        by_prefix[version.prefix.rstrip("/")] = version
        if version.layout == MLFLOW:
            by_run.setdefault(version.version, []).append(version)
    found: dict[tuple[str, str, str], list[Reference]] = {}

    def add(version: ModelVersion, reference: Reference) -> None:
        found.setdefault((version.model, version.version, version.prefix), []).append(reference)

    root = space.prefix.rstrip("/")
    directory = space.directory.strip("/")
    for reference in references:
        if reference.run:
            for version in by_run.get(reference.run, ()):
                add(version, reference)
            continue
        key = reference.key.strip("/")
        if reference.bucket:
            if reference.bucket != space.bucket:
                continue
            if root:
                if not key.startswith(root + "/"):
                    continue
                key = key[len(root) + 1 :]
            hits = _ancestors(key.split("/"), by_prefix)
        else:
            if directory and (key + "/").startswith(directory + "/"):
                key = key[len(directory) :].strip("/")
            segments = key.split("/")
            hits = {
                v.prefix: v
                for i in range(len(segments))
                for v in _ancestors(segments[i:], by_prefix)
            }.values()
        for version in hits:
            add(version, reference)
    return found


def _ancestors(segments: list[str], by_prefix: dict[str, ModelVersion]) -> list[ModelVersion]:
    """Versions whose path is ``segments`` or one of its leading parts."""
    hits = []
    path = ""
    for segment in segments:
        path = f"{path}/{segment}" if path else segment
        version = by_prefix.get(path)
        if version is not None:
            hits.append(version)
    return hits


def judge(
    versions: list[ModelVersion],
    matches: dict[tuple[str, str, str], list[Reference]],
    *,
    now: datetime,
    min_age_days: int,
    evidence_complete: bool = True,
) -> list[Verdict]:
    """Every version with its references and whether it is a candidate, and why (not)."""
    newest = newest_keys(versions)
    cutoff = now - timedelta(days=min_age_days)
    verdicts = []
    for version in versions:
        verdict = Verdict(
            version, matches.get((version.model, version.version, version.prefix), [])
        )
        verdict.is_newest = version.key in newest
        if verdict.is_newest:
            verdict.reason = "newest version of the model"
        elif verdict.references:
            first = verdict.references[0]
            verdict.reason = (
                f"{'served' if verdict.serving else 'referenced'} at {first.path}:{first.line}"
            )
        elif version.last_modified > cutoff:
            verdict.reason = f"written less than {min_age_days} days ago"
        elif not evidence_complete:
            verdict.reason = "not every repository of the team has a successful scan"
        else:
            verdict.is_candidate = True
            verdict.reason = "no reference in the team's latest scans"
        verdicts.append(verdict)
    return verdicts


def monthly_cost(size_bytes: int, price_per_gb_month: float) -> float:
    return round(size_bytes / GIB * price_per_gb_month, 4)
