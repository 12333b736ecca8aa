"""CI pipelines (GitHub Actions workflows, ``.gitlab-ci.yml``): install commands in any string.

The YAML is composed, not constructed: aliases stay shared nodes, so an alias bomb costs one
visit per node instead of an exponential expansion.
"""

from __future__ import annotations

import yaml

from scanning.evidence import sources
from scanning.manifests import common
from scanning.manifests.commands import CommandReader, shell_lines
from scanning.manifests.requirements import RequirementsReader
from scanning.types import DEV, FileError, ManifestFile

KIND = "ci"


def parse(source: common.Source, requirements: RequirementsReader) -> ManifestFile:
    manifest = source.manifest(KIND, DEV)
    reader = CommandReader(manifest, requirements)
    try:
        for scalar in _scalars(source.text):
            _read_scalar(reader, scalar)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        problem = getattr(exc, "problem", None) or type(exc).__name__
        manifest.errors.append(FileError(source.path, f"invalid YAML: {problem}", line))
    except RecursionError:
        manifest.errors.append(FileError(source.path, "invalid YAML: nested too deeply"))
    return manifest


def _scalars(text: str) -> list[yaml.ScalarNode]:
    """Every string scalar of every document, each node once however often it is aliased."""
    found: list[yaml.ScalarNode] = []
    seen: set[int] = set()
    for document in sources.yaml_nodes(text):
        stack: list[yaml.Node] = [document] if document is not None else []
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, yaml.ScalarNode):
                if isinstance(node.value, str) and ("install" in node.value or "add" in node.value):
                    found.append(node)
            elif isinstance(node, yaml.SequenceNode):
                stack.extend(reversed(node.value))
            elif isinstance(node, yaml.MappingNode):
                for key, value in reversed(node.value):
                    stack.extend((value, key))
    return found


def _read_scalar(reader: CommandReader, scalar: yaml.ScalarNode) -> None:
    # A block scalar ("run: |") starts on the line after its indicator.
    first_line = scalar.start_mark.line + (2 if scalar.style in ("|", ">") else 1)
    for offset, text in shell_lines(scalar.value):
        reader.shell(text, first_line + offset - 1)
