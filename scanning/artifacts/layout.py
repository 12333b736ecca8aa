"""Group the objects of an artifact store into model versions by their layout (no ORM).

Three layouts are recognised, tried in this order for every key:

- MLflow: ``…/mlruns/<experiment>/<run>/artifacts/…`` — the model is the experiment, the
  version is the run;
- a version folder: the first folder named like a version (``v3``, ``1.2.0``, ``2024-05-01``,
  ``20240501``, ``3``) — the model is the path above it;
- a version in the file name: ``churn-v1.2.0.onnx``, ``resnet_2024-01-05.pt`` — the model is the
  folder and the name without its version, the version is that single object.

Keys that match none are left ungrouped: they are never candidates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from packaging.version import InvalidVersion, Version

MLFLOW = "mlflow"
FOLDER = "folder"
FILENAME = "filename"

_MLFLOW = re.compile(r"^(?P<model>(?:.*/)?mlruns/[^/]+)/(?P<run>[^/]+)/artifacts/")
_SEMVER = r"v?\d+(?:\.\d+)*(?:[-_.]?(?:a|b|rc|alpha|beta|dev|post)\.?\d*)?"
_DATE = r"\d{4}-\d{2}-\d{2}(?:[T_-]?\d{2}[-:]?\d{2}(?:[-:]?\d{2})?)?|\d{8}(?:[T_-]?\d{4,6})?"
_VERSION_FOLDER = re.compile(rf"^(?:{_SEMVER}|{_DATE}|version[-_=]?\d+(?:\.\d+)*)$", re.IGNORECASE)
# A version inside a file name, set off from the name by - _ or @ (``model-v2.pt``).
_VERSION_IN_NAME = re.compile(
    rf"^(?P<stem>.*?[A-Za-z0-9])[-_@](?P<version>{_DATE}|v\d+(?:\.\d+)*|\d+\.\d+(?:\.\d+)*)"
    r"(?P<ext>(?:\.[A-Za-z][A-Za-z0-9]{0,11})*)$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class StoredObject:
    """One object (one object version on a versioned bucket) as listed."""

    key: str  # relative to the store's prefix, POSIX
    size: int
    last_modified: datetime
    version_id: str = ""
    is_latest: bool = True
    storage_class: str = ""


@dataclass(slots=True)
class ModelVersion:
    """Objects that together make one version of one model."""

    model: str  # path of the model relative to the store ("churn", "mlruns/3")
    version: str  # "v3", "2024-05-01", an MLflow run id
    prefix: str  # what every key of the version starts with (a folder, or the one key)
    layout: str
    objects: list[StoredObject] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(o.size for o in self.objects)

    @property
    def noncurrent_size(self) -> int:
        return sum(o.size for o in self.objects if not o.is_latest)

    @property
    def last_modified(self) -> datetime:
        return max(o.last_modified for o in self.objects)

    @property
    def key(self) -> tuple[str, str]:
        return (self.model, self.version)


@dataclass(slots=True)
class Grouping:
    versions: list[ModelVersion]
    ungrouped: int  # objects that belong to no recognised layout
    ungrouped_bytes: int


def locate(key: str) -> tuple[str, str, str, str] | None:
    """(model, version, prefix, layout) of ``key``, or None when no layout fits."""
    match = _MLFLOW.match(key)
    if match:
        model, run = match.group("model"), match.group("run")
        return model, run, f"{model}/{run}/", MLFLOW
    parts = key.split("/")
    for index, part in enumerate(parts[:-1]):
        if _VERSION_FOLDER.match(part):
            model = "/".join(parts[:index])
            return model, part, "/".join(parts[: index + 1]) + "/", FOLDER
    match = _VERSION_IN_NAME.match(parts[-1])
    if match:
        folder = "/".join(parts[:-1])
        name = match.group("stem") + match.group("ext")
        model = f"{folder}/{name}" if folder else name
        return model, match.group("version"), key, FILENAME
    return None


def group(objects: Iterable[StoredObject]) -> Grouping:
    """The model versions ``objects`` form; each object in at most one version."""
    versions: dict[tuple[str, str, str], ModelVersion] = {}
    ungrouped = ungrouped_bytes = 0
    for obj in objects:
        place = locate(obj.key)
        if place is None:
            ungrouped += 1
            ungrouped_bytes += obj.size
            continue
        model, version, prefix, layout = place
        found = versions.get((model, version, prefix))
        if found is None:
            found = versions[(model, version, prefix)] = ModelVersion(
                model, version, prefix, layout
            )
        found.objects.append(obj)
    return Grouping(list(versions.values()), ungrouped, ungrouped_bytes)


def newest_keys(versions: Iterable[ModelVersion]) -> set[tuple[str, str]]:
    """Per model, the versions that count as its newest: the highest version number (or date)
    and the most recently written one. Both are protected: a hotfix of an old line is written
    last, and a re-upload of an old version must not make the real newest a candidate."""
    by_model: dict[str, list[ModelVersion]] = {}
    for version in versions:
        by_model.setdefault(version.model, []).append(version)
    newest: set[tuple[str, str]] = set()
    for members in by_model.values():
        newest.add(max(members, key=lambda v: (v.last_modified, v.version)).key)
        if members[0].layout != MLFLOW:  # run ids are not ordered
            newest.add(max(members, key=lambda v: (order_key(v.version), v.last_modified)).key)
    return newest


def order_key(version: str) -> tuple[int, Version | str]:
    """Sort key of a version label: release numbers and dates compare as numbers."""
    digits = re.sub(r"[^0-9]", "", version)
    if re.fullmatch(_DATE, version):
        return (1, Version(digits.ljust(14, "0")))
    label = re.sub(r"^(?:version[-_=]?|v)", "", version, flags=re.IGNORECASE)
    try:
        return (1, Version(label))
    except InvalidVersion:
        return (0, version)
