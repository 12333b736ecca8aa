"""Prevention written back: the deptry / pip-audit configuration for a kept record, applied to a
real repository, stops the finding on the next scan (ours and deptry's own)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.test import Client

from decisions import prevention as record_prevention
from decisions import services
from decisions.models import DecisionRecord, NextAction, State
from inventory.models import Role
from scanning import services as scanning_services
from scanning.gate import prevention
from tests import factories

_PYPROJECT = """[project]
name = "shop"
version = "1.0"
dependencies = ["requests", "six"]

[tool.ruff]
line-length = 100
"""
_FILES = {
    "pyproject.toml": _PYPROJECT,
    "shop/__init__.py": "",
    "shop/main.py": "import requests\nimport boto3.session\n",
}


def _scan(repository):
    run, _ = scanning_services.scan_run_create(repository=repository)
    return services.repository_scan(repository_id=repository.pk, scan_run_id=run.pk)


def _commit(root, message="change"):
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "commit", "-qam", message], cwd=root, check=True)


def _keep(record, actor):
    return services.record_update(
        record=record,
        actor=actor,
        changes={"next_action": NextAction.KEEP, "current_purpose": "loaded by a plugin"},
    )


def _deptry_codes(root) -> set[tuple[str, str]]:
    deptry = shutil.which("deptry", path=str(Path(sys.executable).parent))
    if deptry is None:
        pytest.skip("deptry is not installed")
    done = subprocess.run(
        [deptry, ".", "--json-output", "out.json"], cwd=root, capture_output=True, text=True
    )
    found = json.loads((root / "out.json").read_text())
    (root / "out.json").unlink()
    assert done.returncode in (0, 1), done.stderr
    return {(v["error"]["code"], v["module"]) for v in found}


@pytest.fixture
def repo(tmp_path, team):
    path = factories.git_repository(tmp_path / "shop", _FILES)
    return factories.repository(team, location=str(path))


def test_the_deptry_config_for_kept_records_stops_both_scanners(repo, team):
    lead = factories.member(team, Role.TRIAGER)
    root = Path(repo.location)
    _scan(repo)
    unused = DecisionRecord.objects.get(repository=repo, kind="unused", subject="six")
    missing = DecisionRecord.objects.get(repository=repo, kind="missing", subject="boto3")
    before = _deptry_codes(root)
    assert ("DEP002", "six") in before
    # DEP001, or DEP003 where the environment deptry runs in has boto3 installed.
    assert {("DEP001", "boto3"), ("DEP003", "boto3")} & before

    _keep(unused, lead)
    _keep(missing, lead)
    [change] = record_prevention.repository_prevention(repo)
    assert change.tool == "deptry" and change.where == "pyproject.toml"
    assert change.text.startswith("--- a/pyproject.toml\n+++ b/pyproject.toml\n")
    # Applied as people would: the patch, with git.
    (root / "change.patch").write_text(change.text)
    subprocess.run(["git", "apply", "change.patch"], cwd=root, check=True)
    (root / "change.patch").unlink()
    _commit(root)

    settings = tomllib.loads((root / "pyproject.toml").read_text())
    assert settings["tool"]["deptry"]["per_rule_ignores"] == {
        "DEP001": ["boto3"],
        "DEP002": ["six"],
        "DEP003": ["boto3"],
    }
    assert settings["tool"]["ruff"] == {"line-length": 100}  # the rest is untouched
    assert not {("DEP002", "six"), ("DEP001", "boto3"), ("DEP003", "boto3")} & _deptry_codes(root)
    run = _scan(repo)
    assert run.status == "succeeded"
    for record in (unused, missing):
        record.refresh_from_db()
        assert record.state == State.KEPT
        assert record.events.filter(comment__icontains="kept by repository configuration").exists()
    # Now the repository's configuration keeps them: nothing left to copy.
    assert record_prevention.repository_prevention(repo) == []


def test_the_record_page_shows_the_patch_and_the_download_has_it_all(repo, team, client):
    lead = factories.member(team, Role.TRIAGER)
    _scan(repo)
    record = DecisionRecord.objects.get(repository=repo, kind="unused", subject="six")
    client.force_login(lead)

    before = client.get(f"/records/{record.pk}/").content.decode()
    _keep(record, lead)
    after = client.get(f"/records/{record.pk}/").content.decode()
    download = client.get(f"/repositories/{repo.pk}/prevention.txt")

    assert 'id="prevention"' not in before
    assert 'id="prevention"' in after
    assert "+DEP002 = [&quot;six&quot;]" in after
    assert download["Content-Disposition"].startswith("attachment")
    assert '+DEP002 = ["six"]' in download.content.decode()


def test_the_download_is_for_people_who_can_see_the_repository(repo):
    outsider = factories.member(factories.team(), Role.TRIAGER)
    client = Client()
    client.force_login(outsider)

    assert client.get(f"/repositories/{repo.pk}/prevention.txt").status_code == 404


def test_existing_ignores_are_merged_not_duplicated():
    current = '[tool.deptry.per_rule_ignores]\nDEP002 = ["attrs"]\n\n[tool.black]\nx = 1\n'

    patch = prevention.deptry_patch(current, {"DEP002": {"six"}, "DEP001": {"boto3"}})

    data = tomllib.loads(patch.new_text)
    assert data["tool"]["deptry"]["per_rule_ignores"] == {
        "DEP001": ["boto3"],
        "DEP002": ["attrs", "six"],
    }
    assert data["tool"]["black"] == {"x": 1}


def test_an_inline_table_is_left_to_merge_by_hand():
    current = '[tool.deptry]\nper_rule_ignores = { DEP002 = ["attrs"] }\n'

    patch = prevention.deptry_patch(current, {"DEP002": {"six"}})

    assert patch.new_text == "" and patch.diff == ""
    assert "by hand" in patch.note
    assert 'DEP002 = ["attrs", "six"]' in patch.table


def test_a_repository_without_pyproject_gets_a_new_file():
    patch = prevention.deptry_patch(None, {"DEP002": {"six"}})

    assert patch.diff.startswith("--- /dev/null\n+++ b/pyproject.toml\n")
    assert tomllib.loads(patch.new_text)["tool"]["deptry"]["per_rule_ignores"] == {
        "DEP002": ["six"]
    }


def test_missing_and_transitive_ignore_the_module_deptry_reports():
    assert prevention.deptry_ignores("missing", "pyyaml", ["yaml.loader"]) == {
        "DEP001": {"yaml"},
        "DEP003": {"yaml"},
    }
    assert prevention.deptry_ignores("unused", "pyyaml", ["yaml"]) == {"DEP002": {"pyyaml"}}
    with pytest.raises(ValueError):
        prevention.deptry_ignores("vulnerable", "x")


def test_pip_audit_ignores_carry_reason_owner_and_expiry_on_one_line():
    text = prevention.pip_audit_ignores(
        ["PYSEC-2019-217", "GHSA-462w-v97r-4m45", "$(rm -rf /)"],
        reason="sandbox unused\nrm -rf /",
        owner="owner",
        expires="2027-01-31",
    )

    comment, command, *rest = text.splitlines()
    assert rest == []
    assert comment.startswith("# Kept in Debtboard; reason: sandbox unused rm -rf /;")
    assert "owner: owner; expires: 2027-01-31" in comment
    assert command == "pip-audit --ignore-vuln GHSA-462w-v97r-4m45 --ignore-vuln PYSEC-2019-217"


def test_a_kept_vulnerability_gets_its_pip_audit_ignores(repository, team):
    owner = factories.member(team, Role.OWNER)
    run = repository.scan_runs.create(
        status="succeeded",
        audit={"vulnerable": [{"name": "jinja2", "advisories": [{"id": "PYSEC-2019-217"}]}]},
    )
    record = factories.record(
        repository, kind="vulnerable", subject="jinja2", last_seen_scan=run, owner=owner
    )
    assert record_prevention.record_prevention(record) is None  # not kept yet

    record.next_action = NextAction.KEEP
    record.current_purpose = "sandbox not used"
    record.save()
    found = record_prevention.record_prevention(record)

    assert found.tool == "pip-audit"
    assert "--ignore-vuln PYSEC-2019-217" in found.text
    assert f"owner: {owner.username}" in found.text
