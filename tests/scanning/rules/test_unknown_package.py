"""A declared distribution the configured package index does not know is a finding."""

from __future__ import annotations

import pytest

from scanning import rules
from scanning.engine.pipeline import scan_tree
from scanning.package_cache import importnames
from scanning.rules.unknown import unknown_packages
from scanning.types import NOT_ON_INDEX, Declaration, ProvidedImports
from tests.factories import write_tree
from tests.package_index import wheel

pytestmark = pytest.mark.django_db

_REPO = {
    "requirements.txt": "acme-billing-client==1.0\nchrono-parse-toolkit==2.0\n",
    "app/main.py": "import acme_billing_client, chronoparse\n",
}


def _serve_chrono(index) -> None:
    files = {
        "chrono_parse_toolkit-2.0-py3-none-any.whl": wheel(
            "chrono-parse-toolkit", "2.0", {"chronoparse/__init__.py": ""}
        )
    }
    index.add("chrono-parse-toolkit", files)


def _unknown(tree) -> dict[str, str]:
    findings = rules.run_rules(tree, kinds=rules.ALL_KINDS)
    return {f.subject: f.summary for f in findings if f.kind == "unknown-package"}


def test_a_declared_name_the_index_answers_404_for_is_an_unknown_package(package_index, tmp_path):
    _serve_chrono(package_index)
    tree = scan_tree(write_tree(tmp_path, _REPO), provided=importnames.provided_imports)
    found = _unknown(tree)
    assert set(found) == {"acme-billing-client"}
    assert "requirements.txt:1" in found["acme-billing-client"]
    assert "dependency confusion" in found["acme-billing-client"]


def test_the_answer_is_kept_from_the_cache_on_the_next_scan(package_index, tmp_path):
    _serve_chrono(package_index)
    root = write_tree(tmp_path, _REPO)
    scan_tree(root, provided=importnames.provided_imports)
    asked = len(package_index.requests)
    tree = scan_tree(root, provided=importnames.provided_imports)
    assert len(package_index.requests) == asked  # answered by the cache
    assert set(_unknown(tree)) == {"acme-billing-client"}


def test_without_an_index_nothing_is_called_unknown(settings, tmp_path):
    settings.DEBTBOARD_PACKAGE_INDEX_URL = ""
    tree = scan_tree(write_tree(tmp_path, _REPO), provided=importnames.provided_imports)
    assert _unknown(tree) == {}


def test_a_missing_wheel_file_is_not_a_missing_project(package_index, tmp_path):
    # The project page lists a wheel whose file is gone: the project exists.
    filename = "chrono_parse_toolkit-2.0-py3-none-any.whl"
    package_index.add("chrono-parse-toolkit", {filename: b"gone"})
    del package_index.files[f"/files/{filename}"]
    repo = {"requirements.txt": "chrono-parse-toolkit==2.0\n", "app/main.py": "import os\n"}
    tree = scan_tree(write_tree(tmp_path, repo), provided=importnames.provided_imports)
    assert _unknown(tree) == {}


def test_only_names_a_person_declared_are_checked():
    lock = Declaration("poetry.lock", 3, "ghost", "ghost==1", pin_level="locked")
    url = Declaration("requirements.txt", 1, "tool", "tool @ https://x/tool-1.tar.gz", url="x")
    provided = {
        n: ProvidedImports(n, (), "unknown", reason=f"package index: {NOT_ON_INDEX} (HTTP 404)")
        for n in ("ghost", "tool")
    }
    kinds = {"poetry.lock": "poetry-lock", "requirements.txt": "requirements"}
    assert unknown_packages([lock, url], provided, direct_kinds=kinds) == []
