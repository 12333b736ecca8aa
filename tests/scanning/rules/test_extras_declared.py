"""What a declared extra installs is declared: celery[redis] declares what redis:// needs."""

from __future__ import annotations

import pytest

from scanning import manifests
from scanning.evidence import collect_usages, first_party_modules
from scanning.rules import run_rules
from scanning.types import TreeScan
from tests.factories import write_tree

SETTINGS = 'CELERY_BROKER_URL = "redis://cache:6379/0"\n'


def _kinds(tmp_path, files):
    root = write_tree(tmp_path, files)
    paths = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    usages, _ = collect_usages(root, paths)
    tree = TreeScan(manifests=manifests.parse_manifests(root, paths), usages=usages, paths=paths)
    tree.first_party = first_party_modules(paths)
    return {(f.kind, f.subject) for f in run_rules(tree)}


@pytest.mark.parametrize(
    ("requirement", "missing"),
    [("celery[redis]==5.4.0", False), ("celery==5.4.0", True), ("celery[sqs]==5.4.0", True)],
)
def test_an_extra_declares_what_it_installs(tmp_path, requirement, missing) -> None:
    found = _kinds(tmp_path, {"requirements.txt": f"{requirement}\n", "proj/settings.py": SETTINGS})
    assert (("missing", "redis") in found or ("transitive", "redis") in found) is missing


def test_a_package_declared_beside_the_extra_is_still_used(tmp_path) -> None:
    requirements = "django-storages[s3]==1.14\nboto3==1.34\n"
    settings = 'STORAGES = {"default": {"BACKEND": "storages.backends.s3.S3Storage"}}\n'
    found = _kinds(tmp_path, {"requirements.txt": requirements, "app/settings.py": settings})
    assert ("unused", "boto3") not in found
    assert not {f for f in found if f[1] == "boto3"}


def test_an_import_a_declared_extra_installs_is_not_transitive_beside_a_lock(tmp_path) -> None:
    pyproject = (
        '[tool.poetry]\nname = "app"\nversion = "1"\n\n[tool.poetry.dependencies]\n'
        'python = "^3.11"\npasslib = { version = "^1.7", extras = ["bcrypt"] }\n'
    )
    lock = (
        '[[package]]\nname = "passlib"\nversion = "1.7.4"\n\n'
        '[[package]]\nname = "bcrypt"\nversion = "4.1.2"\n'
    )
    files = {"pyproject.toml": pyproject, "poetry.lock": lock, "app/security.py": "import bcrypt\n"}
    found = _kinds(tmp_path, files)
    assert not {f for f in found if f[1] == "bcrypt"}
