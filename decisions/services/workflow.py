"""Moving records through their lifecycle (see decisions.lifecycle for the rules)."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from decisions import lifecycle
from decisions.models import Approval, DecisionRecord, Notification, State
from decisions.services.history import event_write
from decisions.services.notifications import notify

_LATEST = object()


def review_window_days(record: DecisionRecord, *, latest=_LATEST) -> int:
    """One release cycle plus the longest scheduled job the last scan found, unless overridden.

    ``latest``: the repository's latest successful scan when the caller has it already.
    """
    if record.review_window_days_override:
        return record.review_window_days_override
    if latest is _LATEST:
        latest = record.repository.scan_runs.latest_succeeded()
    longest_job = latest.longest_job_interval_days if latest else 0
    return record.repository.release_cycle_days + longest_job


def record_move(
    *,
    record: DecisionRecord,
    actor,
    move: str,
    comment: str = "",
    today: date | None = None,
) -> DecisionRecord:
    """Make one lifecycle move, or raise PermissionDenied / ValidationError saying why not.

    Locks the record, so of two people approving at once one wins and the other is told who
    decided and when.
    """
    if not DecisionRecord.objects.for_user(actor).filter(pk=record.pk).exists():
        raise PermissionDenied("You cannot see this record.")
    with transaction.atomic():
        locked = (
            DecisionRecord.objects.select_for_update(of=("self",))
            .select_related("repository", "owner", "proposed_by")
            .get(pk=record.pk)
        )
        try:
            rule = lifecycle.check(move, record=locked, user=actor)
        except lifecycle.MoveRefused as exc:
            raise PermissionDenied(_refusal(locked, str(exc))) from exc
        if rule.needs_comment and not comment.strip():
            raise ValidationError(f"“{rule.label}” needs a comment saying why.")
        if move == "propose":
            locked.full_clean()
        before = locked.state
        locked.state = rule.target
        _side_effects(locked, actor, move, comment, today or timezone.localdate())
        locked.save()
        event_write(locked, "state", before, locked.state, actor=actor, comment=comment)
    return locked


def record_change_not_made(*, record: DecisionRecord, scan_run) -> None:
    """A scan found the finding of a removal in its review window again: flag it, say so in the
    history and tell the owner (call inside the scan's transaction, once per scan)."""
    if record.change_not_made_scan_id == scan_run.pk:
        return
    at = f" of commit {scan_run.commit[:12]}" if scan_run.commit else ""
    event_write(
        record,
        "change",
        "",
        "not made",
        comment=f"Change not made: scan {scan_run.pk}{at} finds {record.subject} still declared "
        f"while its removal is in the review window",
    )
    record.change_not_made_scan = scan_run
    record.save(update_fields=["change_not_made_scan"])
    notify(
        user=record.owner,
        record=record,
        kind=Notification.Kind.WATCH_SIGNAL,
        message=f"Change not made: {record.subject} is still declared in {record.repository} "
        "although its review window started.",
    )


def record_system_move(*, record: DecisionRecord, move: str, reason: str) -> None:
    """Make a move only a scan makes (``lifecycle.SYSTEM_MOVES``), with its history event and,
    for a watch signal, the owner told. Call inside the scan's transaction; the caller saves
    the record (state and review window). MoveRefused when the record's state does not allow it.
    """
    rule = lifecycle.system_check(move, record=record)
    event_write(record, "state", record.state, rule.target, comment=reason)
    record.state = rule.target
    if rule.target == State.REOPENED:
        record.review_window_end = None
        notify(
            user=record.owner,
            record=record,
            kind=Notification.Kind.WATCH_SIGNAL,
            message=f"{reason} in {record.repository}.",
        )


def _refusal(record: DecisionRecord, reason: str) -> str:
    if record.state not in DECIDED_STATES:
        return reason
    return refusal_text(reason, record.approvals.select_related("approver").first())


# States a refusal explains with the approval that decided them.
DECIDED_STATES = frozenset({State.APPROVED, State.REJECTED})


def refusal_text(reason: str, decided: Approval | None) -> str:
    """Why a move was refused: who already decided (``decided``, the record's latest
    approval, for a record in one of ``DECIDED_STATES``), else ``reason``."""
    if decided is None:
        return reason
    when = timezone.localtime(decided.created_at).strftime("%Y-%m-%d %H:%M")
    return f"Already {decided.get_decision_display().lower()} by {decided.approver} at {when}."


def approval_request_message(actor, record: DecisionRecord) -> str:
    return (
        f"{actor} asks you to approve: {record.get_next_action_display()} "
        f"{record.subject} in {record.repository}."
    )


def _side_effects(record: DecisionRecord, actor, move: str, comment: str, today: date) -> None:
    if move == "propose":
        record.proposed_by = actor
        for approver in lifecycle.approvers(record, proposer=actor):
            notify(
                user=approver,
                record=record,
                kind=Notification.Kind.APPROVAL_REQUESTED,
                message=approval_request_message(actor, record),
            )
    elif move in ("approve", "reject"):
        decision = Approval.Decision.APPROVED if move == "approve" else Approval.Decision.REJECTED
        Approval.objects.create(
            record=record,
            approver=actor,
            decision=decision,
            next_action=record.next_action,
            comment=comment,
        )
        if record.proposed_by_id and record.proposed_by_id != actor.pk:
            notify(
                user=record.proposed_by,
                record=record,
                kind=Notification.Kind.DECIDED,
                message=f"{actor} {decision} the proposal for {record.subject}: {comment}".strip(
                    ": "
                ),
            )
    elif move == "start-window":
        record.change_not_made_scan = None
        try:
            record.review_window_end = today + timedelta(days=review_window_days(record))
        except OverflowError:  # a release cycle stored before it was bounded
            raise ValidationError(
                "The review window would end past the last date the calendar holds; "
                "shorten the repository's release cycle or override the window."
            ) from None
        if not record.review_date or record.review_date < record.review_window_end:
            record.review_date = record.review_window_end
    elif move == "reopen":
        record.review_window_end = None
