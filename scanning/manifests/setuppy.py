"""``setup.py``: literal ``install_requires``/``extras_require`` read statically (never run)."""

from __future__ import annotations

import ast

from scanning.manifests import common, pyliterals
from scanning.manifests.purpose import purpose_for_name, purpose_for_path
from scanning.types import RUNTIME, TEST, FileError, ManifestFile

KIND = "setup-py"


def parse(source: common.Source) -> ManifestFile | None:
    manifest = source.manifest(KIND, purpose_for_path(source.path))
    tree = pyliterals.parse_python(source)
    if isinstance(tree, FileError):
        manifest.errors.append(tree)
        return manifest
    names = pyliterals.module_names(tree)
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and pyliterals.call_name(node) == "setup"
    ]
    for call in calls:
        _read_setup_call(call, names, manifest)
    return manifest if calls or manifest.errors else None


def _read_setup_call(call: ast.Call, names: dict[str, ast.expr], manifest: ManifestFile) -> None:
    for argument, purpose in (("install_requires", RUNTIME), ("tests_require", TEST)):
        value = pyliterals.keyword(call, argument)
        if value is not None:
            _add_items(manifest, value, names, purpose, argument)
    extras = pyliterals.resolve(pyliterals.keyword(call, "extras_require"), names)
    if extras is None:
        return
    if not isinstance(extras, ast.Dict):
        manifest.errors.append(
            FileError(manifest.path, "extras_require is not literal", call.lineno)
        )
        return
    for key, value in zip(extras.keys, extras.values, strict=True):
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            extra = key.value.partition(":")[0]  # "extra:marker" keys are an old setuptools form
            _add_items(manifest, value, names, purpose_for_name(extra), "extras_require")


def _add_items(
    manifest: ManifestFile,
    value: ast.expr,
    names: dict[str, ast.expr],
    purpose: str,
    argument: str,
) -> None:
    items = pyliterals.string_items(value, names)
    if items is None:
        message = f"{argument} is not a literal list; not read"
        manifest.errors.append(FileError(manifest.path, message, value.lineno))
        return
    for text, line in items:
        result = common.declaration(text, path=manifest.path, line=line, purpose=purpose)
        common.add_result(manifest, result)
