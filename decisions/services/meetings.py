"""Writes of the weekly review: starting a meeting, recording what it decided, its minutes.

Decisions on records go through ``record_update`` and ``record_move``, so a meeting obeys the
same rules (roles, approvals, required comments) as the record page.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from decisions import lifecycle
from decisions.models import MeetingItem, ReviewMeeting
from decisions.selectors import meetings
from decisions.services.history import event_write, shown
from decisions.services.records import record_update
from decisions.services.workflow import record_move
from inventory.models import Membership, Team

# What a meeting may change on a record besides moving it.
MEETING_FIELDS = frozenset({"owner", "next_action", "review_date"})


def can_run_meetings(*, user, team: Team) -> bool:
    """Triagers, owners and admins of the team run its reviews; viewers only read them."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.editors().filter(user=user, team=team).exists()


def _require_editor(user, team: Team) -> None:
    if not can_run_meetings(user=user, team=team):
        raise PermissionDenied("Only triagers, owners and admins of the team run its reviews.")


def meeting_start(*, team: Team, on: date, actor) -> ReviewMeeting:
    """The team's meeting of ``on``, created with its agenda if it does not exist yet.

    Idempotent per (team, date): starting it twice returns the first meeting unchanged, so the
    agenda people step through does not shift under them.
    """
    _require_editor(actor, team)
    meetings.check_day(on)
    existing = ReviewMeeting.objects.filter(team=team, date=on).first()
    if existing is not None:
        return existing
    plan = meetings.agenda(user=actor, team=team, on=on)
    try:
        with transaction.atomic():
            meeting = ReviewMeeting.objects.create(team=team, date=on, created_by=actor)
            meeting.attendees.add(actor)
            MeetingItem.objects.bulk_create(
                MeetingItem(meeting=meeting, record=entry.record, section=entry.section, position=n)
                for n, entry in enumerate(plan.entries(), start=1)
            )
    except IntegrityError:  # someone else started it at the same moment
        return ReviewMeeting.objects.get(team=team, date=on)
    return meeting


def meeting_item_record(
    *,
    item: MeetingItem,
    actor,
    changes: dict[str, Any] | None = None,
    move: str = "",
    comment: str = "",
    note: str = "",
    expected: dict[str, Any] | None = None,
) -> MeetingItem:
    """Apply what the meeting decided on one item: field changes, then a move, then the note.

    All or nothing: a refused move (PermissionDenied / ValidationError) also undoes the field
    changes made in the same step.
    """
    meeting = item.meeting
    _require_editor(actor, meeting.team)
    changes = dict(changes or {})
    unknown = set(changes) - MEETING_FIELDS
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} cannot be changed in a meeting")
    if move and move not in lifecycle.MOVES:
        raise ValidationError(f"Unknown action {move!r}.")
    context = f"Weekly review {meeting.date.isoformat()}"
    done: list[str] = []
    with transaction.atomic():
        record = item.record
        changed = {k: v for k, v in changes.items() if getattr(record, k) != v}
        if changed:
            record = record_update(
                record=record,
                actor=actor,
                changes=changed,
                comment=comment or context,
                expected=expected,
            )
            done += [
                f"{name.replace('_', ' ')} → {shown(getattr(record, name)) or '(none)'}"
                for name in sorted(changed)
            ]
        if move:
            record = record_move(record=record, actor=actor, move=move, comment=comment)
            label = lifecycle.MOVES[move].label
            # The reason (required to keep or reject) belongs in the minutes with the decision.
            done.append(f"{label} ({comment.strip()})" if comment.strip() else label)
        note = note.strip()
        if note:
            event_write(record, "meeting-note", "", note, actor=actor, comment=context)
            done.append("noted")
        if not done:
            raise ValidationError("Nothing to record: choose a change, an action or write a note.")
        item.record = record
        if note:
            item.note = f"{item.note}\n{note}".strip()
        item.outcome = "; ".join(filter(None, [item.outcome, ", ".join(done)]))[:500]
        item.discussed_by = actor
        item.discussed_at = timezone.now()
        item.save(update_fields=["note", "outcome", "discussed_by", "discussed_at"])
    return item


def meeting_minutes_save(
    *, meeting: ReviewMeeting, actor, attendees: list, minutes: str
) -> ReviewMeeting:
    """Replace the meeting's attendees (team members only) and minutes."""
    _require_editor(actor, meeting.team)
    members = set(Membership.objects.filter(team=meeting.team).values_list("user_id", flat=True))
    strangers = [person for person in attendees if person.pk not in members]
    if strangers and not all(person.is_superuser for person in strangers):
        raise ValidationError("Attendees must be members of the team.")
    with transaction.atomic():
        meeting.minutes = minutes
        meeting.save(update_fields=["minutes"])
        meeting.attendees.set(attendees)
    return meeting
