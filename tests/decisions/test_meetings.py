from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from decisions import services
from decisions.models import (
    DecisionEvent,
    MeetingItem,
    MeetingSection,
    NextAction,
    ReviewMeeting,
    State,
)
from decisions.selectors import meetings
from inventory.models import Membership, Role
from tests import factories

TODAY = datetime.date(2026, 3, 2)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner(team):
    return factories.member(team, Role.OWNER)


def _sections(agenda) -> dict[str, list[str]]:
    return {s: [e.record.subject for e in entries] for s, entries in agenda.sections.items()}


def test_agenda_lists_due_and_overdue_by_priority_not_by_lateness(triager, repository, owner):
    factories.record(
        repository,
        subject="late-low",
        owner=owner,
        review_date=TODAY - datetime.timedelta(9),
        impact=1,
        confidence=3,
    )
    factories.record(
        repository, subject="today-high", owner=owner, review_date=TODAY, impact=5, confidence=5
    )
    factories.record(
        repository,
        subject="late-mid",
        owner=owner,
        review_date=TODAY - datetime.timedelta(1),
        impact=3,
        confidence=3,
    )
    factories.record(
        repository, subject="future", owner=owner, review_date=TODAY + datetime.timedelta(1)
    )
    factories.record(repository, subject="closed", owner=owner, review_date=TODAY, state=State.KEPT)

    agenda = meetings.agenda(user=triager, team=repository.team, on=TODAY)

    due = agenda.sections[MeetingSection.DUE]
    assert [e.record.subject for e in due] == ["today-high", "late-mid", "late-low"]
    assert [e.overdue for e in due] == [False, True, True]


def test_agenda_finds_unclear_and_unclaimed_records(triager, repository, owner):
    factories.record(
        repository, subject="investigate", owner=owner, next_action=NextAction.INVESTIGATE
    )
    factories.record(repository, subject="unsure", owner=owner, confidence=2)
    factories.record(repository, subject="sure", owner=owner, confidence=3)
    factories.record(repository, subject="nobody")
    gone = factories.member(repository.team, Role.OWNER)
    factories.record(repository, subject="owner-inactive", owner=gone)
    gone.is_active = False
    gone.save()
    left = factories.member(repository.team, Role.OWNER)
    factories.record(repository, subject="owner-left", owner=left)
    Membership.objects.filter(user=left).delete()

    sections = _sections(meetings.agenda(user=triager, team=repository.team, on=TODAY))

    assert sections[MeetingSection.UNCLEAR] == ["investigate", "unsure"]
    assert sorted(sections[MeetingSection.UNCLAIMED]) == ["nobody", "owner-inactive", "owner-left"]
    assert all("sure" not in subjects for subjects in sections.values())


def test_agenda_shows_watch_signals_fired_since_the_last_meeting(triager, repository, owner):
    earlier = factories.record(
        repository, subject="fired-before", owner=owner, state=State.REOPENED
    )
    later = factories.record(repository, subject="fired-after", owner=owner, state=State.REOPENED)
    last_meeting = timezone.make_aware(datetime.datetime(2026, 2, 23, 10))
    ReviewMeeting.objects.create(
        team=repository.team, date=datetime.date(2026, 2, 23), created_at=last_meeting
    )
    for record, when in (
        (earlier, last_meeting - datetime.timedelta(hours=1)),
        (later, last_meeting + datetime.timedelta(days=2)),
    ):
        DecisionEvent.objects.create(
            record=record,
            field="state",
            old_value=State.DONE,
            new_value=State.REOPENED,
            comment="Watch signal: found again by scan",
            created_at=when,
        )

    sections = _sections(meetings.agenda(user=triager, team=repository.team, on=TODAY))

    assert sections[MeetingSection.FIRED] == ["fired-after"]


def test_agenda_lists_approvals_waiting_and_each_record_once(triager, repository, owner):
    factories.record(
        repository,
        subject="waiting",
        owner=owner,
        state=State.AWAITING_APPROVAL,
        next_action=NextAction.REMOVE,
    )
    factories.record(repository, subject="due-and-unowned", review_date=TODAY)

    sections = _sections(meetings.agenda(user=triager, team=repository.team, on=TODAY))

    assert sections[MeetingSection.APPROVAL] == ["waiting"]
    assert sections[MeetingSection.DUE] == ["due-and-unowned"]
    assert sections[MeetingSection.UNCLAIMED] == []


