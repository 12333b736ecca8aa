from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from scanning import database_sources
from tests.factories import write_tree

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "advisories"

_REPO = {
    "requirements.txt": "requests==2.31.0\npandas==2.1.0\n",
    "requirements-dev.txt": "rich\n",
    "app/__init__.py": "",
    "app/main.py": "import requests\nimport boto3\nimport rich\n",
    "app/broken.py": "def (:\n",
}


def _run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("scan", *args, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_json_output_has_deptry_codes_beside_ours(tmp_path):
    status, output = _run(str(write_tree(tmp_path, _REPO)), "--format", "json")
    assert status == 1
    data = json.loads(output)
    assert data["path"] == str(tmp_path)
    assert data["files_seen"] == 5
    codes = {(f["code"], f["kind"], f["subject"]) for f in data["findings"]}
    assert ("DEP001", "missing", "boto3") in codes
    assert ("DEP002", "unused", "pandas") in codes
    [unused] = [f for f in data["findings"] if f["kind"] == "unused"]
    assert unused["confidence"] == "low"  # bare: pandas' import names assumed from its name
    assert ("DEP004", "misplaced-dev", "rich") in codes
    assert ("DBT103", "no-lock", "(repository)") in codes
    [missing] = [f for f in data["findings"] if f["kind"] == "missing"]
    assert missing["locations"] == [{"path": "app/main.py", "line": 2, "mode": "web"}]
    assert all(
        set(f) == {"code", "kind", "subject", "summary", "confidence", "locations"}
        for f in data["findings"]
    )
    assert any(error["path"] == "app/broken.py" for error in data["errors"])


def test_text_output_lists_findings_and_errors(tmp_path):
    status, output = _run(str(write_tree(tmp_path, _REPO)))
    assert status == 1
    assert "app/main.py:2: DEP001 missing boto3:" in output
    assert "requirements.txt:2: DEP002 unused pandas:" in output
    assert "app/broken.py" in output
    assert output.rstrip().endswith("finding(s).")


def test_clean_repository_exits_zero(tmp_path):
    files = {
        "requirements.in": "requests\n",
        "requirements.txt": "requests==2.31.0\n",
        "app/main.py": "import requests\n",
    }
    status, output = _run(str(write_tree(tmp_path, files)), "--format", "json")
    assert status == 0
    assert json.loads(output)["findings"] == []


def test_weight_files_in_a_plain_directory_are_reported(tmp_path):
    write_tree(tmp_path, {"app.py": "import os\n"})
    (tmp_path / "model.pt").write_bytes(b"\0" * 2048)
    status, output = _run(str(tmp_path), "--format", "json", "--weight-threshold-mb", "0.001")
    assert status == 1
    assert [f["subject"] for f in json.loads(output)["findings"]] == ["model.pt"]


def test_known_first_party_option(tmp_path):
    files = {"requirements.in": "", "requirements.txt": "", "a.py": "import corelib\n"}
    write_tree(tmp_path, files)
    assert _run(str(tmp_path))[0] == 1
    assert _run(str(tmp_path), "--known-first-party", "corelib")[0] == 0


def test_missing_directory_is_a_usage_error(tmp_path):
    with pytest.raises(CommandError) as raised:
        call_command("scan", str(tmp_path / "nowhere"))
    assert raised.value.returncode == 2


def test_the_command_writes_nothing(tmp_path):
    from inventory.models import Package
    from scanning.models import ScanRun

    status, _ = _run(str(write_tree(tmp_path, _REPO)))
    assert status == 1
    assert not Package.objects.exists()
    assert not ScanRun.objects.exists()


def test_pinned_versions_are_audited_against_the_mirror(tmp_path):
    from scanning.advisories import store

    store.advisories_sync(source=str(FIXTURES / "pypa"))
    files = {"requirements.txt": "jinja2==2.10\nrequests\n", "a.py": "import jinja2, requests\n"}
    repo = write_tree(tmp_path, files)
    status, out = _run(str(repo), "--format", "json")
    data = json.loads(out)
    assert status == 1
    [finding] = [f for f in data["findings"] if f["code"] == "DBT106"]
    assert finding["subject"] == "jinja2"
    assert "PYSEC-2019-217" in finding["summary"]
    assert "2.10.1" in finding["summary"]
    reasons = json.dumps(data["audit"])
    assert "requests" in reasons  # unpinned: said to be not audited, never silently clean
    assert data["audit"]["gate"] != "pass"


def test_without_a_database_nothing_is_audited_and_the_gate_is_unknown(tmp_path, monkeypatch):
    from django.db import DatabaseError

    def unavailable(declarations, **options):
        raise DatabaseError("no such table: scanning_advisory")

    monkeypatch.setattr(database_sources.services, "audit_declarations", unavailable)
    _status, out = _run(str(write_tree(tmp_path, _REPO)), "--format", "json")
    data = json.loads(out)
    assert data["audit"]["gate"] == "unknown"
    assert "advisory database unavailable" in data["audit"]["reasons"][0]


_CHRONO_REPO = {
    "requirements.txt": "chrono-parse-toolkit==2.0\n",
    "app/main.py": "import chronoparse\n",
}


def _serve_chrono(index) -> None:
    from tests.package_index import wheel

    body = wheel("chrono-parse-toolkit", "2.0", {"chronoparse/__init__.py": ""})
    index.add("chrono-parse-toolkit", {"chrono_parse_toolkit-2.0-py3-none-any.whl": body})


def test_the_command_looks_packages_up_on_the_index_but_caches_nothing(package_index, tmp_path):
    from inventory.models import Package
    from scanning.models import PackageMetadata

    _serve_chrono(package_index)

    _status, out = _run(str(write_tree(tmp_path, _CHRONO_REPO)), "--format", "json")

    data = json.loads(out)
    assert not [f for f in data["findings"] if f["kind"] in ("unused", "missing")]
    assert data["audit"]["import_names"]["sources"] == {"index": 1}
    assert not Package.objects.exists()
    assert not PackageMetadata.objects.exists()  # the licence lookup asked the index too


def test_the_command_reads_the_cache_of_what_packages_provide(tmp_path, settings):
    from django.utils import timezone

    from inventory.models import Package
    from scanning.distributions import facts

    settings.DEBTBOARD_PACKAGE_INDEX_URL = ""
    Package.objects.create(
        name="chrono-parse-toolkit",
        import_names=["chronoparse"],
        import_names_source="index",
        import_names_version="2.0",
        import_names_checked_at=timezone.now(),
        distribution_facts={"reader": facts.READER_VERSION},
    )

    _status, out = _run(str(write_tree(tmp_path, _CHRONO_REPO)), "--format", "json")

    assert not [f for f in json.loads(out)["findings"] if f["kind"] in ("unused", "missing")]


def test_the_command_without_a_database_still_asks_the_index(package_index, tmp_path, monkeypatch):
    from django.db import DatabaseError

    from scanning.package_cache import importnames

    def no_table(*args, **kwargs):
        raise DatabaseError("no such table: inventory_package")

    monkeypatch.setattr(importnames, "_fresh_rows", no_table)
    _serve_chrono(package_index)

    _status, out = _run(str(write_tree(tmp_path, _CHRONO_REPO)), "--format", "json")

    assert not [f for f in json.loads(out)["findings"] if f["kind"] in ("unused", "missing")]


def test_text_output_says_what_the_index_could_not_tell(package_index, tmp_path):
    _status, out = _run(str(write_tree(tmp_path, _CHRONO_REPO)))

    assert "What 1 package(s) provide was not read from metadata:" in out
    assert "package index: no such project (HTTP 404): chrono-parse-toolkit (assumed)" in out


def test_findings_the_repository_configuration_keeps_do_not_fail_the_command(tmp_path):
    pyproject = (
        '[project]\nname = "app"\nversion = "1"\ndependencies = ["rich==13.7.1"]\n'
        '[tool.deptry.per_rule_ignores]\nDEP002 = ["rich"]\n'
    )
    lock = '[[package]]\nname = "rich"\nversion = "13.7.1"\n'
    files = {"pyproject.toml": pyproject, "uv.lock": lock, "app/__init__.py": ""}
    status, output = _run(str(write_tree(tmp_path, files)))
    assert "per_rule_ignores DEP002" in output
    assert status == 0


def test_a_file_name_that_is_not_utf8_is_reported_escaped_in_json_and_text(tmp_path):
    write_tree(
        tmp_path, {"requirements.txt": "requests==2.31.0\n", "app/ok.py": "import requests\n"}
    )
    with open(str(tmp_path).encode() + b"/app/caf\xe9.py", "wb") as handle:
        handle.write(b"import boto3\n")
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.invalid"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "x"]):
        subprocess.run([*git, *args], cwd=tmp_path, check=True, capture_output=True)
    status, output = _run(str(tmp_path), "--format", "json")
    assert status == 1
    output.encode("utf-8")  # strict: no lone surrogates reach the reader
    data = json.loads(output)
    [missing] = [f for f in data["findings"] if f["kind"] == "missing"]
    assert missing["subject"] == "boto3"
    assert missing["locations"][0]["path"] == "app/caf\\xe9.py"
    assert "app/caf\\xe9.py" in missing["summary"]
    _, text = _run(str(tmp_path))
    text.encode("utf-8")
    assert "app/caf\\xe9.py:1: DEP001 missing boto3" in text


@pytest.mark.django_db
def test_a_stored_scan_of_a_file_name_that_is_not_utf8_succeeds_with_the_name_escaped(tmp_path):
    from decisions import services as decision_services
    from scanning import services as scanning_services
    from scanning.models import Evidence, ScanStatus
    from tests import factories

    root = factories.git_repository(
        tmp_path / "repo",
        {"requirements.txt": "requests==2.31.0\n", "app/ok.py": "import requests\n"},
    )
    with open(str(root).encode() + b"/app/caf\xe9.py", "wb") as handle:
        handle.write(b"import boto3\n")
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "add"], cwd=root, check=True)
    repository = factories.repository(factories.team(), location=str(root))
    run, _ = scanning_services.scan_run_create(repository=repository)
    decision_services.repository_scan(repository_id=repository.pk, scan_run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ScanStatus.SUCCEEDED
    assert Evidence.objects.filter(scan_run=run, name="boto3", path="app/caf\\xe9.py").exists()
