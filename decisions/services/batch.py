"""One edit and one lifecycle move for many records at once.

Each record is edited (``records.record_edit``) and moved (``lifecycle.check``) by the same
rules as one record by hand, in memory; what the accepted records changed is then written
together: one UPDATE per distinct set of written values, one insert of all history events, one
of all notifications. What the rules read from other tables (the teams' memberships, the
repositories' latest scans, who decided an approved record) is read once for the selection, so
the number of queries does not grow with the number of records.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from decisions import lifecycle
from decisions.models import Approval, DecisionRecord, Notification, RecordFacts
from decisions.services import records as record_services
from decisions.services import workflow
from decisions.services.history import event_new, events_write
from decisions.services.notifications import Notice, notify_each
from inventory.models import Repository
from inventory.roster import Roster
from scanning.models import ScanRun

# The moves a decision for many records carries: keep closes, a change asks the owner.
BATCH_MOVES = frozenset({"keep", "propose"})


def lock_editable(*, actor, record_ids: Iterable[int]) -> dict[int, DecisionRecord]:
    """The records of ``record_ids`` that ``actor`` may change, locked, by id (one query: the
    permission is checked in the locking query, as ``record_update`` does for one record).
    Call inside a transaction."""
    return {
        record.pk: record
        for record in DecisionRecord.objects.editable_by(actor)
        .select_for_update(of=("self",))
        .select_related("repository", "owner")
        .filter(pk__in=list(record_ids))
    }


def latest_scans(repository_ids: Iterable[int]) -> dict[int, ScanRun]:
    """Each repository's latest successful scan, as ``latest_succeeded`` picks it (one query);
    a repository without one is absent."""
    latest = (
        ScanRun.objects.succeeded()
        .filter(repository=OuterRef("pk"))
        .order_by("-finished_at", "-id")
        .values("pk")[:1]
    )
    chosen = (
        Repository.objects.filter(pk__in=set(repository_ids))
        .annotate(latest=Subquery(latest))
        .values("latest")
    )
    runs = ScanRun.objects.filter(pk__in=chosen).only(
        "repository_id", "modes_seen", "modes_incomplete"
    )
    return {run.repository_id: run for run in runs}


class SelectionFacts(RecordFacts):
    """``RecordFacts`` for a selection: memberships from its roster, latest scans read once
    (on the first record that needs one) for every repository of the selection."""

    def __init__(self, roster: Roster, records: Iterable[DecisionRecord]) -> None:
        self.roster = roster
        self._repository_ids = {record.repository_id for record in records}
        self._latest: dict[int, ScanRun] | None = None

    def owner_can_approve(self, record: DecisionRecord) -> bool:
        return self.roster.is_editor(user_id=record.owner_id, team_id=record.repository.team_id)

    def latest_scan(self, record: DecisionRecord) -> ScanRun | None:
        if self._latest is None:
            self._latest = latest_scans(self._repository_ids)
        return self._latest.get(record.repository_id)


@dataclass
class Decided:
    done: list[int] = field(default_factory=list)  # decided (or already so), in the given order
    refused: dict[int, str] = field(default_factory=dict)  # record id -> why it was left alone


def _messages(exc: Exception) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


def _hashable(value: object) -> object:
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    return value


def records_decide(
    *,
    records: Iterable[DecisionRecord],
    actor,
    changes: Callable[[DecisionRecord], dict],
    comment: str,
    move: str | None = None,
) -> Decided:
    """Edit each record by ``changes(record)`` and then make ``move`` on it; write it all.

    ``records``: locked (``lock_editable``), with repository and owner loaded; call inside the
    transaction that locked them. A record whose edit or move is refused is left exactly as it
    is in the database (nothing of it is written) and listed in ``refused`` with the reason
    the one-record services give. Every accepted record gets its own history events and
    notifications, as by hand; e-mails go after commit.
    """
    if move is not None and move not in BATCH_MOVES:
        raise ValueError(f"{move!r} is not made for many records at once")
    records = list(records)
    roster = Roster({record.repository.team_id for record in records})
    facts = SelectionFacts(roster, records)
    decided = Decided()
    events, notices, written = [], [], []
    refused_moves: list[tuple[DecisionRecord, str]] = []
    for record in records:
        try:
            edit = record_services.record_edit(record, actor, changes(record), comment, facts=facts)
        except ValidationError as exc:
            decided.refused[record.pk] = _messages(exc)
            continue
        fields = {*edit.changed, "state"} if edit.changed else set()
        record_events, record_notices = edit.events, edit.notices
        if move is not None:
            try:
                rule = lifecycle.check(move, record=record, user=actor, roster=roster)
            except lifecycle.MoveRefused as exc:
                refused_moves.append((record, str(exc)))
                continue
            if rule.needs_comment and not comment.strip():
                decided.refused[record.pk] = f"“{rule.label}” needs a comment saying why."
                continue
            before, record.state = record.state, rule.target
            fields.add("state")
            if move == "propose":
                record.proposed_by = actor
                fields.add("proposed_by")
                record_notices = [
                    *record_notices,
                    *(
                        Notice(
                            user=approver,
                            record=record,
                            kind=Notification.Kind.APPROVAL_REQUESTED,
                            message=workflow.approval_request_message(actor, record),
                        )
                        for approver in lifecycle.approvers(record, proposer=actor, roster=roster)
                    ),
                ]
            record_events = [
                *record_events,
                event_new(record, "state", before, record.state, actor=actor, comment=comment),
            ]
        decided.done.append(record.pk)
        events += record_events
        notices += record_notices
        if fields:
            written.append((record, fields))
    _explain_refused_moves(decided, refused_moves)
    _write(written)
    events_write(events)
    notify_each(notices, roster=roster)
    return decided


def _explain_refused_moves(decided: Decided, refused: list[tuple[DecisionRecord, str]]) -> None:
    """The refusals of moves, saying who decided an approved or rejected record (one query)."""
    asked = [record.pk for record, _ in refused if record.state in workflow.DECIDED_STATES]
    latest: dict[int, Approval] = {}
    if asked:
        approvals = (
            Approval.objects.filter(record_id__in=asked)
            .select_related("approver")
            .order_by("record_id", "-created_at", "-id")
        )
        for approval in approvals:
            latest.setdefault(approval.record_id, approval)
    for record, reason in refused:
        decided.refused[record.pk] = workflow.refusal_text(reason, latest.get(record.pk))


def _write(written: list[tuple[DecisionRecord, set[str]]]) -> None:
    """Save what the records changed: every written record gets the columns any of them
    changed (a column a record did not change holds its own value again), one UPDATE per
    distinct set of values. A decision gives a team's records the same values, so these are
    about one per team, whatever the number of records."""
    now = timezone.now()
    columns = sorted(
        {DecisionRecord._meta.get_field(name).attname for _, fields in written for name in fields}
    )
    groups: dict[tuple, tuple[dict, list[int]]] = {}
    for record, _fields in written:
        record.updated_at = now
        values = {column: getattr(record, column) for column in columns}
        key = tuple(_hashable(value) for value in values.values())
        groups.setdefault(key, (values, []))[1].append(record.pk)
    for values, pks in groups.values():
        DecisionRecord.objects.filter(pk__in=pks).update(updated_at=now, **values)