def test_a_low_confidence_removal_its_owner_approved_is_listed_as_approved_not_unclear(
    triager, repository, owner
):
    # Low confidence makes a record unclear while nobody has decided; once a removal waits
    # for or has its owner's approval, it belongs to those sections.
    for subject, state in (("waiting", State.AWAITING_APPROVAL), ("approved", State.APPROVED)):
        factories.record(
            repository,
            subject=subject,
            owner=owner,
            state=state,
            next_action=NextAction.REMOVE,
            confidence=1,
        )
    factories.record(repository, subject="unsure", owner=owner, confidence=1)

    sections = _sections(meetings.agenda(user=triager, team=repository.team, on=TODAY))

    assert sections[MeetingSection.UNCLEAR] == ["unsure"]
    assert sections[MeetingSection.APPROVAL] == ["waiting"]
    assert sections[MeetingSection.APPROVED] == ["approved"]


def test_agenda_of_another_team_shows_nothing(repository):
    factories.record(repository, subject="secret", review_date=TODAY)
    outsider = factories.member(factories.team(), Role.ADMIN)
    assert len(meetings.agenda(user=outsider, team=repository.team, on=TODAY)) == 0


def test_meeting_start_snapshots_the_agenda_once(triager, repository):
    factories.record(repository, subject="a", review_date=TODAY)
    factories.record(repository, subject="b")
    meeting = services.meeting_start(team=repository.team, on=TODAY, actor=triager)
    factories.record(repository, subject="c")
    again = services.meeting_start(team=repository.team, on=TODAY, actor=triager)
    assert again == meeting
    assert list(meeting.items.values_list("record__subject", "section")) == [
        ("a", MeetingSection.DUE),
        ("b", MeetingSection.UNCLAIMED),
    ]
    assert list(meeting.attendees.all()) == [triager]


def test_viewer_cannot_start_or_change_a_meeting(viewer, triager, repository):
    record = factories.record(repository, subject="a", review_date=TODAY)
    with pytest.raises(PermissionDenied):
        services.meeting_start(team=repository.team, on=TODAY, actor=viewer)
    meeting = services.meeting_start(team=repository.team, on=TODAY, actor=triager)
    item = meeting.items.get()
    with pytest.raises(PermissionDenied):
        services.meeting_item_record(item=item, actor=viewer, note="sneaky")
    client = _client(viewer)
    assert (
        client.post(
            reverse("decisions:meeting-start"),
            {"team": repository.team.pk, "date": "2026-03-09"},
        ).status_code
        == 403
    )
    response = client.post(
        reverse("decisions:meeting-item", args=[meeting.pk, item.pk]), {"note": "x"}
    )
    assert response.status_code == 403
    response = client.post(
        reverse("decisions:meeting-minutes", args=[meeting.pk]), {"minutes": "x"}
    )
    assert response.status_code == 403
    assert not DecisionEvent.objects.filter(record=record).exists()
    meeting.refresh_from_db()
    assert meeting.minutes == ""
    # but the viewer reads the meeting
    assert client.get(reverse("decisions:meeting-detail", args=[meeting.pk])).status_code == 200


def test_other_team_sees_no_meeting(triager, repository):
    factories.record(repository, subject="a", review_date=TODAY)
    meeting = services.meeting_start(team=repository.team, on=TODAY, actor=triager)
    outsider = factories.member(factories.team(), Role.ADMIN)
    client = _client(outsider)
    assert client.get(reverse("decisions:meeting-detail", args=[meeting.pk])).status_code == 404
    assert (
        client.get(reverse("decisions:meeting-minutes-export", args=[meeting.pk])).status_code
        == 404
    )
    assert "a" not in [
        e.record.subject
        for e in meetings.agenda(user=outsider, team=repository.team, on=TODAY).entries()
    ]


