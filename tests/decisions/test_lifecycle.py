from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from decisions import lifecycle, services
from decisions.models import Approval, DecisionRecord, NextAction, Notification, State
from decisions.services import workflow
from inventory.models import Role
from scanning.models import ScanRun, ScanStatus
from tests import factories

ALL_STATES = [s.value for s in State]


@pytest.fixture
def people(team):
    return {
        "viewer": factories.member(team, Role.VIEWER),
        "triager": factories.member(team, Role.TRIAGER),
        "owner": factories.member(team, Role.OWNER),
        "admin": factories.member(team, Role.ADMIN),
    }


@pytest.fixture
def scanned(repository):
    ScanRun.objects.create(
        repository=repository,
        status=ScanStatus.SUCCEEDED,
        modes_seen={"web": 3, "test": 2},
        longest_job_interval_days=31,
    )
    return repository


def _record(repository, people, state=State.TRIAGED, **extra):
    fields = {
        "state": state,
        "owner": people["owner"],
        "next_action": NextAction.ARCHIVE,
        "proposed_by": people["triager"],
    }
    fields.update(extra)
    return factories.record(repository, **fields)


@pytest.mark.parametrize("state", ALL_STATES)
@pytest.mark.parametrize("move", sorted(lifecycle.MOVES))
def test_every_move_from_every_state(repository, people, state, move):
    """Each move is allowed exactly from its source states, for an admin who did not propose."""
    record = _record(repository, people, state=state, proposed_by=people["triager"])
    rule = lifecycle.MOVES[move]
    comment = "because"
    if state in rule.sources:
        moved = services.record_move(
            record=record, actor=people["admin"], move=move, comment=comment
        )
        assert moved.state == rule.target
        assert moved.events.filter(field="state", old_value=state, new_value=rule.target).exists()
    else:
        with pytest.raises(PermissionDenied, match="cannot be moved"):
            services.record_move(record=record, actor=people["admin"], move=move, comment=comment)
        record.refresh_from_db()
        assert record.state == state


def test_done_is_never_a_manual_move():
    assert all(m.target != State.DONE for m in lifecycle.MOVES.values())


def test_system_moves_are_offered_to_nobody(repository, people):
    assert not set(lifecycle.SYSTEM_MOVES) & set(lifecycle.MOVES)
    assert all(not m.roles for m in lifecycle.SYSTEM_MOVES.values())
    record = _record(repository, people, state=State.NEW)
    offered = lifecycle.allowed_moves(record=record, user=people["admin"])
    assert not {m.name for m in offered} & set(lifecycle.SYSTEM_MOVES)


@pytest.mark.parametrize("state", ALL_STATES)
@pytest.mark.parametrize("move", sorted(lifecycle.SYSTEM_MOVES))
def test_every_system_move_from_every_state(repository, people, state, move):
    """A scan's move is made exactly from its source states; elsewhere nothing changes."""
    record = _record(repository, people, state=state, review_window_end=date(2030, 1, 1))
    rule = lifecycle.SYSTEM_MOVES[move]
    events = record.events.count()
    if state in rule.sources:
        workflow.record_system_move(record=record, move=move, reason="Seen by scan")
        assert record.state == rule.target
        assert record.events.count() == events + 1
        watch_signal = Notification.objects.filter(
            user=people["owner"], record=record, kind=Notification.Kind.WATCH_SIGNAL
        )
        if rule.target == State.REOPENED:
            assert record.review_window_end is None
            assert watch_signal.exists()
        else:
            assert record.review_window_end == date(2030, 1, 1)
            assert not watch_signal.exists()
    else:
        with pytest.raises(lifecycle.MoveRefused):
            workflow.record_system_move(record=record, move=move, reason="Seen by scan")
        assert record.state == state
        assert record.events.count() == events


