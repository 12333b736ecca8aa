"""pixi.toml: conda and PyPI dependencies, per feature and platform, with their purposes."""

from __future__ import annotations

from scanning.manifests import pixi
from scanning.types import RUNTIME, TEST

PIXI = """\
[project]
name = "book"
channels = ["conda-forge"]
platforms = ["linux-64", "win-64"]

[dependencies]
python = "3.10.*"
pytorch-cpu = ">=2.6.0,<3"
tqdm = ">=4.67.1,<5"
numpy = "*"

[pypi-dependencies]
tensorflow = ">=2.18.0, <3"
book = { path = ".", editable = true }

[target.win-64.pypi-dependencies]
tensorflow-cpu = ">=2.18.0, <3"

[feature.tests.dependencies]
pytest = ">=8.3.4,<9"

[feature.tests.pypi-dependencies]
pytest-ruff = ">=0.4.1, <0.5"

[feature.tests.target.win-64.pypi-dependencies]
tensorflow-io-gcs-filesystem = "==0.31.0"
"""


def test_every_dependency_table_is_read_with_its_line_and_purpose(scan):
    manifest = scan({"pixi.toml": PIXI})["pixi.toml"]
    assert manifest.kind == pixi.KIND
    assert manifest.errors == []
    found = {d.name: (d.line, d.purpose) for d in manifest.declarations}
    assert found == {
        "torch": (8, RUNTIME),  # conda-forge's pytorch-cpu is PyPI's torch
        "tqdm": (9, RUNTIME),
        "numpy": (10, RUNTIME),
        "tensorflow": (13, RUNTIME),
        "tensorflow-cpu": (17, RUNTIME),
        "pytest": (20, TEST),
        "pytest-ruff": (23, TEST),
        "tensorflow-io-gcs-filesystem": (26, TEST),
    }


def test_pins_are_read_from_conda_and_pypi_specs(scan):
    manifest = scan({"pixi.toml": PIXI})["pixi.toml"]
    by_name = {d.name: d for d in manifest.declarations}
    assert by_name["tensorflow-io-gcs-filesystem"].pinned_version == "0.31.0"
    assert by_name["numpy"].pin_level == "unpinned"


def test_a_broken_pixi_file_is_an_error_not_a_crash(scan):
    manifest = scan({"pixi.toml": "[dependencies\nnumpy = 1\n"})["pixi.toml"]
    assert manifest.errors and manifest.declarations == []
