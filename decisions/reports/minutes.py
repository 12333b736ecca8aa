"""Minutes of a weekly review as Markdown."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.utils import timezone

from decisions.models import DecisionEvent, MeetingItem, ReviewMeeting
from decisions.reports.gate import gate_lines
from inventory.markdown import cell, table, text
from scanning.selectors import Gate


def event_summary(event: DecisionEvent) -> str:
    if event.field == "meeting-note":
        return f"note: {event.new_value}"
    if event.old_value:
        return f"{event.field}: {event.old_value} → {event.new_value or '(cleared)'}"
    return f"{event.field}: {event.new_value or '(cleared)'}"


def history_table(events: Iterable[DecisionEvent]) -> Iterator[str]:
    """A Markdown table of decision history events, oldest first as given."""
    yield from table(
        ["When", "Repository", "Subject", "Change", "By", "Comment"],
        (
            [
                timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M"),
                e.record.repository.name,
                e.record.subject,
                event_summary(e),
                e.actor.username if e.actor else "scan",
                e.comment,
            ]
            for e in events
        ),
    )


def minutes_lines(
    *,
    meeting: ReviewMeeting,
    items: Iterable[MeetingItem],
    previous: ReviewMeeting | None,
    changes: Iterable[DecisionEvent],
    gate: Gate | None = None,
) -> Iterator[str]:
    """The minutes; ``gate`` is the vulnerability gate of the team's repositories."""
    yield f"# Weekly review: {cell(meeting.team.name)}, {meeting.date.isoformat()}\n\n"
    attendees = ", ".join(p.username for p in meeting.attendees.order_by("username"))
    yield f"**Attendees:** {cell(attendees) or '(none recorded)'}\n\n"
    if gate is not None:
        yield "\n".join(gate_lines(gate)) + "\n\n"
    yield "## Minutes\n\n"
    yield (text(meeting.minutes) or "(no minutes written)") + "\n\n"
    yield "## Agenda\n\n"
    yield from table(
        ["#", "Section", "Repository", "Subject", "Kind", "State", "Owner", "Outcome", "Note"],
        (
            [
                item.position,
                item.get_section_display(),
                item.record.repository.name,
                item.record.subject,
                item.record.get_kind_display(),
                item.record.get_state_display(),
                item.record.owner.username if item.record.owner else "",
                item.outcome or "not discussed",
                item.note,
            ]
            for item in items
        ),
    )
    yield "\n"
    if previous is None:
        yield "This is the team's first recorded review.\n"
        return
    yield f"## Changes since the review of {previous.date.isoformat()}\n\n"
    yield from history_table(changes)