def test_recording_an_item_uses_the_record_services(triager, owner, repository):
    record = factories.record(repository, subject="pandas", review_date=TODAY)
    meeting = services.meeting_start(team=repository.team, on=TODAY, actor=triager)
    item = meeting.items.get()

    services.meeting_item_record(
        item=item,
        actor=triager,
        changes={
            "owner": owner,
            "next_action": NextAction.ARCHIVE,
            "review_date": TODAY + datetime.timedelta(14),
        },
        move="propose",
        note="Archive it; nobody uses the notebooks.",
    )

    record.refresh_from_db()
    assert record.owner == owner
    assert record.state == State.AWAITING_APPROVAL
    assert record.proposed_by == triager
    fields = list(record.events.values_list("field", flat=True))
    assert {"owner", "next_action", "review_date", "meeting-note"} <= set(fields)
    item.refresh_from_db()
    assert "Request approval" in item.outcome
    assert item.note == "Archive it; nobody uses the notebooks."
    assert item.discussed_by == triager


def test_a_refused_move_undoes_the_changes_of_the_same_step(triager, owner, repository):
    record = factories.record(repository, subject="pandas", review_date=TODAY)
    meeting = services.meeting_start(team=repository.team, on=TODAY, actor=triager)
    item = meeting.items.get()
    with pytest.raises(ValidationError):
        services.meeting_item_record(
            item=item, actor=triager, changes={"owner": owner}, move="keep"
        )
    record.refresh_from_db()
    assert record.owner is None
    assert not record.events.exists()


