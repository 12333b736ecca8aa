"""People's edits to decision records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from decisions import lifecycle
from decisions.models import (
    NOTE_FIELDS,
    SCORE_FIELDS,
    DecisionEvent,
    DecisionRecord,
    Notification,
    RecordFacts,
    State,
)
from decisions.services.history import event_new, events_write
from decisions.services.notifications import Notice, notify

# Fields people may change on a record; anything else is refused.
EDITABLE_FIELDS = frozenset(
    {
        "owner",
        "next_action",
        "review_date",
        "mode_notes",
        "suppression",
        "review_window_days_override",
        "review_window_override_reason",
        *NOTE_FIELDS,
        *SCORE_FIELDS,
    }
)
# Fields no edit changes: not validated again (a query each for the foreign keys).
_NOT_EDITED = [
    "repository",
    "package",
    "last_seen_scan",
    "proposed_by",
    "owner",
    "change_not_made_scan",
]
# States in which a proposal stands: awaiting its decision or approved.
_PROPOSED = frozenset({State.AWAITING_APPROVAL, State.APPROVED})


class EditConflict(ValidationError):
    """Someone else changed a field since the person's form was loaded; nothing was saved."""


def _same(a: Any, b: Any) -> bool:
    # Browsers send text areas with CRLF line breaks; the stored text may have either.
    if isinstance(a, str) and isinstance(b, str):
        return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()
    if a in ("", None) and b in ("", None):
        return True
    return a == b


def _refuse_stale(locked: DecisionRecord, actor, changes: dict, expected: dict) -> None:
    """Refuse changes to fields that no longer hold what the person's form was loaded with."""
    stale = [
        name
        for name, loaded in expected.items()
        if name in changes
        and not _same(loaded, getattr(locked, name))
        and not _same(changes[name], getattr(locked, name))
    ]
    if not stale:
        return
    reasons = []
    for name in stale:
        label = DecisionRecord._meta.get_field(name).verbose_name
        last = locked.events.filter(field=name).select_related("actor").order_by("-id").first()
        if last is None:
            reasons.append(f"{label} was changed by someone else")
            continue
        who = last.actor.username if last.actor else "a scan"
        when = timezone.localtime(last.created_at).strftime("%Y-%m-%d %H:%M")
        reasons.append(f"{label} was changed by {who} at {when}")
    raise EditConflict(
        "Not saved: since you opened this record, "
        + "; ".join(reasons)
        + ". Reload the page to see their change, then make yours again."
    )


@dataclass
class Edit:
    """An edit made to a locked record in memory: what changed and what it writes besides the
    record (history events, and a notice for an owner who was assigned)."""

    changed: list[str] = field(default_factory=list)
    events: list[DecisionEvent] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)


def record_edit(
    locked: DecisionRecord,
    actor,
    changes: dict[str, Any],
    comment: str,
    *,
    expected: dict[str, Any] | None = None,
    facts: RecordFacts | None = None,
) -> Edit:
    """Validate ``changes`` and make them on ``locked`` in memory; the caller writes the record,
    the events and the notices. ValidationError when refused (then nothing is to be written).

    ``facts`` answers what the record's rules read from other tables (``RecordFacts``: one
    query each; a batch passes what it read once for all its records).
    """
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} cannot be edited")
    if expected:
        _refuse_stale(locked, actor, changes, expected)
    before = {name: getattr(locked, name) for name in changes}
    for name, value in changes.items():
        setattr(locked, name, value)
    if locked.review_window_days_override and not locked.review_window_override_reason.strip():
        raise ValidationError("Overriding the review window needs a reason.")
    # Only the edited fields can be wrong; foreign keys and the candidate key are untouched
    # (the owner's membership of the team, which covers its existence, is a rule of check_rules).
    errors: dict = {}
    try:
        locked.clean_fields(exclude=_NOT_EDITED)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    try:
        locked.check_rules(facts or RecordFacts())
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    edit = Edit(changed=[n for n, old in before.items() if old != getattr(locked, n)])
    if not edit.changed:
        return edit
    withdrawn = [name for name in edit.changed if name in lifecycle.PROPOSAL_FIELDS]
    if withdrawn and locked.state in _PROPOSED:
        # An approval covers the proposal as it stood; a changed proposal needs a new one.
        what = ", ".join(str(DecisionRecord._meta.get_field(n).verbose_name) for n in withdrawn)
        asked = "approved" if locked.state == State.APPROVED else "requested"
        edit.events.append(
            event_new(
                locked,
                "state",
                locked.state,
                State.TRIAGED,
                actor=actor,
                comment=f"Approval withdrawn: {what} changed after approval was {asked}",
            )
        )
        locked.state = State.TRIAGED
    if locked.state in (State.NEW, State.REOPENED):
        edit.events.append(
            event_new(locked, "state", locked.state, State.TRIAGED, actor=actor, comment="Triaged")
        )
        locked.state = State.TRIAGED
    for name in edit.changed:
        edit.events.append(
            event_new(
                locked, name, before[name], getattr(locked, name), actor=actor, comment=comment
            )
        )
    assigned = locked.owner_id and locked.owner_id != getattr(actor, "pk", None)
    if "owner" in edit.changed and assigned:
        edit.notices.append(
            Notice(
                user=locked.owner,
                record=locked,
                kind=Notification.Kind.ASSIGNED,
                message=f"{actor} made you the owner of {locked.subject} in {locked.repository}.",
            )
        )
    return edit


