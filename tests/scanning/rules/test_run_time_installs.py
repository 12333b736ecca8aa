"""Installs in CI steps and notebook cells are neither declarations nor evidence of use."""

from __future__ import annotations

import json

from .conftest import kinds_and_subjects

_WORKFLOW = (
    "on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n"
    "      - run: pip install pytest-cov coverage-badge\n"
    "      - run: pytest --cov\n"
)


def _notebook(*cells: str) -> str:
    return json.dumps(
        {
            "nbformat": 4,
            "cells": [{"cell_type": "code", "source": cell, "metadata": {}} for cell in cells],
        }
    )


def test_a_package_only_a_ci_step_installs_is_never_unused(scan):
    found = kinds_and_subjects(
        scan(
            {
                "requirements.txt": "flask==3.0\n",
                ".github/workflows/ci.yml": _WORKFLOW,
                "app.py": "import flask\n",
            }
        )
    )
    assert ("unused", "coverage-badge") not in found
    assert ("unused", "pytest-cov") not in found


def test_a_ci_install_is_no_use_of_the_declared_package(scan):
    workflow = _WORKFLOW.replace("pytest-cov coverage-badge", '"keras>=3.5" tensorflow')
    found = kinds_and_subjects(
        scan(
            {
                "pyproject.toml": (
                    '[project]\nname = "app"\nversion = "1"\ndependencies = ["tensorflow"]\n'
                    '[project.optional-dependencies]\nexport = ["keras>=3.5"]\n'
                ),
                ".github/workflows/ci.yml": workflow,
                "app.py": "import tensorflow as tf\nmodel = tf.keras.Sequential()\n",
            }
        )
    )
    assert ("unused", "keras") in found
    assert ("unused", "tensorflow") not in found


def test_a_ci_install_of_a_dev_tool_it_runs_is_a_use(scan):
    found = kinds_and_subjects(
        scan(
            {
                "requirements.txt": "flask==3.0\n",
                "requirements-dev.txt": "pytest-cov==5.0\n",
                ".github/workflows/ci.yml": _WORKFLOW,
                "app.py": "import flask\n",
            }
        )
    )
    assert ("unused", "pytest-cov") not in found


def test_an_import_only_a_ci_step_installs_is_still_missing_and_says_so(scan):
    workflow = _WORKFLOW.replace("pytest-cov coverage-badge", "pytest")
    findings = scan(
        {
            "requirements.txt": "flask==3.0\n",
            ".github/workflows/ci.yml": workflow,
            "app.py": "import flask\n",
            "tests/test_app.py": "import pytest\n",
        }
    )
    [missing] = [f for f in findings if f.kind == "missing" and f.subject == "pytest"]
    assert "installed only by .github/workflows/ci.yml:6 at run time" in missing.summary


def test_a_notebook_pip_install_is_not_a_declaration(scan):
    notebook = _notebook("import os", "", "%pip install seaborn==0.13.2\nimport seaborn as sns")
    findings = scan(
        {"requirements.txt": "flask==3.0\n", "analysis.ipynb": notebook, "app.py": "import flask\n"}
    )
    [missing] = [f for f in findings if f.kind == "missing" and f.subject == "seaborn"]
    assert "installed only by analysis.ipynb:3 at run time" in missing.summary


def test_a_package_a_notebook_installs_and_never_imports_is_not_unused(scan):
    notebook = _notebook("!pip install -q tqdm\n!{sys.executable} -m pip install rich")
    found = kinds_and_subjects(
        scan({"requirements.txt": "flask==3.0\n", "nb.ipynb": notebook, "app.py": "import flask"})
    )
    assert not {f for f in found if f[1] in ("tqdm", "rich") and f[0] == "unused"}


def test_notebook_installs_have_their_pins_audited(scan):
    notebook = _notebook("%pip install pandas scikit-learn==1.5.0")
    findings = scan(
        {"requirements.txt": "flask==3.0\n", "nb.ipynb": notebook, "app.py": "import flask"}
    )
    unpinned = {f.subject: f.summary for f in findings if f.kind == "unpinned"}
    assert set(unpinned) == {"pandas"}
    assert "nb.ipynb:1" in unpinned["pandas"]


def test_a_typo_in_a_ci_install_is_still_a_typosquat_suspect(scan):
    workflow = _WORKFLOW.replace("pytest-cov coverage-badge", "reqeusts")
    found = kinds_and_subjects(
        scan(
            {
                ".github/workflows/ci.yml": workflow,
                "requirements.txt": "flask==3.0\n",
                "app.py": "import flask\n",
            }
        )
    )
    assert ("typosquat", "reqeusts") in found


def test_inline_code_of_a_ci_file_is_served_by_that_files_own_install(scan):
    workflow = (
        "on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n"
        "      - run: pip install PyGithub\n"
        "      - shell: python\n        run: |\n          from github import Github\n"
    )
    found = kinds_and_subjects(
        scan(
            {
                "requirements.txt": "flask==3.0\n",
                ".github/workflows/bot.yml": workflow,
                "app.py": "import flask\n",
            }
        )
    )
    assert ("missing", "pygithub") not in found
