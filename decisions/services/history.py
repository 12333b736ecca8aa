"""The append-only history every change writes."""

from __future__ import annotations

from typing import Any

from decisions.models import DecisionEvent, DecisionRecord


def shown(value: Any) -> str:
    if value is None:
        return ""
    return getattr(value, "username", None) or str(value)


def event_new(
    record: DecisionRecord,
    field: str,
    old: Any,
    new: Any,
    *,
    actor=None,
    comment: str = "",
) -> DecisionEvent:
    """An unsaved event; ``events_write`` stores several in one query."""
    return DecisionEvent(
        record=record,
        actor=actor,
        field=field,
        old_value=shown(old),
        new_value=shown(new),
        comment=comment,
    )


def event_write(
    record: DecisionRecord,
    field: str,
    old: Any,
    new: Any,
    *,
    actor=None,
    comment: str = "",
) -> DecisionEvent:
    event = event_new(record, field, old, new, actor=actor, comment=comment)
    event.save()
    return event


def events_write(events: list[DecisionEvent]) -> list[DecisionEvent]:
    return DecisionEvent.objects.bulk_create(events)