def _apply(
    locked: DecisionRecord,
    actor,
    changes: dict[str, Any],
    comment: str,
    expected: dict[str, Any] | None = None,
) -> list[str]:
    edit = record_edit(locked, actor, changes, comment, expected=expected)
    if not edit.changed:
        return []
    locked.save()
    events_write(edit.events)
    for notice in edit.notices:
        notify(**notice.as_kwargs())
    return edit.changed


def record_update(
    *,
    record: DecisionRecord,
    actor,
    changes: dict[str, Any],
    comment: str = "",
    expected: dict[str, Any] | None = None,
) -> DecisionRecord:
    """Apply people's edits to ``record`` and write one history event per changed field.

    ``expected``: what each changed field held when the person's form was loaded; a field that
    holds something else now (and not the same new value) was changed by someone else since, and
    the whole edit is refused with an ``EditConflict`` saying who.
    """
    with transaction.atomic():
        try:
            # Locking through editable_by checks the permission in the same query.
            locked = (
                DecisionRecord.objects.editable_by(actor)
                .select_for_update(of=("self",))
                .select_related("repository", "owner")
                .get(pk=record.pk)
            )
        except DecisionRecord.DoesNotExist:
            raise PermissionDenied("You cannot change this record.") from None
        _apply(locked, actor, changes, comment, expected)
    return locked


def record_bulk_update(
    *,
    record_ids: list[int],
    actor,
    changes: dict[str, Any],
) -> tuple[list[DecisionRecord], dict[int, str]]:
    """Apply the same edit to many records; each succeeds or fails on its own.

    Returns (updated records, {record id: error message}). Records the actor may not change are
    reported as errors, never silently skipped. A bounded number of queries, whatever the
    number of records (``decisions.services.batch``).
    """
    from decisions.services import batch

    with transaction.atomic():
        locked = batch.lock_editable(actor=actor, record_ids=record_ids)
        decided = batch.records_decide(
            records=[locked[pk] for pk in record_ids if pk in locked],
            actor=actor,
            changes=lambda record: changes,
            comment="Bulk edit",
        )
    errors = {
        pk: decided.refused.get(pk, "You cannot change this record.")
        for pk in record_ids
        if pk not in decided.done
    }
    return [locked[pk] for pk in decided.done], errors


def review_reminders_send(*, today: date) -> int:
    """Notify owners of open records whose review date has come (once per record and date)."""
    due = (
        DecisionRecord.objects.open()
        .filter(review_date__lte=today, owner__isnull=False)
        .select_related("owner", "repository")
    )
    sent = 0
    for record in due:
        already = Notification.objects.filter(
            record=record,
            kind=Notification.Kind.REVIEW_DUE,
            message__contains=record.review_date.isoformat(),
        ).exists()
        if already:
            continue
        with transaction.atomic():
            notify(
                user=record.owner,
                record=record,
                kind=Notification.Kind.REVIEW_DUE,
                message=f"Review of {record.subject} in {record.repository} was due on "
                f"{record.review_date.isoformat()}.",
            )
        sent += 1
    return sent