def test_triager_cannot_approve_own_proposal(repository, people):
    record = _record(repository, people, owner=people["triager"], next_action=NextAction.REMOVE)
    record.next_action = NextAction.ARCHIVE
    record.save()
    record = services.record_move(record=record, actor=people["triager"], move="propose")
    with pytest.raises(PermissionDenied, match="someone else"):
        services.record_move(record=record, actor=people["triager"], move="approve")


def test_only_the_owner_or_an_admin_decides(repository, people):
    record = _record(repository, people, state=State.AWAITING_APPROVAL)
    with pytest.raises(PermissionDenied):
        services.record_move(record=record, actor=people["viewer"], move="approve")
    other_owner = factories.member(repository.team, Role.OWNER)
    with pytest.raises(PermissionDenied, match="owner"):
        services.record_move(record=record, actor=other_owner, move="approve")
    approved = services.record_move(record=record, actor=people["owner"], move="approve")
    assert approved.state == State.APPROVED
    assert Approval.objects.get(record=record).approver == people["owner"]


def test_second_approval_is_told_who_decided(repository, people):
    record = _record(repository, people, state=State.AWAITING_APPROVAL)
    services.record_move(record=record, actor=people["owner"], move="approve")
    with pytest.raises(PermissionDenied, match=f"Already approved by {people['owner'].username}"):
        services.record_move(record=record, actor=people["admin"], move="approve")
    assert Approval.objects.filter(record=record).count() == 1


def test_reject_and_keep_need_a_comment(repository, people):
    record = _record(repository, people, state=State.AWAITING_APPROVAL)
    with pytest.raises(ValidationError, match="comment"):
        services.record_move(record=record, actor=people["owner"], move="reject")
    rejected = services.record_move(
        record=record, actor=people["owner"], move="reject", comment="used by the nightly job"
    )
    assert rejected.state == State.REJECTED
    assert record.approvals.get().comment == "used by the nightly job"


def test_propose_needs_a_changing_action_and_an_owner(repository, people):
    record = _record(repository, people, owner=None, next_action=NextAction.KEEP)
    with pytest.raises(PermissionDenied, match="Choose a next action that changes the repository"):
        services.record_move(record=record, actor=people["triager"], move="propose")
    record.next_action = NextAction.ARCHIVE
    record.save()
    with pytest.raises(PermissionDenied, match="owner"):
        services.record_move(record=record, actor=people["triager"], move="propose")


