"""The append-only history every change writes."""

from __future__ import annotations

from typing import Any

from decisions.models import DecisionEvent, DecisionRecord


def shown(value: Any) -> str:
    if value is None:
        return ""
    return getattr(value, "username", None) or str(value)


def event_write(
    record: DecisionRecord,
    field: str,
    old: Any,
    new: Any,
    *,
    actor=None,
    comment: str = "",
) -> DecisionEvent:
    return DecisionEvent.objects.create(
        record=record,
        actor=actor,
        field=field,
        old_value=shown(old),
        new_value=shown(new),
        comment=comment,
    )
