"""Packages a distribution loads by itself when installed: the table and what it decides."""

from __future__ import annotations

import pytest
from packaging.utils import canonicalize_name

from scanning.distributions import autoload

from .conftest import Scan, kinds_and_subjects


@pytest.mark.parametrize(("parent", "entry"), sorted(autoload.LOADED_WHEN_INSTALLED.items()))
def test_each_entry_names_canonical_packages_and_its_source(parent, entry) -> None:
    assert entry.source.startswith("https://")
    assert parent == canonicalize_name(parent)
    assert entry.packages and all(p == canonicalize_name(p) for p in entry.packages)
    assert all(parent in autoload.parents_loading(p) for p in entry.packages)


def test_a_package_a_used_parent_loads_when_installed_is_used(scan: Scan) -> None:
    files = {
        "requirements.txt": "redis==5.0.1\nhiredis==2.3.2\nuvicorn==0.30.0\nhttptools==0.6.1\n",
        "app/cache.py": "import redis\n",
        "Dockerfile": 'FROM python:3.12\nCMD ["uvicorn", "app.main:app"]\n',
    }
    found = kinds_and_subjects(scan(files))
    assert not {k for k in found if k[1] in {"hiredis", "httptools"} and k[0] != "unpinned"}


def test_beside_an_unused_parent_it_is_unused_too(scan: Scan) -> None:
    files = {"requirements.txt": "redis==5.0.1\nhiredis==2.3.2\n", "app/main.py": "import json\n"}
    found = kinds_and_subjects(scan(files))
    assert ("unused", "hiredis") in found
    assert ("unused", "redis") in found
