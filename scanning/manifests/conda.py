"""conda environment files (``environment.yml``): conda packages and their ``pip:`` section.

conda names are mapped to PyPI names through ``conda_names``; interpreters, compilers and
other non-Python packages are no declarations. The ``pip:`` section is read like a
requirements file (``-r`` includes and ``-e`` paths work).
"""

from __future__ import annotations

import re

import yaml

from scanning.manifests import common, conda_names
from scanning.manifests.purpose import purpose_for_path
from scanning.manifests.requirements import RequirementsReader
from scanning.types import EXACT, RANGE, UNPINNED, Declaration, FileError, ManifestFile

KIND = "conda"
# The distribution that installs an environment file's ``pip:`` section: conda runs that
# section with the pip the file itself declares
# (https://docs.conda.io/projects/conda/en/stable/user-guide/tasks/manage-environments.html#using-pip-in-an-environment).
SECTION_INSTALLER = "pip"
# [channel::]name[ version[ build]] or name=version[=build] or name>=version
_SPEC = re.compile(r"^(?:[A-Za-z0-9_.\-/:]+::)?([A-Za-z0-9_.\-]+)\s*(.*)$")


def parse(source: common.Source, requirements: RequirementsReader) -> ManifestFile | None:
    try:
        document = yaml.compose(source.text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        manifest = source.manifest(KIND, purpose_for_path(source.path))
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        manifest.errors.append(FileError(source.path, "invalid YAML", line))
        return manifest
    except RecursionError:
        return None
    dependencies = _value(document, "dependencies")
    if not isinstance(dependencies, yaml.SequenceNode):
        return None  # an environment.yml of some other tool
    manifest = source.manifest(KIND, purpose_for_path(source.path))
    for node in dependencies.value:
        if isinstance(node, yaml.ScalarNode) and isinstance(node.value, str):
            common.add_result(manifest, declaration(node.value, manifest, node.start_mark.line + 1))
        pip = _value(node, "pip")
        if isinstance(pip, yaml.SequenceNode):
            for item in pip.value:
                if isinstance(item, yaml.ScalarNode) and isinstance(item.value, str):
                    text = common.strip_comment(item.value)
                    if text:
                        requirements.read_line(manifest, item.start_mark.line + 1, text)
    return manifest


def _value(node: object, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value
    return None


def declaration(spec: str, manifest: ManifestFile, line: int) -> Declaration | FileError | None:
    match = _SPEC.match(spec.strip())
    if not match:
        return FileError(manifest.path, f"invalid conda spec: {common.redact(spec)[:200]}", line)
    written, version = match.groups()
    name = conda_names.pypi_name(written)
    if name is None:
        return None
    canonical = common.canonical_name(name)
    if canonical is None:
        return FileError(manifest.path, f"invalid name: {common.redact(written)[:200]}", line)
    pin_level, pinned, specifier = _pin(version.strip())
    return Declaration(
        path=manifest.path,
        line=line,
        name=canonical,
        raw=common.redact(spec.strip()),
        purpose=manifest.purpose,
        specifier=specifier,
        pinned_version=pinned,
        pin_level=pin_level,
    )


def _pin(version: str) -> tuple[str, str, str]:
    """(pin level, pinned version, specifier) of a conda version: ``==1.2`` or ``=1.2=build``
    is exact, ``=1.2`` (conda's 1.2.*) and comparisons are ranges."""
    if not version:
        return UNPINNED, "", ""
    if version.startswith("=="):
        exact = version[2:].split("=")[0].strip()
        return EXACT, exact, f"=={exact}"
    if version.startswith("=") and version.count("=") >= 2:
        exact = version[1:].split("=")[0].strip()
        return EXACT, exact, f"=={exact}"
    if version.startswith("="):
        return RANGE, "", f"=={version[1:].strip()}.*"
    if " " in version and version[0] not in "<>!~":  # "1.2.3 build" (space-separated)
        exact = version.split()[0]
        return EXACT, exact, f"=={exact}"
    if version[0].isdigit():
        return RANGE, "", f"=={version}.*"
    return RANGE, "", version
