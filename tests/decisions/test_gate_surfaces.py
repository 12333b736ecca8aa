"""Every surface shows the one vulnerability gate and its reasons (issue 13.2)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from decisions import services
from inventory.models import Role
from scanning import selectors
from scanning import services as scanning_services
from scanning.models import AuditGate, ScanRun, ScanStatus
from tests import factories

NO_DATA = "advisory mirror unusable: no advisory data has been synced"


@pytest.fixture
def scanned(tmp_path, team):
    """A repository scanned while no advisory data was ever synced."""
    path = factories.git_repository(
        tmp_path / "app",
        {"requirements.txt": "flask==2.0\n", "app.py": "import flask\n"},
    )
    repository = factories.repository(team, location=str(path))
    run, _ = scanning_services.scan_run_create(repository=repository)
    run = services.repository_scan(repository_id=repository.pk, scan_run_id=run.pk)
    assert run.audit_gate == AuditGate.UNKNOWN
    return repository


@pytest.fixture
def lead(team):
    return factories.member(team, Role.TRIAGER)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_repository_gate_is_the_latest_scan_answer(scanned):
    gate = selectors.repository_gate(repository=scanned)
    assert gate.result == "unknown"
    assert NO_DATA in gate.reasons


def test_a_repository_never_scanned_is_unknown_not_pass(repository):
    gate = selectors.repository_gate(repository=repository)
    assert gate.result == "unknown"
    assert gate.reasons == ("never scanned successfully",)


def test_one_failing_repository_fails_the_team(scanned, team):
    other = factories.repository(team)
    ScanRun.objects.create(
        repository=other,
        status=ScanStatus.SUCCEEDED,
        audit_gate=AuditGate.FAIL,
        audit={"gate": "fail", "gate_reasons": ["CVSS ≥ 7: django"]},
        finished_at=datetime.datetime.now(datetime.UTC),
    )
    gate = selectors.combined_gate(repositories=team.repositories.all())
    assert gate.result == "fail"
    assert f"{other.name}: CVSS ≥ 7: django" in gate.reasons


def test_audit_log_shows_the_gate_not_a_count_of_records(scanned, lead):
    response = _client(lead).get(reverse("decisions:audit-log", args=["repository", scanned.pk]))
    text = b"".join(response.streaming_content).decode()
    row = next(line for line in text.splitlines() if "CVSS ≥ 7" in line)
    assert "unknown" in row and "pass" not in row
    assert NO_DATA in text


def test_dashboard_lists_each_repository_gate(scanned, lead):
    page = _client(lead).get(reverse("decisions:dashboard")).content.decode()
    assert "Vulnerability gate" in page
    assert NO_DATA in page


def test_vulnerability_chart_without_advisory_data_says_so_and_how_to_sync(scanned, lead):
    response = _client(lead).get(
        reverse("decisions:dashboard"), {"chart": "vulnerabilities"}, headers={"HX-Request": "true"}
    )
    fragment = response.content.decode()
    assert "No advisory data" in fragment
    assert "manage.py sync_advisories" in fragment


def test_api_gives_the_gate_of_each_repository_and_scan(scanned, lead):
    secret = services.api_token_create(user=lead, name="ci")[1]
    headers = {"Authorization": f"Bearer {secret}"}
    data = Client().get(reverse("decisions:api-repositories"), headers=headers).json()
    [entry] = data["results"]
    gate = selectors.repository_gate(repository=scanned).as_dict()
    assert gate["result"] == "unknown" and NO_DATA in gate["reasons"]
    assert entry["vulnerability_gate"] == gate
    runs = Client().get(reverse("decisions:api-scan-runs"), headers=headers).json()
    assert runs["results"][0]["vulnerability_gate"] == gate


def test_minutes_show_the_team_gate(scanned, lead, team):
    meeting = services.meeting_start(team=team, on=datetime.date(2026, 1, 5), actor=lead)
    response = _client(lead).get(reverse("decisions:meeting-minutes-export", args=[meeting.pk]))
    text = b"".join(response.streaming_content).decode()
    assert "Vulnerability gate: unknown" in text
    assert NO_DATA in text


def test_cleanup_body_shows_the_repository_gate(scanned, lead):
    body = _client(lead).get(reverse("decisions:cleanup-body", args=[scanned.pk])).content.decode()
    assert "Vulnerability gate: unknown" in body
    assert NO_DATA in body


def test_a_reason_many_repositories_share_is_said_once(team):
    for _ in range(300):
        factories.repository(team)
    gate = selectors.combined_gate(repositories=team.repositories.all())
    assert gate.result == "unknown"
    [reason] = gate.reasons
    names = sorted(team.repositories.values_list("name", flat=True))
    assert reason == (
        f"never scanned successfully: {names[0]}, {names[1]}, {names[2]} and 297 more repositories"
    )


def test_a_reason_of_a_few_repositories_names_each(team):
    first, second = factories.repository(team), factories.repository(team)
    gate = selectors.combined_gate(repositories=team.repositories.all())
    assert set(gate.reasons) == {
        f"{first.name}: never scanned successfully",
        f"{second.name}: never scanned successfully",
    }
