"""References to stored model artifacts in a checkout's files (pure: paths and strings).

Finds ``s3://bucket/key`` and ``gs://bucket/key`` URIs, MLflow ``runs:/<run>/…`` URIs and
key paths that look like artifacts (a file with a model extension, or a path through
``mlruns/``) in code, configuration, Dockerfiles, Kubernetes/Helm manifests and notebooks,
each with its path and line. A reference found in a deployment configuration (a Kubernetes
workload, a Helm chart, docker-compose, a Dockerfile) is marked ``serving``: the version it
pins is what runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from scanning.evidence import modes
from scanning.types import FileError

KIND = "artifact-reference"
SERVING = "serving"
# Larger files are data, not configuration; they are skipped (and said so).
MAX_FILE_BYTES = 2 * 1024 * 1024
_TEXT_SUFFIXES = frozenset(
    {
        ".py", ".ipynb", ".yaml", ".yml", ".json", ".toml", ".cfg", ".ini", ".conf", ".env",
        ".sh", ".bash", ".tf", ".tfvars", ".txt", ".properties", ".jsonnet", ".libsonnet",
        ".tpl", ".j2", ".jinja", ".mk", ".r", ".scala", ".java", ".kt", ".go", ".js", ".ts",
    }
)  # fmt: skip
_TEXT_NAMES = frozenset({"dockerfile", "makefile", "procfile", "containerfile", ".env"})
_MODEL_SUFFIXES = (
    "pt|pth|onnx|pkl|pickle|joblib|h5|hdf5|keras|safetensors|ckpt|pb|tflite|gguf|ggml|"
    "mar|npz|npy|bin|model|mlmodel|xgb|lgb|cbm|params|engine|plan|savedmodel"
)
_URI = re.compile(
    r"\b(?P<scheme>s3a?|s3n|gs)://(?P<bucket>[a-z0-9][a-z0-9.\-_]{1,62})(?:/(?P<key>[^\s\"'`<>\\,;)\]}]*))?"
)
_MLFLOW_RUN = re.compile(r"\bruns:/(?P<run>[0-9a-f]{8,64})(?:/(?P<key>[^\s\"'`<>\\,;)\]}]*))?")
_PATH = re.compile(
    rf"(?<![\w/.:-])(?P<key>/?(?:[\w.\-]+/)+(?:[\w.\-]+\.(?:{_MODEL_SUFFIXES})|[\w.\-]+/?)?)"
    rf"(?![\w/])",
    re.IGNORECASE,
)
_ARTIFACT_PATH = re.compile(rf"(?:\.(?:{_MODEL_SUFFIXES})$|(?:^|/)mlruns/)", re.IGNORECASE)
# Whether a text may hold a reference at all. Anchored on "/" (every artifact path has one),
# so most files are passed over at memchr speed: every scan reads every text file for this.
_QUICK = re.compile(rf"/(?:/|[\w.\-]*\.(?:{_MODEL_SUFFIXES})\b)|runs:/|mlruns/", re.IGNORECASE)
_QUICK_BYTES = re.compile(_QUICK.pattern.encode(), re.IGNORECASE)
_WORKLOAD = re.compile(
    r"^kind:\s*(?:Deployment|StatefulSet|DaemonSet|Pod|ReplicaSet|InferenceService|"
    r"SeldonDeployment|Service|Job|CronJob|Rollout|KnativeService|ConfigMap)\s*$",
    re.MULTILINE,
)


@dataclass(frozen=True, slots=True)
class Reference:
    """One mention of a stored artifact."""

    text: str  # as written (s3://bucket/key, runs:/id/path, models/churn/v3/model.pt)
    path: str  # repository-relative file
    line: int
    bucket: str = ""  # empty for key paths and MLflow run URIs
    key: str = ""  # the key (or path) without bucket
    run: str = ""  # MLflow run id of a runs:/ URI
    mode: str = "script"  # execution mode of the file, or "serving" in a deployment config


def reads(path: str) -> bool:
    posix = PurePosixPath(path)
    name = posix.name.lower()
    return (
        posix.suffix.lower() in _TEXT_SUFFIXES
        or name in _TEXT_NAMES
        or name.startswith(("dockerfile", "containerfile", "docker-compose"))
    )


def collect(root: Path, paths: Iterable[str]) -> tuple[list[Reference], list[FileError]]:
    """References in the files ``paths`` (relative to ``root``) that may hold them."""
    found: list[Reference] = []
    errors: list[FileError] = []
    for path in paths:
        if not reads(path):
            continue
        full = root / path
        try:
            if full.is_symlink() or not full.is_file():
                continue
            if full.stat().st_size > MAX_FILE_BYTES:
                errors.append(FileError(path, "Skipped for artifact references: larger than 2 MB"))
                continue
            data = full.read_bytes()
        except OSError as exc:
            errors.append(FileError(path, f"Could not read for artifact references: {exc}"))
            continue
        if _QUICK_BYTES.search(data):
            found.extend(references_in(path, data.decode("utf-8", errors="replace")))
    return found, errors


def references_in(path: str, text: str) -> list[Reference]:
    """References in one file's text (notebooks are read as their JSON, lines and all)."""
    if not _QUICK.search(text):
        return []
    mode = SERVING if is_deployment(path, text) else modes.mode_for(path)
    found: list[Reference] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not _QUICK.search(line):
            continue
        taken: list[tuple[int, int]] = []
        for match in _URI.finditer(line):
            taken.append(match.span())
            key = _clean(match.group("key") or "")
            found.append(
                Reference(
                    match.group(0).rstrip(".:"),
                    path,
                    number,
                    bucket=match.group("bucket"),
                    key=key,
                    mode=mode,
                )
            )
        for match in _MLFLOW_RUN.finditer(line):
            taken.append(match.span())
            key = _clean(match.group("key") or "")
            found.append(
                Reference(match.group(0), path, number, key=key, run=match.group("run"), mode=mode)
            )
        for match in _PATH.finditer(line):
            start = match.start()
            if any(a <= start < b for a, b in taken):
                continue
            key = _clean(match.group("key"))
            if _ARTIFACT_PATH.search(key):
                found.append(Reference(key, path, number, key=key.lstrip("/"), mode=mode))
    return found


def parse(text: str, *, path: str, line: int, mode: str) -> Reference | None:
    """The reference stored as ``text`` (an evidence row's detail), or None if it is not one."""
    for found in references_in(path, text):
        if found.text == text or found.key == text.lstrip("/"):
            return Reference(
                found.text, path, line, bucket=found.bucket, key=found.key, run=found.run, mode=mode
            )
    return None


def is_deployment(path: str, text: str) -> bool:
    """Whether the file configures what is deployed (so a version it names is serving)."""
    posix = PurePosixPath(path)
    name = posix.name.lower()
    if name.startswith(("dockerfile", "containerfile", "docker-compose", "compose.")):
        return True
    if "templates" in posix.parts or name in {"chart.yaml", "kustomization.yaml"}:
        return posix.suffix in {".yaml", ".yml", ".tpl"}
    if posix.suffix in {".yaml", ".yml"}:
        if name.startswith("values") or {"helm", "charts", "k8s", "kubernetes", "deploy"} & set(
            posix.parts
        ):
            return True
        return bool(_WORKLOAD.search(text))
    return False


def _clean(key: str) -> str:
    # Trailing punctuation of prose and string formatting ({version}) is not part of a key.
    key = key.rstrip(".:")
    cut = min((i for i in (key.find("{"), key.find("$"), key.find("%(")) if i != -1), default=-1)
    return key if cut == -1 else key[:cut]