def test_meeting_item_post_swaps_the_item_in_place(triager, owner, repository):
    record = factories.record(repository, subject="pandas", review_date=TODAY)
    meeting = services.meeting_start(team=repository.team, on=TODAY, actor=triager)
    item = meeting.items.get()
    response = _client(triager).post(
        reverse("decisions:meeting-item", args=[meeting.pk, item.pk]),
        {
            "owner": owner.pk,
            "next_action": "keep",
            "move": "keep",
            "comment": "Still needed",
            "note": "",
        },
        headers={"HX-Request": "true", "HX-Target": "meeting-item"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="meeting-item"' in body
    assert "Recorded:" in body
    assert 'hx-swap-oob="true"' in body
    assert "meeting-item-saved" in response.headers["HX-Trigger"]
    record.refresh_from_db()
    assert record.state == State.KEPT


def test_meeting_item_error_is_shown_in_the_fragment(triager, repository):
    factories.record(repository, subject="pandas", review_date=TODAY)
    meeting = services.meeting_start(team=repository.team, on=TODAY, actor=triager)
    item = meeting.items.get()
    response = _client(triager).post(
        reverse("decisions:meeting-item", args=[meeting.pk, item.pk]),
        {"move": "keep"},
        headers={"HX-Request": "true"},
    )
    assert "needs a comment" in response.content.decode()


def test_next_meeting_shows_what_changed_since_the_previous_one(triager, owner, repository):
    record = factories.record(repository, subject="pandas", review_date=TODAY)
    first = services.meeting_start(team=repository.team, on=TODAY, actor=triager)
    services.meeting_item_record(item=first.items.get(), actor=triager, changes={"owner": owner})
    before_first = factories.record(repository, subject="old")
    DecisionEvent.objects.create(
        record=before_first,
        field="next_action",
        new_value="keep",
        created_at=first.created_at - datetime.timedelta(days=1),
    )
    second = services.meeting_start(
        team=repository.team, on=TODAY + datetime.timedelta(7), actor=triager
    )

    previous, changes = meetings.meeting_changes(user=triager, meeting=second)

    assert previous == first
    assert [(e.record.subject, e.field) for e in changes] == [
        ("pandas", "state"),
        ("pandas", "owner"),
    ]
    page = (
        _client(triager).get(reverse("decisions:meeting-detail", args=[second.pk])).content.decode()
    )
    assert f"Changed since the review of {TODAY.isoformat()}" in page
    assert record.subject in page


def test_minutes_saved_and_exported_as_markdown(triager, owner, repository):
    factories.record(repository, subject="pipe|name", review_date=TODAY)
    meeting = services.meeting_start(team=repository.team, on=TODAY, actor=triager)
    client = _client(triager)
    response = client.post(
        reverse("decisions:meeting-minutes", args=[meeting.pk]),
        {
            "attendees": [triager.pk, owner.pk],
            "minutes": "Agreed to drop pandas.\n<script>x</script>",
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert set(meeting.attendees.all()) == {triager, owner}

    response = client.get(reverse("decisions:meeting-minutes-export", args=[meeting.pk]))
    assert response["Content-Disposition"] == (
        f'attachment; filename="review-{repository.team.slug}-{TODAY.isoformat()}.md"'
    )
    text = b"".join(response.streaming_content).decode()
    assert text.startswith(f"# Weekly review: {repository.team.name}, {TODAY.isoformat()}")
    assert "Agreed to drop pandas." in text
    assert "<script>" not in text
    assert "pipe\\|name" in text
    assert "first recorded review" in text


def test_attendees_must_be_team_members(triager, repository):
    meeting = services.meeting_start(team=repository.team, on=TODAY, actor=triager)
    stranger = factories.user()
    with pytest.raises(ValidationError):
        services.meeting_minutes_save(
            meeting=meeting, actor=triager, attendees=[stranger], minutes=""
        )


def test_meeting_pages_render(triager, repository):
    factories.record(repository, subject="pandas", review_date=TODAY)
    client = _client(triager)
    page = client.get(
        reverse("decisions:meeting-list"), {"team": repository.team.pk, "date": TODAY.isoformat()}
    )
    assert "pandas" in page.content.decode()
    response = client.post(
        reverse("decisions:meeting-start"),
        {"team": repository.team.pk, "date": TODAY.isoformat()},
    )
    meeting = ReviewMeeting.objects.get()
    assert response.url == reverse("decisions:meeting-detail", args=[meeting.pk])
    item = MeetingItem.objects.get()
    fragment = client.get(
        reverse("decisions:meeting-detail", args=[meeting.pk]),
        {"item": item.pk},
        headers={"HX-Request": "true", "HX-Target": "meeting-item"},
    ).content.decode()
    assert "<html" not in fragment and "pandas" in fragment


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "0001-01-05"])
def test_a_date_at_the_edge_of_the_calendar_is_a_validation_error(viewer, triager, repository, day):
    page = _client(viewer).get(
        reverse("decisions:meeting-list"), {"team": repository.team.pk, "date": day}
    )
    assert page.status_code == 200
    assert "between" in page.content.decode()

    response = _client(triager).post(
        reverse("decisions:meeting-start"),
        {"team": repository.team.pk, "date": day},
        follow=True,
    )
    assert response.status_code == 200
    assert "between" in response.content.decode()
    assert not ReviewMeeting.objects.exists()


def test_the_agenda_service_refuses_a_date_it_cannot_reach(triager, repository):
    with pytest.raises(ValidationError, match="between"):
        services.meeting_start(team=repository.team, on=datetime.date.max, actor=triager)


def test_agenda_items_are_named_with_their_repository(triager, repository):
    record = factories.record(repository, subject="(repository)", kind="no-lock", review_date=TODAY)
    meeting = services.meeting_start(team=repository.team, on=TODAY, actor=triager)
    page = _client(triager).get(reverse("decisions:meeting-detail", args=[meeting.pk]))
    text = page.content.decode()
    assert f'<span class="repo">{repository.name}</span> · (repository)' in text
    assert f"{repository.name} · (repository)</a>" in text  # the item's heading
    assert record.pk


def test_one_team_and_date_form_shows_the_agenda_and_starts_the_meeting(triager, repository):
    factories.record(repository, subject="pandas", review_date=TODAY)
    client = _client(triager)
    page = client.get(
        reverse("decisions:meeting-list"), {"team": repository.team.pk, "date": TODAY.isoformat()}
    ).content.decode()
    assert page.count('name="team"') == 2  # the select, and the start button's hidden copy
    assert page.count("<select") == 1
    assert f'<input type="hidden" name="team" value="{repository.team.pk}">' in page
    assert "Start meeting" in page


def test_a_viewer_is_not_offered_to_start_the_meeting(viewer, repository):
    factories.record(repository, subject="pandas", review_date=TODAY)
    page = (
        _client(viewer)
        .get(
            reverse("decisions:meeting-list"),
            {"team": repository.team.pk, "date": TODAY.isoformat()},
        )
        .content.decode()
    )
    assert "pandas" in page and "Start meeting" not in page


def test_saving_minutes_stays_on_the_item_being_discussed(triager, repository):
    for subject in ("a", "b", "c"):
        factories.record(repository, subject=subject, review_date=TODAY)
    meeting = services.meeting_start(team=repository.team, on=TODAY, actor=triager)
    third = meeting.items.order_by("position")[2]
    response = _client(triager).post(
        reverse("decisions:meeting-minutes", args=[meeting.pk]),
        {"minutes": "Talked it through.", "item": third.pk},
    )
    assert (
        response.url == reverse("decisions:meeting-detail", args=[meeting.pk]) + f"?item={third.pk}"
    )
    meeting.refresh_from_db()
    assert meeting.minutes == "Talked it through."


def test_the_reason_for_keep_is_in_the_minutes(triager, repository):
    owner = factories.member(repository.team, Role.OWNER)
    factories.record(repository, subject="pyyaml", owner=owner, review_date=TODAY)
    meeting = services.meeting_start(team=repository.team, on=TODAY, actor=triager)
    item = meeting.items.get()
    services.meeting_item_record(
        item=item, actor=triager, move="keep", comment="The config loader needs it."
    )
    item.refresh_from_db()
    assert item.outcome == "Keep (The config loader needs it.)"
    export = _client(triager).get(reverse("decisions:meeting-minutes-export", args=[meeting.pk]))
    assert "The config loader needs it." in b"".join(export.streaming_content).decode()


def test_approved_changes_not_made_yet_are_on_the_agenda(triager, repository):
    owner = factories.member(repository.team, Role.OWNER)
    approved = factories.record(
        repository,
        subject="pandas",
        owner=owner,
        state=State.APPROVED,
        next_action="remove",
        confidence=4,
    )
    found = meetings.agenda(user=triager, team=repository.team, on=TODAY)
    assert [e.record for e in found.sections[MeetingSection.APPROVED]] == [approved]


def test_the_open_item_is_in_the_address_after_each_step(triager, repository):
    for subject in ("a", "b"):
        factories.record(repository, subject=subject, review_date=TODAY)
    meeting = services.meeting_start(team=repository.team, on=TODAY, actor=triager)
    first, second = meeting.items.order_by("position")
    detail = reverse("decisions:meeting-detail", args=[meeting.pk])
    client = _client(triager)
    page = client.get(detail, {"item": first.pk}).content.decode()
    # The links to other items push their address, so a reload stays on the item.
    assert f'hx-get="{detail}?item={second.pk}"' in page
    assert page.count('hx-push-url="true"') >= 3  # both agenda entries and "Next item"
    fragment = client.get(
        detail, {"item": second.pk}, headers={"HX-Request": "true", "HX-Target": "meeting-item"}
    )
    assert "HX-Request" in fragment["Vary"]  # never the fragment for a plain visit
    response = client.post(
        reverse("decisions:meeting-item", args=[meeting.pk, second.pk]),
        {"note": "later"},
        headers={"HX-Request": "true", "HX-Target": "meeting-item"},
    )
    assert response["HX-Push-Url"] == f"{detail}?item={second.pk}"


def test_two_findings_about_one_package_are_told_apart_on_the_agenda(triager, repository):
    factories.record(repository, subject="black", kind="unused", review_date=TODAY)
    factories.record(repository, subject="black", kind="unpinned", review_date=TODAY)
    meeting = services.meeting_start(team=repository.team, on=TODAY, actor=triager)
    page = _client(triager).get(reverse("decisions:meeting-detail", args=[meeting.pk]))
    agenda = page.content.decode().split('id="agenda-entries"', 1)[1].split("</ol>", 1)[0]
    assert '· black <span class="agenda-kind">Unused</span></a>' in agenda
    assert '· black <span class="agenda-kind">Unpinned</span></a>' in agenda


def test_a_lead_of_one_team_sees_this_weeks_agenda_on_opening_the_page(triager, repository):
    factories.record(repository, subject="pandas", review_date=TODAY)
    page = _client(triager).get(reverse("decisions:meeting-list")).content.decode()
    preview = page.split('id="agenda-preview"', 1)[1]
    assert "pandas" in preview and "Start meeting" in preview


def test_a_member_of_two_teams_chooses_the_team_first(triager, repository):
    from inventory.models import Membership

    Membership.objects.create(team=factories.team("Other"), user=triager, role=Role.TRIAGER)
    factories.record(repository, subject="pandas", review_date=TODAY)
    page = _client(triager).get(reverse("decisions:meeting-list")).content.decode()
    assert "Start meeting" not in page and "Choose a team and a date" in page
