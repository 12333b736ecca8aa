"""Approvals that cannot be bypassed by editing, and proposals that reach someone who can act."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from decisions import lifecycle, services
from decisions.forms.records import RecordDetailForm, RecordTriageForm
from decisions.models import SCORE_FIELDS, Approval, DecisionRecord, NextAction, Notification, State
from decisions.reports import cleanup
from decisions.selectors import records as selectors
from inventory.models import Role
from scanning import services as scanning_services
from tests import factories


@pytest.fixture
def people(team):
    return {
        "viewer": factories.member(team, Role.VIEWER),
        "triager": factories.member(team, Role.TRIAGER),
        "owner": factories.member(team, Role.OWNER),
        "admin": factories.member(team, Role.ADMIN),
    }


def _proposed(repository, people, **extra):
    fields = {"state": State.TRIAGED, "owner": people["owner"], "next_action": NextAction.ARCHIVE}
    fields.update(extra)
    record = factories.record(repository, **fields)
    return services.record_move(record=record, actor=people["triager"], move="propose")


# --- 5. editing what was proposed withdraws the approval ---------------------------------------


@pytest.mark.parametrize("approved", [False, True], ids=["awaiting", "approved"])
def test_changing_the_next_action_withdraws_the_approval(repository, people, approved):
    record = _proposed(repository, people)
    if approved:
        record = services.record_move(record=record, actor=people["owner"], move="approve")

    services.record_update(
        record=record, actor=people["triager"], changes={"next_action": NextAction.DISABLE}
    )

    record.refresh_from_db()
    assert record.state == State.TRIAGED
    withdrawn = record.events.get(field="state", new_value=State.TRIAGED)
    assert withdrawn.old_value == (State.APPROVED if approved else State.AWAITING_APPROVAL)
    assert "withdrawn" in withdrawn.comment and "next action" in withdrawn.comment
    assert withdrawn.actor == people["triager"]


def test_changing_the_plan_withdraws_the_approval(repository, people):
    record = services.record_move(
        record=_proposed(repository, people), actor=people["owner"], move="approve"
    )
    services.record_update(
        record=record, actor=people["triager"], changes={"rollback_notes": "no way back"}
    )
    record.refresh_from_db()
    assert record.state == State.TRIAGED


def test_changes_beside_the_proposal_keep_the_approval(repository, people):
    record = services.record_move(
        record=_proposed(repository, people), actor=people["owner"], move="approve"
    )
    services.record_update(
        record=record, actor=people["triager"], changes={"impact": 5, "why_stale": "old"}
    )
    record.refresh_from_db()
    assert record.state == State.APPROVED


def test_an_approval_records_the_action_it_approved(repository, people):
    record = services.record_move(
        record=_proposed(repository, people), actor=people["owner"], move="approve"
    )
    assert record.approvals.get().next_action == NextAction.ARCHIVE


@pytest.fixture
def scanned(tmp_path, team):
    path = factories.git_repository(
        tmp_path / "shop",
        {
            "requirements.txt": "requests==2.31.0\npandas==2.1.0\n",
            "shop/__init__.py": "",
            "shop/web.py": "import requests\n",
        },
    )
    repository = factories.repository(team, location=str(path))
    run, _ = scanning_services.scan_run_create(repository=repository)
    services.repository_scan(repository_id=repository.pk, scan_run_id=run.pk)
    return repository


def test_cleanup_body_lists_only_removals_approved_as_they_stand(scanned, people):
    record = DecisionRecord.objects.get(repository=scanned, subject="pandas", kind="unused")
    notes = {m: "not used there" for m in record.uncovered_modes()}
    services.record_update(
        record=record,
        actor=people["triager"],
        changes={"owner": people["owner"], "next_action": NextAction.ARCHIVE, "mode_notes": notes},
    )
    services.record_move(record=record, actor=people["triager"], move="propose")
    services.record_move(record=record, actor=people["owner"], move="approve")
    # An approval of another action, left over from before the state guard (or a raw write):
    DecisionRecord.objects.filter(pk=record.pk).update(next_action=NextAction.REMOVE)

    body = cleanup.cleanup_body(user=people["triager"], repository=scanned)

    assert "**pandas**" not in body
    assert "No removal is approved" in body


def test_cleanup_body_lists_a_removal_approved_as_remove(scanned, people):
    record = DecisionRecord.objects.get(repository=scanned, subject="pandas", kind="unused")
    notes = {m: "not used there" for m in record.uncovered_modes()}
    services.record_update(
        record=record,
        actor=people["triager"],
        changes={"owner": people["owner"], "next_action": NextAction.REMOVE, "mode_notes": notes},
    )
    services.record_move(record=record, actor=people["triager"], move="propose")
    services.record_move(record=record, actor=people["owner"], move="approve")
    assert "**pandas**" in cleanup.cleanup_body(user=people["triager"], repository=scanned)


# --- 6. only people who can approve own records or are asked --------------------------------


def test_a_viewer_cannot_be_made_owner(repository, people):
    record = factories.record(repository)
    with pytest.raises(ValidationError, match="approve"):
        services.record_update(
            record=record, actor=people["triager"], changes={"owner": people["viewer"]}
        )
    record.refresh_from_db()
    assert record.owner is None
    assert not Notification.objects.filter(user=people["viewer"]).exists()


@pytest.mark.parametrize("form_class", [RecordDetailForm, RecordTriageForm])
def test_owner_choices_are_only_people_who_can_approve(repository, people, form_class):
    record = factories.record(repository)
    choices = set(form_class(instance=record).fields["owner"].queryset)
    assert choices == {people["triager"], people["owner"], people["admin"]}


def test_owner_pickers_of_the_triage_list_offer_no_viewer(repository, people):
    owners = selectors.owners_by_team(team_ids={repository.team_id})[repository.team_id]
    assert people["viewer"].pk not in {pk for pk, _ in owners}
    assert people["owner"].pk in {pk for pk, _ in owners}


def test_a_self_owned_proposal_goes_to_the_teams_other_approvers(repository, people):
    other_owner = factories.member(repository.team, Role.OWNER)
    record = _proposed(repository, people, owner=people["triager"])

    asked = set(
        Notification.objects.filter(
            record=record, kind=Notification.Kind.APPROVAL_REQUESTED
        ).values_list("user", flat=True)
    )
    assert asked == {people["admin"].pk, people["owner"].pk, other_owner.pk}
    for approver in (people["admin"], people["owner"]):
        assert record in selectors.my_work(user=approver)["approvals"]
        assert "approve" in {m.name for m in lifecycle.allowed_moves(record=record, user=approver)}
    assert record not in selectors.my_work(user=people["triager"])["approvals"]

    approved = services.record_move(record=record, actor=people["owner"], move="approve")
    assert approved.state == State.APPROVED
    assert Approval.objects.get(record=record).approver == people["owner"]


def test_the_proposer_is_never_asked_to_approve_their_own_proposal(repository, people):
    _proposed(repository, people, owner=people["triager"])
    assert not Notification.objects.filter(
        user=people["triager"], kind=Notification.Kind.APPROVAL_REQUESTED
    ).exists()


def test_a_viewer_is_never_asked_to_approve(repository, people):
    record = _proposed(repository, people, owner=people["triager"])
    assert not Notification.objects.filter(user=people["viewer"], record=record).exists()


def test_a_self_owned_proposal_without_another_approver_is_refused(team):
    lead = factories.member(team, Role.TRIAGER)
    factories.member(team, Role.VIEWER)
    record = factories.record(
        factories.repository(team), owner=lead, next_action=NextAction.ARCHIVE
    )
    with pytest.raises(PermissionDenied, match="no one else"):
        services.record_move(record=record, actor=lead, move="propose")
    record.refresh_from_db()
    assert record.state == State.NEW


def test_the_record_page_refuses_a_viewer_as_owner(repository, people):
    record = factories.record(repository)
    client = Client()
    client.force_login(people["triager"])
    response = client.post(
        reverse("decisions:record-detail", args=[record.pk]),
        {"owner": people["viewer"].pk, **{f: 3 for f in SCORE_FIELDS}},
    )
    assert response.status_code == 200
    assert b'class="saved"' not in response.content
    record.refresh_from_db()
    assert record.owner is None


def test_an_owner_who_can_no_longer_approve_is_not_notified_and_the_record_is_unclaimed(
    repository, people
):
    import datetime

    from decisions.selectors import meetings
    from inventory.models import Membership

    due = factories.record(repository, owner=people["owner"], review_date=datetime.date(2026, 1, 1))
    undated = factories.record(repository, owner=people["owner"])
    Membership.objects.filter(user=people["owner"]).update(role=Role.VIEWER)

    services.review_reminders_send(today=datetime.date(2026, 1, 2))

    assert not Notification.objects.filter(user=people["owner"]).exists()
    agenda = meetings.agenda(
        user=people["triager"], team=repository.team, on=datetime.date(2026, 1, 2)
    )
    assert [e.record for e in agenda.sections["due"]] == [due]
    assert [e.record for e in agenda.sections["unclaimed"]] == [undated]


def test_the_bulk_owner_picker_offers_no_viewer(repository, people):
    factories.record(repository)
    client = Client()
    client.force_login(people["triager"])
    html = client.get(reverse("decisions:record-list")).content.decode()
    bulk = html.split('id="bulk-form"', 1)[1].split("</form>", 1)[0]
    assert f'value="{people["owner"].pk}"' in bulk
    assert f'value="{people["viewer"].pk}"' not in bulk
