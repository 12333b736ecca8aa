"""A CI workflow is composed once per parse of its file, read both as a manifest and as evidence."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scanning.engine import pipeline
from scanning.evidence import sources
from tests.factories import write_tree

WORKFLOW = """\
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pip install -r requirements.txt tox
      - run: tox -e py
"""
BROKEN = "jobs:\n  test:\n    steps: [run: pip install a\n"


@pytest.fixture
def composed(monkeypatch) -> list[str]:
    """Every text PyYAML composes."""
    texts: list[str] = []
    real = yaml.compose_all

    def counting(text, Loader):
        texts.append(text)
        return real(text, Loader=Loader)

    monkeypatch.setattr(yaml, "compose_all", counting)
    return texts


def _parse(root: Path, path: str) -> pipeline.FileParse:
    return pipeline.parse_file(root, path, pipeline.ParseContext(()))


def _uncached(root: Path, path: str) -> pipeline.FileParse:
    """The same parse with every reader composing the text itself, as before the sharing."""
    real = sources.yaml_nodes

    def afresh(text: str) -> list[yaml.Node]:
        sources._composed = None
        return real(text)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sources, "yaml_nodes", afresh)
        patch.setattr("scanning.evidence.ciconfig.yaml_nodes", afresh)
        patch.setattr("scanning.manifests.ci.sources.yaml_nodes", afresh)
        return _parse(root, path)


def _facts(parsed: pipeline.FileParse) -> tuple:
    return (
        [(m.path, m.kind, m.declarations, m.errors) for m in parsed.manifests],
        parsed.usages,
        parsed.errors,
    )


def test_a_workflow_is_composed_once_for_its_manifest_and_its_evidence(tmp_path, composed):
    root = write_tree(tmp_path / "repo", {".github/workflows/ci.yml": WORKFLOW})
    parsed = _parse(root, ".github/workflows/ci.yml")
    assert composed == [WORKFLOW]
    assert [d.name for m in parsed.manifests for d in m.declarations] == ["tox"]
    assert any(u.name == "tox" for u in parsed.usages)
    composed.clear()
    assert _facts(_uncached(root, ".github/workflows/ci.yml")) == _facts(parsed)
    assert len(composed) == 2  # what each reader did on its own


def test_invalid_yaml_is_reported_by_both_readers_as_before(tmp_path, composed):
    root = write_tree(tmp_path / "repo", {".github/workflows/broken.yml": BROKEN})
    parsed = _parse(root, ".github/workflows/broken.yml")
    assert composed == [BROKEN]  # the error is given back, not composed again
    manifest_errors = [e.message for m in parsed.manifests for e in m.errors]
    assert manifest_errors[:1] and manifest_errors[0].startswith("invalid YAML")
    assert parsed.errors and parsed.errors[0].message.startswith("invalid YAML")
    assert _facts(_uncached(root, ".github/workflows/broken.yml")) == _facts(parsed)


def test_another_text_is_composed_afresh(composed):
    first = sources.yaml_nodes("a: 1\n")
    assert sources.yaml_nodes("a: 1\n") is first
    second = sources.yaml_nodes("a: 2\n")
    assert second[0].value[0][1].value == "2"
    assert sources.yaml_nodes("a: 1\n") is not first  # only the last text is kept
    assert composed == ["a: 1\n", "a: 2\n", "a: 1\n"]
