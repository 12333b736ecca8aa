"""The record page says what a move or a save did, never a bare "Saved."."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from decisions.models import NextAction, State
from inventory.models import Role
from tests import factories


@pytest.fixture
def people(team):
    return {
        "lead": factories.member(team, Role.TRIAGER, username="lena"),
        "owner": factories.member(team, Role.OWNER, username="olivia"),
    }


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _move(user, record, move: str, comment: str = "") -> list[str]:
    response = _client(user).post(
        reverse("decisions:record-move", args=[record.pk]), {"move": move, "comment": comment}
    )
    assert response.status_code == 302
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_marking_triaged_says_so(repository, people):
    record = factories.record(repository, subject="pandas")
    assert _move(people["lead"], record, "triage") == ["pandas: marked triaged."]


def test_requesting_approval_says_who_decides_on_what(repository, people):
    record = factories.record(
        repository,
        subject="pandas",
        state=State.TRIAGED,
        owner=people["owner"],
        next_action=NextAction.ARCHIVE,
    )
    assert _move(people["lead"], record, "propose") == [
        "pandas: approval of “Archive” requested from olivia."
    ]


def test_approving_says_what_comes_next(repository, people):
    record = factories.record(
        repository,
        subject="pandas",
        state=State.AWAITING_APPROVAL,
        owner=people["owner"],
        proposed_by=people["lead"],
        next_action=NextAction.ARCHIVE,
    )
    assert _move(people["owner"], record, "approve", "fine") == [
        "pandas: “Archive” approved. Once the change is made, start its review window."
    ]


def test_keeping_says_until_when(repository, people):
    record = factories.record(
        repository, subject="pyyaml", review_date=datetime.date(2027, 3, 1), owner=people["owner"]
    )
    assert _move(people["lead"], record, "keep", "The config loader needs it.") == [
        "pyyaml: kept; it comes back for review on 2027-03-01."
    ]


def test_starting_the_window_says_when_it_ends(repository, people):
    record = factories.record(
        repository,
        subject="pandas",
        state=State.APPROVED,
        owner=people["owner"],
        next_action=NextAction.ARCHIVE,
    )
    [message] = _move(people["owner"], record, "start-window")
    record.refresh_from_db()
    end = record.review_window_end.isoformat()
    assert message == f"pandas: review window started; a scan after {end} confirms the change."


def test_saving_the_record_page_names_what_was_saved(repository, people):
    record = factories.record(repository, subject="pandas")
    response = _client(people["lead"]).post(
        reverse("decisions:record-detail", args=[record.pk]),
        {
            "owner": people["owner"].pk,
            "review_date": "2027-02-01",
            "impact": 3,
            "confidence": 3,
            "reversibility": 3,
            "prevention": 3,
        },
    )
    page = response.content.decode()
    assert (
        '<p class="saved" role="status">Saved owner and review date; the record is now '
        "triaged.</p>" in page
    )


def test_saving_nothing_changed_says_so(repository, people):
    record = factories.record(repository, subject="pandas")
    response = _client(people["lead"]).post(
        reverse("decisions:record-detail", args=[record.pk]),
        {"impact": 3, "confidence": 3, "reversibility": 3, "prevention": 3},
    )
    assert '<p class="saved" role="status">Nothing to save: no field changed.</p>' in (
        response.content.decode()
    )
