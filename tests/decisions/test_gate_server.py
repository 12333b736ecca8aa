"""The CI gate with a server: the organisation's policy and kept decisions, over real HTTP."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.test import Client

from decisions import services
from decisions.models import State
from scanning import cli
from scanning import services as scanning_services
from tests import factories
from tests.factories import write_tree

ADVISORIES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "advisories" / "pypa"

_FILES = {
    "requirements.txt": "requests==2.32.3\n",
    "app/main.py": "import requests\nimport boto3\n",
}


def _gate(root, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    status = cli.main(["gate", str(root), "--no-cache", *args], environ={}, write=out.write)
    return status, out.getvalue()


@pytest.fixture
def ci_secret(triager, repository):
    return services.api_token_create(user=triager, name="ci", repository=repository)[1]


@pytest.fixture
def audited_warns(triager):
    # The audit is not what these tests look at: an incomplete one only warns.
    scanning_services.gate_policy_update(actor=triager, unaudited="warn")


@pytest.mark.django_db(transaction=True)
def test_a_finding_kept_on_the_server_does_not_fail_the_build(
    live_server, tmp_path, repository, ci_secret, audited_warns
):
    root = write_tree(tmp_path / "repo", _FILES)
    server = ("--server", live_server.url, "--token", ci_secret)

    status, comment = _gate(root, *server)
    assert status == 1
    assert "| DEP001 | missing | boto3 |" in comment

    factories.record(repository, kind="missing", subject="boto3", state=State.KEPT)
    status, comment = _gate(root, *server)
    assert status == 0, comment
    assert "kept by a decision on the server" in comment


@pytest.mark.django_db(transaction=True)
def test_the_server_policy_wins_over_the_repository_file(live_server, tmp_path, triager, ci_secret):
    root = write_tree(
        tmp_path / "repo", {**_FILES, "debtboard.toml": '[policy.levels]\nmissing = "ignore"\n'}
    )
    scanning_services.gate_policy_update(
        actor=triager, unaudited="warn", levels={"missing": "block"}
    )

    status, comment = _gate(root, "--server", live_server.url, "--token", ci_secret)

    assert status == 1
    assert "(server)" in comment


@pytest.mark.django_db(transaction=True)
def test_a_bad_token_is_an_error_not_a_pass(live_server, tmp_path, capsys):
    root = write_tree(tmp_path / "repo", _FILES)

    status, comment = _gate(root, "--server", live_server.url, "--token", "dbt_nope")

    assert status == 2
    assert comment == ""
    assert "401" in capsys.readouterr().err


def test_a_server_that_cannot_be_reached_is_an_error(tmp_path, capsys):
    root = write_tree(tmp_path / "repo", _FILES)

    status, _ = _gate(root, "--server", "http://127.0.0.1:9", "--token", "dbt_x")

    assert status == 2
    assert "could not be reached" in capsys.readouterr().err


def test_a_person_token_names_the_repository_it_can_see(repository, viewer):
    secret = services.api_token_create(user=viewer, name="laptop")[1]
    headers = {"Authorization": f"Bearer {secret}"}

    seen = Client().get("/api/v1/gate/", {"repository": repository.name}, headers=headers)
    hidden = Client().get(
        "/api/v1/gate/", {"repository": factories.repository().name}, headers=headers
    )

    assert seen.status_code == 200
    assert seen.json()["policy"]["cvss_threshold"] == 7.0
    assert hidden.status_code == 404


def test_a_repository_token_reads_its_own_gate_only(team, repository, ci_secret):
    headers = {"Authorization": f"Bearer {ci_secret}"}
    other = factories.repository(team)

    assert Client().get("/api/v1/gate/", headers=headers).status_code == 200
    refused = Client().get("/api/v1/gate/", {"repository": other.name}, headers=headers)
    assert refused.status_code == 403


def test_a_policy_the_gate_could_not_read_is_refused_when_saved(triager):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        scanning_services.gate_policy_update(actor=triager, levels={"unused": "sometimes"})
    with pytest.raises(ValidationError):
        scanning_services.gate_policy_update(actor=triager, cvss_threshold=12)


def test_the_servers_stored_gate_fails_from_the_organisations_threshold(tmp_path, team, triager):
    from django.core.management import call_command

    from decisions.services import repository_scan

    call_command("sync_advisories", str(ADVISORIES), verbosity=0)
    path = factories.git_repository(
        tmp_path / "shop",
        {"requirements.txt": "apache-skywalking==1.0.1\n", "app/main.py": "import skywalking\n"},
    )
    repository = factories.repository(team, location=str(path))

    def gate_of_a_scan() -> str:
        run, _ = scanning_services.scan_run_create(repository=repository)
        return repository_scan(repository_id=repository.pk, scan_run_id=run.pk).audit_gate

    assert gate_of_a_scan() == "fail"  # CVSS 9.8 against the default 7.0
    scanning_services.gate_policy_update(actor=triager, cvss_threshold=9.9)
    assert gate_of_a_scan() == "pass"
