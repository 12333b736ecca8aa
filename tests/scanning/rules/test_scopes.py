"""Projects with a lock of their own are judged apart; a shared-lock workspace is one scope."""

from __future__ import annotations

from scanning.engine.pipeline import scan_tree
from scanning.rules import scopes
from tests.factories import write_tree


def _findings(tmp_path, files):
    tree = scan_tree(write_tree(tmp_path, files))
    return {(f.kind, f.subject): f for f in tree.findings}


def _project(name, dependencies):
    listed = ", ".join(f'"{d}"' for d in dependencies)
    return f'[project]\nname = "{name}"\nversion = "0"\ndependencies = [{listed}]\n'


TWO_PROJECTS = {
    "shop/pyproject.toml": _project("shop", ["requests", "numpy", "ruff"]),
    "shop/uv.lock": "version = 1\n",
    "shop/src/shop/app.py": "import requests\nimport numpy\n",
    "batch/pyproject.toml": _project("batch", ["requests", "ruff"]),
    "batch/uv.lock": "version = 1\n",
    "batch/src/batch/job.py": "import numpy\n",
    "Makefile": "lint:\n\truff check .\n",
}


def test_a_projects_declaration_serves_only_its_own_code(tmp_path):
    found = _findings(tmp_path, TWO_PROJECTS)
    unused = found[("unused", "requests")]
    assert {e.path for e in unused.evidence} == {"batch/pyproject.toml"}
    assert ("unused", "numpy") not in found


def test_a_projects_code_has_only_what_that_project_declares(tmp_path):
    found = _findings(tmp_path, TWO_PROJECTS)
    missing = found[("missing", "numpy")]
    assert {e.path for e in missing.evidence} == {"batch/src/batch/job.py"}


def test_shared_commands_serve_every_project(tmp_path):
    found = _findings(tmp_path, TWO_PROJECTS)
    assert ("unused", "ruff") not in found


def test_a_workspace_sharing_one_root_lock_is_one_scope(tmp_path):
    files = {
        "pyproject.toml": '[tool.uv.workspace]\nmembers = ["shop", "batch"]\n',
        "uv.lock": "version = 1\n",
        "shop/pyproject.toml": _project("shop", ["requests", "numpy"]),
        "shop/src/shop/app.py": "import requests\nimport numpy\n",
        "batch/pyproject.toml": _project("batch", ["requests"]),
        "batch/src/batch/job.py": "import numpy\n",
    }
    found = _findings(tmp_path, files)
    assert ("unused", "requests") not in found
    assert ("missing", "numpy") not in found


def test_project_roots_need_a_manifest_and_a_lock_in_the_same_folder():
    paths = ["a/pyproject.toml", "a/uv.lock", "b/pyproject.toml", "uv.lock", "pyproject.toml"]
    assert scopes.project_roots(paths) == ["a"]
    assert scopes.scope_of("a/src/x.py", ["a", "a/b"]) == "a"
    assert scopes.scope_of("a/b/x.py", ["a", "a/b"]) == "a/b"
    assert scopes.scope_of("ab/x.py", ["a"]) == scopes.WHOLE


def test_a_shared_command_naming_one_projects_files_serves_that_project_alone(tmp_path):
    files = {
        **TWO_PROJECTS,
        "shop/pyproject.toml": _project("shop", ["requests", "numpy", "ruff", "black"]),
        "batch/pyproject.toml": _project("batch", ["requests", "ruff", "black"]),
        "Makefile": "lint:\n\truff check .\nfmt:\n\tblack --check shop/src\n",
    }
    found = _findings(tmp_path, files)
    assert ("unused", "ruff") not in found
    unused = found[("unused", "black")]
    assert {e.path for e in unused.evidence} == {"batch/pyproject.toml"}
