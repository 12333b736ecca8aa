"""Pipenv's ``Pipfile``: ``[packages]``, ``[dev-packages]`` and custom package categories."""

from __future__ import annotations

from scanning.manifests import common
from scanning.manifests.purpose import purpose_for_name, purpose_for_path
from scanning.manifests.textlines import LineFinder
from scanning.types import DEV, RUNTIME, Declaration, FileError, ManifestFile

KIND = "pipfile"

_NOT_PACKAGES = frozenset({"source", "requires", "pipenv", "scripts"})


def parse(source: common.Source) -> ManifestFile:
    manifest = source.manifest(KIND, purpose_for_path(source.path))
    data = common.load_toml(source)
    if isinstance(data, FileError):
        manifest.errors.append(data)
        return manifest
    finder = LineFinder(source.text)
    for category, packages in data.items():
        if category in _NOT_PACKAGES or not isinstance(packages, dict):
            continue
        purpose = {"packages": RUNTIME, "dev-packages": DEV}.get(category)
        start = finder.section(category)
        for name, value in packages.items():
            line = finder.find_key(name, start)
            result = _declaration(
                name, value, source.path, line, purpose or purpose_for_name(category)
            )
            common.add_result(manifest, result)
    return manifest


def requirement_string(name: str, value: object) -> str | None:
    """The PEP 508 form of one Pipfile entry; None for local paths and odd shapes."""
    if isinstance(value, str):
        value = {"version": value}
    if not isinstance(value, dict) or "path" in value or "file" in value:
        return None
    extras = value.get("extras")
    text = name + (f"[{','.join(map(str, extras))}]" if isinstance(extras, list) and extras else "")
    git = value.get("git")
    version = value.get("version", "*")
    if isinstance(git, str):
        url = git if git.startswith("git+") else f"git+{git}"
        ref = value.get("ref")
        text += f" @ {url}@{ref}" if isinstance(ref, str) and ref else f" @ {url}"
    elif isinstance(version, str) and version.strip() not in ("", "*"):
        # pipenv reads a bare version ("1.0.0") as that exact version.
        text += f"=={version.strip()}" if version.strip()[:1].isdigit() else version.strip()
    markers = value.get("markers")
    return f"{text} ; {markers}" if isinstance(markers, str) and markers else text


def _declaration(
    name: str, value: object, path: str, line: int, purpose: str
) -> Declaration | FileError | None:
    if isinstance(value, dict) and ("path" in value or "file" in value):
        return None  # a local package: first-party code
    text = requirement_string(name, value)
    if text is None:
        return FileError(path, f"unsupported entry for {common.redact(name)[:100]}", line)
    editable = isinstance(value, dict) and value.get("editable") is True
    return common.declaration(text, path=path, line=line, purpose=purpose, editable=editable)
