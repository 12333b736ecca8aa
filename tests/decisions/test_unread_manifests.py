"""A manifest that could not be read this time closes nothing and passes no gate (issue 13.1)."""

from __future__ import annotations

import json

import pytest

from decisions import services
from decisions.models import DecisionEvent, DecisionRecord, State
from scanning import services as scanning_services
from scanning.advisories import store
from scanning.manifests.common import MAX_FILE_BYTES
from tests import factories

CRITICAL = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"


@pytest.fixture
def flask_advisory(tmp_path):
    folder = tmp_path / "advisories"
    folder.mkdir()
    record = {
        "id": "PYSEC-2099-1",
        "modified": "2099-01-01T00:00:00Z",
        "severity": [{"type": "CVSS_V3", "score": CRITICAL}],
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "flask"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.2.5"}]}
                ],
            }
        ],
    }
    (folder / "PYSEC-2099-1.json").write_text(json.dumps(record))
    store.advisories_sync(source=str(folder))


@pytest.fixture
def flask_repository(tmp_path, team, flask_advisory):
    path = factories.git_repository(
        tmp_path / "app",
        {
            "requirements.txt": "flask==2.0\nleftpad==1.0\nrequests\n",
            "app/main.py": "import flask\nimport requests\n",
        },
    )
    return factories.repository(team, location=str(path))


def _scan(repository):
    run, _ = scanning_services.scan_run_create(repository=repository)
    return services.repository_scan(repository_id=repository.pk, scan_run_id=run.pk)


def _records():
    return {(r.kind, r.subject): r for r in DecisionRecord.objects.all()}


def _pad(repository, size: int) -> None:
    requirements = f"{repository.location}/requirements.txt"
    with open(requirements, "a") as fh:
        fh.write("#" * size + "\n")


def test_a_manifest_too_large_to_read_leaves_its_records_open_and_says_why(flask_repository):
    first = _scan(flask_repository)
    assert first.audit_gate == "fail"
    before = _records()
    assert {("vulnerable", "flask"), ("unused", "leftpad"), ("unpinned", "requests")} <= set(before)

    _pad(flask_repository, MAX_FILE_BYTES)
    second = _scan(flask_repository)

    assert second.status == "succeeded"
    after = _records()
    for key in [("vulnerable", "flask"), ("unused", "leftpad"), ("unpinned", "requests")]:
        record = after[key]
        assert record.state == before[key].state == State.NEW
        assert record.unchecked_reason == (
            "not re-checked: requirements.txt could not be read (skipped: too large)"
        )
    assert not DecisionEvent.objects.filter(field="state", new_value=State.DONE).exists()
    assert ("missing", "flask") not in after
    assert ("missing", "requests") not in after
    assert second.audit_gate == "unknown"
    assert any("requirements.txt could not be read" in r for r in second.audit["gate_reasons"])
    assert second.audit["unread_manifests"] == [
        {"path": "requirements.txt", "reason": "skipped: too large"}
    ]


def test_records_are_checked_again_once_the_manifest_reads(flask_repository):
    _scan(flask_repository)
    _pad(flask_repository, MAX_FILE_BYTES)
    _scan(flask_repository)
    with open(f"{flask_repository.location}/requirements.txt", "w") as fh:
        fh.write("flask==2.0\nrequests\n")
    third = _scan(flask_repository)
    after = _records()
    assert after[("vulnerable", "flask")].unchecked_reason == ""
    assert after[("vulnerable", "flask")].state == State.NEW
    assert after[("unused", "leftpad")].state == State.DONE  # really gone: read and absent
    assert third.audit_gate == "fail"


def test_the_record_page_and_the_scan_page_say_what_was_not_re_checked(
    flask_repository, client, team
):
    _scan(flask_repository)
    _pad(flask_repository, MAX_FILE_BYTES)
    run = _scan(flask_repository)
    client.force_login(factories.member(team, "admin"))
    record = DecisionRecord.objects.get(kind="vulnerable", subject="flask")
    page = client.get(f"/records/{record.pk}/").content.decode()
    assert "not re-checked: requirements.txt could not be read (skipped: too large)" in page
    scan_page = client.get(f"/scans/{run.pk}/").content.decode()
    assert "requirements.txt could not be read" in scan_page


@pytest.mark.parametrize(
    "broken",
    [
        "[options]\ninstall_requires =\n    flask==2.0\n[[[\n",  # invalid INI
        "[options]\ninstall_requires = 5\n[options.extras_require]\n= x\n",
    ],
)
def test_a_setup_cfg_that_no_longer_parses_closes_nothing(tmp_path, team, flask_advisory, broken):
    setup_cfg = "[options]\ninstall_requires =\n    flask==2.0\n    leftpad==1.0\n"
    path = factories.git_repository(
        tmp_path / "app", {"setup.cfg": setup_cfg, "app/main.py": "import flask\n"}
    )
    repository = factories.repository(team, location=str(path))
    assert _scan(repository).audit_gate == "fail"
    assert {("vulnerable", "flask"), ("unused", "leftpad")} <= set(_records())

    (path / "setup.cfg").write_text(broken)
    second = _scan(repository)

    after = _records()
    assert after[("unused", "leftpad")].state == State.NEW
    assert after[("unused", "leftpad")].unchecked_reason.startswith(
        "not re-checked: setup.cfg could not be read"
    )
    assert ("missing", "flask") not in after
    assert second.audit_gate == "unknown"
