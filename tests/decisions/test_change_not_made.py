"""A removal in its review window that a rescan still finds declared: "change not made"."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from decisions import services
from decisions.models import DecisionRecord, MeetingSection, NextAction, Notification, State
from decisions.selectors import meetings
from inventory.models import Role
from scanning import services as scanning_services
from tests import factories


def _scan(repository):
    run, _ = scanning_services.scan_run_create(repository=repository)
    return services.repository_scan(repository_id=repository.pk, scan_run_id=run.pk)


@pytest.fixture
def in_window(tmp_path, team):
    path = factories.git_repository(
        tmp_path / "shop",
        {
            "requirements.txt": "requests==2.31.0\npandas==2.1.0\n",
            "shop/__init__.py": "",
            "shop/web.py": "import requests\n",
        },
    )
    repository = factories.repository(team, location=str(path))
    _scan(repository)
    lead = factories.member(team, Role.TRIAGER)
    owner = factories.member(team, Role.OWNER)
    record = DecisionRecord.objects.get(repository=repository, subject="pandas", kind="unused")
    services.record_update(
        record=record,
        actor=lead,
        changes={
            "owner": owner,
            "next_action": NextAction.REMOVE,
            "mode_notes": {m: "not used there" for m in record.uncovered_modes()},
        },
    )
    services.record_move(record=record, actor=lead, move="propose")
    services.record_move(record=record, actor=owner, move="approve")
    services.record_move(record=record, actor=lead, move="start-window")
    record.refresh_from_db()
    return record, lead, owner


def test_a_rescan_that_still_finds_the_package_flags_change_not_made(in_window):
    record, lead, owner = in_window
    scan = _scan(record.repository)

    record.refresh_from_db()
    assert record.state == State.IN_REVIEW_WINDOW
    assert record.change_not_made
    event = record.events.get(field="change")
    assert event.new_value == "not made"
    assert "still declared" in event.comment and str(scan.pk) in event.comment
    assert Notification.objects.filter(user=owner, record=record).exists()

    page = Client()
    page.force_login(lead)
    html = page.get(reverse("decisions:record-detail", args=[record.pk])).content.decode()
    assert '<span class="tag change-not-made">Change not made</span>' in html

    agenda = meetings.agenda(user=lead, team=record.repository.team, on=datetime.date.today())
    assert [e.record for e in agenda.sections[MeetingSection.NOT_MADE]] == [record]


def test_a_rescan_twice_flags_once_per_scan(in_window):
    record, _, _ = in_window
    _scan(record.repository)
    _scan(record.repository)
    assert record.events.filter(field="change").count() == 2


def test_the_flag_goes_once_the_change_is_made(in_window):
    record, lead, _ = in_window
    _scan(record.repository)
    requirements = record.repository.location + "/requirements.txt"
    with open(requirements, "w") as fh:
        fh.write("requests==2.31.0\n")
    _scan(record.repository)

    record.refresh_from_db()
    assert record.state == State.IN_REVIEW_WINDOW
    assert not record.change_not_made
    agenda = meetings.agenda(user=lead, team=record.repository.team, on=datetime.date.today())
    assert agenda.sections[MeetingSection.NOT_MADE] == []


def test_a_window_without_a_rescan_is_not_flagged(in_window):
    record, _, _ = in_window
    assert not record.change_not_made
    assert not record.events.filter(field="change").exists()
