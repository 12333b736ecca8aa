"""conda environment files are manifests; conda names become PyPI names through a table."""

from __future__ import annotations

import pytest

from scanning.manifests import conda_names
from scanning.types import EXACT, RANGE, UNPINNED

ENVIRONMENT = """\
name: analysis
channels:
  - conda-forge
dependencies:
  - python=3.11
  - numpy=1.26
  - pandas==2.2.1
  - conda-forge::scikit-learn>=1.4
  - pytorch=2.2.0=py3.11_cuda12.1_0
  - cudatoolkit
  - r-ggplot2
  - seaborn
  - pip
  - pip:
      - requests==2.31.0  # the API client
      - -r requirements-extra.txt
"""


def test_environment_yml_declares_conda_and_pip_packages(scan):
    found = scan({"environment.yml": ENVIRONMENT, "requirements-extra.txt": "rich\n"})
    manifest = found["environment.yml"]
    assert manifest.kind == "conda"
    declared = {d.name: (d.pin_level, d.line) for d in manifest.declarations}
    assert declared == {
        "numpy": (RANGE, 6),
        "pandas": (EXACT, 7),
        "scikit-learn": (RANGE, 8),
        "torch": (EXACT, 9),
        "seaborn": (UNPINNED, 12),
        "requests": (EXACT, 15),
    }
    assert [d.name for d in found["requirements-extra.txt"].declarations] == ["rich"]


def test_an_environment_file_of_another_tool_is_no_manifest(scan):
    assert "environment.yml" not in scan({"environment.yml": "production:\n  url: x\n"})


def test_a_dev_environment_file_serves_dev(scan):
    found = scan({"environment-dev.yml": "dependencies:\n  - pytest\n"})
    assert found["environment-dev.yml"].declarations[0].purpose == "dev"


def test_invalid_yaml_is_an_error_not_a_crash(scan):
    found = scan({"environment.yml": "dependencies: [unclosed\n"})
    assert found["environment.yml"].errors


@pytest.mark.parametrize(("conda", "entry"), sorted(conda_names.CONDA_TO_PYPI.items()))
def test_each_conda_name_maps_to_its_pypi_name(conda, entry):
    pypi, source = entry
    assert conda_names.pypi_name(conda) == pypi
    assert pypi != conda and source


@pytest.mark.parametrize(("conda", "source"), sorted(conda_names.NOT_PYPI.items()))
def test_each_non_python_conda_package_is_no_declaration(conda, source):
    assert conda_names.pypi_name(conda) is None and source


def test_a_conda_name_in_neither_table_is_taken_as_its_pypi_name():
    assert conda_names.pypi_name("seaborn") == "seaborn"
    assert conda_names.pypi_name("r-dplyr") is None
