"""pixi's ``pixi.toml``: conda and PyPI dependencies, per feature and per platform.

``[dependencies]`` holds conda packages (named as conda-forge names them: mapped to PyPI
names through ``conda_names``, interpreters and other non-Python packages dropped);
``[pypi-dependencies]`` holds PyPI requirements. Both also appear under
``[target.<platform>.*]`` and ``[feature.<name>.*]`` (and ``[feature.<name>.target.<p>.*]``);
a feature's purpose comes from its name (``tests`` → test).
https://pixi.sh/latest/reference/pixi_manifest/
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from scanning.manifests import common, conda
from scanning.manifests.pipfile import requirement_string
from scanning.manifests.purpose import purpose_for_name, purpose_for_path
from scanning.manifests.textlines import LineFinder
from scanning.types import Declaration, FileError, ManifestFile

KIND = "pixi"
CONDA, PYPI = "dependencies", "pypi-dependencies"


def parse(source: common.Source) -> ManifestFile:
    manifest = source.manifest(KIND, purpose_for_path(source.path))
    data = common.load_toml(source)
    if isinstance(data, FileError):
        manifest.errors.append(data)
        return manifest
    finder = LineFinder(source.text)
    for header, table, feature in _dependency_tables(data):
        purpose = purpose_for_name(feature, manifest.purpose) if feature else manifest.purpose
        start = finder.section(header)
        for name, value in table.items():
            line = finder.find_key(str(name), start)
            if header.endswith(PYPI):
                result = _pypi(str(name), value, source.path, line, purpose)
            else:
                result = _conda(str(name), value, manifest, line)
                if isinstance(result, Declaration):
                    result = _with_purpose(result, purpose)
            common.add_result(manifest, result)
    return manifest


def _dependency_tables(data: dict) -> Iterator[tuple[str, dict, str]]:
    """(header as written, its table, feature name or "") for every dependency table."""
    yield from _tables(data, "", "")
    features = data.get("feature")
    if isinstance(features, dict):
        for feature, body in features.items():
            if isinstance(body, dict):
                yield from _tables(body, f"feature.{feature}.", str(feature))


def _tables(body: dict, prefix: str, feature: str) -> Iterator[tuple[str, dict, str]]:
    for kind in (CONDA, PYPI):
        table = body.get(kind)
        if isinstance(table, dict):
            yield f"{prefix}{kind}", table, feature
    targets = body.get("target")
    if isinstance(targets, dict):
        for platform, target in targets.items():
            for kind in (CONDA, PYPI):
                table = target.get(kind) if isinstance(target, dict) else None
                if isinstance(table, dict):
                    yield f"{prefix}target.{platform}.{kind}", table, feature


def _conda(
    name: str, value: object, manifest: ManifestFile, line: int
) -> Declaration | FileError | None:
    version = value.get("version", "") if isinstance(value, dict) else value
    version = version.strip() if isinstance(version, str) else ""
    if version in ("", "*"):
        return conda.declaration(name, manifest, line)
    spec = f"{name}{version}" if version[0] in "<>=!~" else f"{name} {version}"
    return conda.declaration(spec, manifest, line)


def _pypi(
    name: str, value: object, path: str, line: int, purpose: str
) -> Declaration | FileError | None:
    if isinstance(value, dict) and ("path" in value or "editable" in value):
        return None  # a local package, most often the project itself: first-party code
    if isinstance(value, dict) and isinstance(value.get("git"), str) and "ref" not in value:
        value = {**value, "ref": value.get("rev") or value.get("tag") or value.get("branch")}
    text = requirement_string(name, value)
    if text is None:
        return FileError(path, f"unsupported entry for {common.redact(name)[:100]}", line)
    return common.declaration(text, path=path, line=line, purpose=purpose)


def _with_purpose(declaration: Declaration, purpose: str) -> Declaration:
    if declaration.purpose == purpose:
        return declaration
    return dataclasses.replace(declaration, purpose=purpose)
