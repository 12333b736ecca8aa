"""Every mutating endpoint x every role: refused (and nothing changed) or allowed."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from decisions.models import DecisionEvent, DecisionRecord, State
from decisions.selectors import triage
from inventory.models import Role
from scanning.models import ScanRun
from tests import factories

ROLES = ["anonymous", "outsider", "viewer", "triager", "owner", "admin", "superuser"]
EDITORS = {"triager", "owner", "admin", "superuser"}


@pytest.fixture
def world(team):
    repository = factories.repository(team)
    record = factories.record(repository, subject="pandas", state=State.NEW)
    people = {
        "outsider": factories.member(factories.team(), Role.ADMIN),
        "viewer": factories.member(team, Role.VIEWER),
        "triager": factories.member(team, Role.TRIAGER),
        "owner": factories.member(team, Role.OWNER),
        "admin": factories.member(team, Role.ADMIN),
        "superuser": factories.user(is_superuser=True, is_staff=True),
    }
    return repository, record, people


def _client(role, people) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(people[role])
    return client


ENDPOINTS = {
    "triage": lambda repo, rec: (
        reverse("decisions:record-triage", args=[rec.pk]),
        {"next_action": "keep"},
    ),
    "detail-edit": lambda repo, rec: (
        reverse("decisions:record-detail", args=[rec.pk]),
        {
            "why_stale": "nobody imports it",
            "impact": 3,
            "confidence": 3,
            "reversibility": 3,
            "prevention": 3,
        },
    ),
    "move": lambda repo, rec: (
        reverse("decisions:record-move", args=[rec.pk]),
        {"move": "triage"},
    ),
    "bulk": lambda repo, rec: (
        reverse("decisions:record-bulk"),
        {"ids": [rec.pk], "next_action": "keep"},
    ),
    "scan": lambda repo, rec: (reverse("decisions:repository-scan", args=[repo.pk]), {}),
}


def _changed(record) -> bool:
    record.refresh_from_db()
    return (
        DecisionEvent.objects.filter(record=record).exists()
        or ScanRun.objects.filter(repository=record.repository).exists()
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_mutating_endpoint_matrix(world, role, endpoint):
    repository, record, people = world
    url, data = ENDPOINTS[endpoint](repository, record)
    response = _client(role, people).post(url, data)
    if role == "anonymous":
        assert response.status_code == 302
        assert reverse("account_login") in response.url
        assert not _changed(record)
    elif role == "outsider":
        assert response.status_code in (403, 404)
        assert not _changed(record)
    elif role == "viewer":
        assert response.status_code == 403
        assert not _changed(record)
    else:
        assert role in EDITORS
        assert response.status_code in (200, 302)
        assert _changed(record)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "name",
    [
        "decisions:record-list",
        "decisions:my-work",
        "decisions:record-detail",
        "scanning:repository-list",
    ],
)
def test_read_pages_matrix(world, role, name):
    _repository, record, people = world
    args = [record.pk] if name == "decisions:record-detail" else []
    response = _client(role, people).get(reverse(name, args=args))
    if role == "anonymous":
        assert response.status_code == 302
    elif role == "outsider" and name == "decisions:record-detail":
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        lists_records = name in ("decisions:record-list", "decisions:record-detail")
        visible = role != "outsider"
        assert (b"pandas" in response.content) == (lists_records and visible)


@pytest.mark.parametrize("fmt", ["csv", "md"])
def test_exports_only_contain_visible_records(world, fmt):
    _repository, _record, people = world
    response = _client("outsider", people).get(reverse("decisions:record-export", args=[fmt]))
    assert b"pandas" not in b"".join(response.streaming_content)
    response = _client("viewer", people).get(reverse("decisions:record-export", args=[fmt]))
    assert b"pandas" in b"".join(response.streaming_content)


def test_scan_page_of_another_team_is_404(world):
    repository, _record, people = world
    run = ScanRun.objects.create(repository=repository)
    assert (
        _client("outsider", people).get(reverse("scanning:scan-detail", args=[run.pk])).status_code
        == 404
    )
    assert (
        _client("viewer", people).get(reverse("scanning:scan-detail", args=[run.pk])).status_code
        == 200
    )


def test_approval_endpoint_refuses_the_proposer(world):
    _repository, record, people = world
    DecisionRecord.objects.filter(pk=record.pk).update(
        state=State.AWAITING_APPROVAL, owner=people["triager"], proposed_by=people["triager"]
    )
    response = _client("triager", people).post(
        reverse("decisions:record-move", args=[record.pk]), {"move": "approve"}
    )
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.state == State.AWAITING_APPROVAL


@pytest.mark.parametrize("role", ROLES)
def test_triage_rows_are_editable_exactly_as_editable_by_says(world, role):
    _repository, record, people = world
    factories.record(factories.repository(factories.team()), subject="elsewhere")
    outsiders_team = people["outsider"].memberships.get().team
    factories.record(factories.repository(outsiders_team), subject="outside")
    user = AnonymousUser() if role == "anonymous" else people[role]
    everything = DecisionRecord.objects.select_related("repository")
    rows = {row["id"]: row["can_edit"] for row in triage.rows(everything, user=user)}
    editable = set(DecisionRecord.objects.editable_by(user).values_list("pk", flat=True))
    assert len(rows) == 3
    assert rows == {pk: int(pk) in editable for pk in rows}
    assert rows[str(record.pk)] == (role in EDITORS)
    assert sum(rows.values()) == {"superuser": 3, "outsider": 1}.get(role, role in EDITORS)


@pytest.mark.parametrize("role", sorted(set(ROLES) - {"anonymous"}))
def test_list_shows_row_editors_only_to_editors(world, role):
    _repository, record, people = world
    body = _client(role, people).get(reverse("decisions:record-list")).content.decode()
    assert (f'hx-target="#record-{record.pk}"' in body) == (role in EDITORS)
