"""How many parser children a scan starts, and that their number never changes a finding."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scanning.engine import pipeline
from scanning.engine.options import ScanOptions
from tests.factories import write_tree


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def test_a_configured_number_wins_whatever_the_load():
    assert pipeline.scan_workers(3, load=100.0) == 3
    assert pipeline.scan_workers(1, load=0.0) == 1


@pytest.mark.skipif(_cpus() < 2, reason="needs two CPUs to choose between one and two children")
def test_two_children_only_while_a_cpu_is_idle():
    cpus = _cpus()
    assert pipeline.scan_workers(load=0.0) == 2
    assert pipeline.scan_workers(load=cpus - 0.5) == 2
    assert pipeline.scan_workers(load=float(cpus)) == 1
    assert pipeline.scan_workers(load=cpus * 3.0) == 1


def test_one_or_two_children_find_the_same(tmp_path: Path):
    files = {"requirements.txt": "requests\npyyaml\nnumpy\n", "Dockerfile": "RUN pip install x\n"}
    for n in range(450):  # past two children's minimum share of files
        files[f"app/mod_{n}.py"] = ("import requests\n", "import yaml\n", "import bs4\n")[n % 3]
    repo = write_tree(tmp_path / "repo", files)

    def summary(workers: int) -> tuple:
        tree = pipeline.scan_tree(repo, ScanOptions(workers=workers))
        return (
            sorted((f.kind, f.subject, f.summary) for f in tree.findings),
            [(u.name, u.path, u.line) for u in tree.usages],
            [m.path for m in tree.manifests],
        )

    assert summary(1) == summary(2)
