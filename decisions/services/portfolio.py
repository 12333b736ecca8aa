"""One decision applied to many records, each through the same edits and moves a person makes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from decisions import lifecycle
from decisions.models import DecisionRecord, NextAction
from decisions.services import batch

# Most records one request may decide (a selection is a page of the portfolio, or a rule).
MAX_APPLY = 5000


@dataclass(frozen=True)
class Decision:
    """What to decide: the next action, why, until when, and who owns it in each team."""

    next_action: str
    justification: str
    review_date: date | None = None
    owners: Mapping[int, object] = field(default_factory=dict)  # team id -> user
    suppression: str = ""  # for vulnerabilities kept: not affected, false positive, accepted

    def __post_init__(self) -> None:
        if self.next_action not in NextAction.values:
            raise ValidationError(f"Unknown next action {self.next_action!r}.")
        if not self.justification.strip():
            raise ValidationError("A decision applied to many records needs a justification.")


@dataclass
class ApplyResult:
    applied: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)  # record id -> why


def _messages(exc: Exception) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


def _changes(record: DecisionRecord, decision: Decision) -> dict:
    changes: dict = {"next_action": decision.next_action}
    if decision.review_date is not None:
        changes["review_date"] = decision.review_date
    owner = decision.owners.get(record.repository.team_id)
    if owner is not None:
        changes["owner"] = owner
    if decision.suppression and record.kind == "vulnerable":
        changes["suppression"] = decision.suppression
    return changes


def _move_for(next_action: str) -> str | None:
    """The lifecycle move that carries the decision: keep closes it, a change asks the owner."""
    if next_action == NextAction.KEEP:
        return "keep"
    if next_action in lifecycle.CHANGING_ACTIONS:
        return "propose"
    return None


def decision_apply(
    *,
    actor,
    record_ids: Iterable[int],
    decision: Decision,
) -> ApplyResult:
    """Apply ``decision`` to each record on its own; returns which were changed and which not.

    Each record gets the same edit (``records.record_edit``: one event per changed field) and
    the same lifecycle move (keep, or a request for the owner's approval) a person would make;
    a record the actor may not change, or whose rules refuse the decision, is left exactly as
    it was and listed in ``skipped`` with the reason. One transaction; the queries are bounded
    whatever the number of records (``decisions.services.batch``).
    """
    ids = list(dict.fromkeys(int(pk) for pk in record_ids))
    if len(ids) > MAX_APPLY:
        raise ValidationError(f"Choose at most {MAX_APPLY} records at once.")
    result = ApplyResult()
    with transaction.atomic():
        # One locking query for the whole selection, through editable_by (as record_update
        # locks one record).
        editable = batch.lock_editable(actor=actor, record_ids=ids)
        decided = batch.records_decide(
            records=[editable[pk] for pk in ids if pk in editable],
            actor=actor,
            changes=lambda record: _changes(record, decision),
            comment=decision.justification,
            move=_move_for(decision.next_action),
        )
    done = set(decided.done)
    for pk in ids:
        if pk in done:
            result.applied.append(pk)
        else:
            result.skipped[pk] = decided.refused.get(pk, "You cannot change this record.")
    return result