def test_proposal_notifies_the_owner_by_mail_and_in_app(
    repository, people, django_capture_on_commit_callbacks
):
    record = _record(repository, people, proposed_by=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.record_move(record=record, actor=people["triager"], move="propose")
    note = Notification.objects.get(user=people["owner"])
    assert note.kind == Notification.Kind.APPROVAL_REQUESTED
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [people["owner"].email]
    assert f"/records/{record.pk}/" in mail.outbox[0].body


def test_review_window_is_release_cycle_plus_longest_job(scanned, people):
    scanned.release_cycle_days = 14
    scanned.save()
    record = _record(scanned, people, state=State.APPROVED)
    assert services.review_window_days(record) == 14 + 31
    moved = services.record_move(
        record=record, actor=people["triager"], move="start-window", today=date(2026, 1, 1)
    )
    assert moved.review_window_end == date(2026, 1, 1) + timedelta(days=45)


def test_review_window_override_needs_a_reason(scanned, people):
    record = _record(scanned, people)
    with pytest.raises(ValidationError, match="reason"):
        services.record_update(
            record=record, actor=people["triager"], changes={"review_window_days_override": 3}
        )
    services.record_update(
        record=record,
        actor=people["triager"],
        changes={"review_window_days_override": 3, "review_window_override_reason": "hotfix"},
    )
    record.refresh_from_db()
    assert services.review_window_days(record) == 3


def test_investigate_needs_owner_and_review_date(repository, people):
    record = _record(repository, people, owner=None, next_action="")
    with pytest.raises(ValidationError, match="owner and a review date"):
        services.record_update(
            record=record, actor=people["triager"], changes={"next_action": NextAction.INVESTIGATE}
        )


def test_remove_needs_evidence_or_a_note_for_every_mode(scanned, people):
    package = factories.package("pandas")
    scanned.execution_modes = ["cron"]
    scanned.save()
    run = scanned.scan_runs.get()
    run.modes_incomplete = ["test"]
    run.save()
    record = _record(scanned, people, package=package, next_action="")
    with pytest.raises(ValidationError, match="missing: cron, test"):
        services.record_update(
            record=record, actor=people["triager"], changes={"next_action": NextAction.REMOVE}
        )
    services.record_update(
        record=record,
        actor=people["triager"],
        changes={
            "next_action": NextAction.REMOVE,
            "mode_notes": {"cron": "crontab checked on host", "test": "tests never import it"},
        },
    )
    record.refresh_from_db()
    assert record.next_action == NextAction.REMOVE


def test_owner_must_belong_to_the_team(repository, people):
    record = _record(repository, people)
    with pytest.raises(ValidationError, match="member"):
        services.record_update(
            record=record, actor=people["triager"], changes={"owner": factories.user()}
        )


def test_assigning_an_owner_notifies_them(repository, people):
    record = _record(repository, people, owner=None)
    services.record_update(
        record=record, actor=people["triager"], changes={"owner": people["owner"]}
    )
    assert Notification.objects.filter(
        user=people["owner"], kind=Notification.Kind.ASSIGNED
    ).exists()


def test_review_reminders_are_sent_once(repository, people):
    today = date(2026, 3, 1)
    _record(repository, people, review_date=today - timedelta(days=1))
    _record(repository, people, review_date=today + timedelta(days=5))
    assert services.review_reminders_send(today=today) == 1
    assert services.review_reminders_send(today=today) == 0


def test_bulk_update_reports_refused_records(repository, people):
    mine = [_record(repository, people, owner=None) for _ in range(3)]
    foreign = factories.record(factories.repository())
    updated, errors = services.record_bulk_update(
        record_ids=[r.pk for r in mine] + [foreign.pk],
        actor=people["triager"],
        changes={"owner": people["owner"], "review_date": date(2026, 5, 1)},
    )
    assert len(updated) == 3
    assert set(errors) == {foreign.pk}
    assert DecisionRecord.objects.filter(owner=people["owner"]).count() == 3
    foreign.refresh_from_db()
    assert foreign.owner is None


def test_keeping_a_vulnerability_needs_a_reason_and_an_expiry(repository, people):
    record = _record(
        repository, people, kind="vulnerable", state=State.TRIAGED, next_action=NextAction.KEEP
    )
    with pytest.raises(PermissionDenied, match="reason"):
        services.record_move(record=record, actor=people["triager"], move="keep", comment="ok")
    services.record_update(
        record=record,
        actor=people["triager"],
        changes={"suppression": "not-affected", "review_date": date(2027, 1, 1)},
    )
    kept = services.record_move(
        record=record, actor=people["triager"], move="keep", comment="we never call the API"
    )
    assert kept.state == State.KEPT
    assert kept.suppression == "not-affected"


def test_a_review_window_past_the_calendar_is_refused_not_a_crash(scanned, people):
    record = _record(scanned, people, state=State.APPROVED)
    with pytest.raises(ValidationError, match="review window"):
        services.record_update(
            record=record,
            actor=people["triager"],
            changes={"review_window_days_override": 10**9, "review_window_override_reason": "x"},
        )
    scanned.release_cycle_days = 10**9
    with pytest.raises(ValidationError, match="release_cycle_days"):
        scanned.full_clean()
    scanned.save()  # as an older installation may have stored it
    with pytest.raises(ValidationError, match="calendar"):
        services.record_move(record=record, actor=people["triager"], move="start-window")
