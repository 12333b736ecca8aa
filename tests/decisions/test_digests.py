"""The weekly digest: content from the review agenda, once a week, with an opt-out."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from decisions import digests, services, tasks
from decisions.models import DigestPreference, MeetingSection, State
from decisions.selectors import meetings
from decisions.services import digests as digest_services
from inventory.models import Role
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def week(team):
    """A lead, an owner with a due record, a reopened record and a proposal waiting."""
    lead = factories.member(team, Role.TRIAGER, "lead")
    owner = factories.member(team, Role.OWNER, "owner")
    repository = factories.repository(team)
    due = factories.record(
        repository, subject="due-pkg", owner=owner, review_date=TODAY - datetime.timedelta(days=1)
    )
    reopened = factories.record(repository, subject="back-pkg", owner=owner, state=State.KEPT)
    services.record_move(record=reopened, actor=lead, move="reopen")
    waiting = factories.record(repository, subject="ask-pkg", owner=owner)
    services.record_update(record=waiting, actor=lead, changes={"next_action": "archive"})
    services.record_move(record=waiting, actor=lead, move="propose")
    other = factories.record(repository, subject="not-mine", review_date=TODAY)
    mail.outbox.clear()  # the assignment and approval notices
    return lead, owner, due, reopened, waiting, other


def _subjects(entries) -> set[str]:
    return {e.record.subject for e in entries}


def test_personal_digest_holds_what_is_due_reopened_and_waiting_for_me(week):
    _lead, owner, *_ = week
    content = digests.digest(user=owner, on=TODAY)
    assert _subjects(content.personal[MeetingSection.DUE]) == {"due-pkg"}
    assert _subjects(content.personal[MeetingSection.FIRED]) == {"back-pkg"}
    assert _subjects(content.personal[MeetingSection.APPROVAL]) == {"ask-pkg"}
    assert content.teams == []  # owners do not run the review


def test_team_digest_is_the_review_agenda_of_the_team(week, team):
    lead, *_ = week
    content = digests.digest(user=lead, on=TODAY)
    agenda = meetings.agenda(
        user=lead,
        team=team,
        on=TODAY,
        since=timezone.make_aware(
            datetime.datetime.combine(TODAY - digests.WEEK, datetime.time.min)
        ),
    )
    [team_digest] = content.teams
    for section in digests.DIGEST_SECTIONS:
        assert _subjects(team_digest.sections[section]) == _subjects(agenda.sections[section])
    assert "not-mine" in _subjects(team_digest.sections[MeetingSection.DUE])
    # The proposer is not asked to approve their own proposal.
    assert content.personal[MeetingSection.APPROVAL] == []


def test_digests_are_mailed_once_a_week(week):
    lead, owner, *_ = week
    tasks.weekly_digest_task()
    tasks.weekly_digest_task()
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_recipient) == [lead.email, owner.email]
    assert len(mail.outbox) == 2
    body = by_recipient[owner.email].body
    assert "due-pkg" in body and "back-pkg" in body and "ask-pkg" in body
    assert "not-mine" not in body
    assert reverse("decisions:digest-preference") in body
    assert "not-mine" in by_recipient[lead.email].body


def test_nobody_outside_the_teams_gets_their_records(week):
    outsider = factories.member(factories.team(), Role.TRIAGER)
    digest_services.digests_send(on=TODAY)
    assert outsider.email not in [m.to[0] for m in mail.outbox]
    assert not len(digests.digest(user=outsider, on=TODAY))


def test_opting_out_stops_the_digest(client, week):
    lead, owner, *_ = week
    client.force_login(owner)
    page = client.get(reverse("decisions:digest-preference"))
    assert page.status_code == 200
    response = client.post(reverse("decisions:digest-preference"), {})
    assert response.status_code == 302
    preference = DigestPreference.objects.get(user=owner)
    assert not preference.weekly_personal and not preference.weekly_team
    digest_services.digests_send(on=TODAY)
    assert [m.to[0] for m in mail.outbox] == [lead.email]


def test_opting_out_of_the_team_part_keeps_the_personal_part(week):
    lead, owner, *_ = week
    digest_services.digest_preference_save(user=lead, weekly_personal=True, weekly_team=False)
    digest_services.digests_send(on=TODAY)
    # The lead owns nothing and is asked for nothing: no empty mail.
    assert [m.to[0] for m in mail.outbox] == [owner.email]
