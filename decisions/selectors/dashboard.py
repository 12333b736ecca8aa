"""Reads for the dashboard: debt over time reconstructed from the decision history.

A record's state on a day is the ``new_value`` of its last state event up to that day; before its
first state event it was in that event's ``old_value`` (or, never having moved, in its current
state) from the moment it was created. Nothing is interpolated.
"""

from __future__ import annotations

import statistics
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import accumulate

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from decisions.models import (
    CLOSED_STATES,
    DecisionEvent,
    DecisionRecord,
    NextAction,
    Severity,
    State,
)
from decisions.selectors.meetings import day_end
from inventory.models import PinLevel, Repository, Requirement, Team

DECIDED_STATES = frozenset({State.APPROVED, State.REJECTED, State.KEPT})
DEFAULT_WEEKS = 12


@dataclass
class Series:
    """Values per day for a few named lines: ``lines[name][i]`` belongs to ``days[i]``."""

    days: list[date]
    lines: dict[str, list[int]] = field(default_factory=dict)

    def rows(self) -> list[list]:
        names = list(self.lines)
        return [[day, *(self.lines[n][i] for n in names)] for i, day in enumerate(self.days)]


@dataclass
class Table:
    headers: list[str]
    rows: list[list]


def scoped_records(*, user, team: Team | None = None) -> QuerySet[DecisionRecord]:
    records = DecisionRecord.objects.for_user(user)
    return records.filter(repository__team=team) if team is not None else records


def sample_days(*, end: date, weeks: int = DEFAULT_WEEKS) -> list[date]:
    """One day a week for ``weeks`` weeks, ending on ``end``."""
    return [end - timedelta(weeks=n) for n in range(weeks, -1, -1)]


class _FieldEvents:
    """One field's recorded changes per record, to answer what it held at an instant."""

    def __init__(self, records: QuerySet[DecisionRecord], field: str) -> None:
        self.times: dict[int, list[datetime]] = defaultdict(list)
        self.values: dict[int, list[str]] = defaultdict(list)
        self.first_old: dict[int, str] = {}
        events = (
            DecisionEvent.objects.filter(record__in=records, field=field)
            .order_by("record_id", "created_at", "id")
            .values_list("record_id", "created_at", "old_value", "new_value")
        )
        # A plain fetch, not .iterator(): outside a transaction Django declares its server-side
        # cursor WITH HOLD, which makes PostgreSQL materialise the whole result before the first
        # row (at 1M records a team lead's chart took twice as long that way).
        for record_id, created_at, old, new in events:
            self.first_old.setdefault(record_id, old)
            self.times[record_id].append(created_at)
            self.values[record_id].append(new)

    def recorded(self, pk: int) -> bool:
        return pk in self.times

    def at(self, pk: int, instant: datetime) -> tuple[bool, str]:
        """(changed by ``instant``, the value then): the value the last change up to
        ``instant`` set, or, before the first change, the value that change replaced."""
        index = bisect_right(self.times[pk], instant)
        return (True, self.values[pk][index - 1]) if index else (False, self.first_old[pk])


class _StateHistory:
    """When each record changed state, to answer "what state was it in at instant t"."""

    def __init__(self, records: QuerySet[DecisionRecord]) -> None:
        self.info = {
            pk: (created, state, kind, severity, action)
            for pk, created, state, kind, severity, action in records.values_list(
                "pk", "created_at", "state", "kind", "severity", "next_action"
            )
        }
        self.events = _FieldEvents(records, "state")

    def state_at(self, pk: int, instant: datetime) -> str | None:
        """The record's state at ``instant``; None when it did not exist yet."""
        created, current, *_ = self.info[pk]
        if not self.events.recorded(pk):
            return current if created < instant else None
        changed, state = self.events.at(pk, instant)
        if changed:
            return state
        if created >= instant:
            return None
        return state or None  # "" means the record came into being with the event

    def spans(self, pk: int, instants: list[datetime]) -> list[tuple[int, int, str]]:
        """(first, end, state): the record's state at ``instants[first:end]`` (ascending
        instants), for every stretch where it had one; what ``state_at`` answers at each
        instant, found with one bisection per event instead of one per instant."""
        created, current, *_ = self.info[pk]
        count = len(instants)
        born = bisect_right(instants, created)  # the first instant after its creation
        if not self.events.recorded(pk):
            return [(born, count, current)] if born < count else []
        times, values = self.events.times[pk], self.events.values[pk]
        starts = [bisect_left(instants, when) for when in times]
        spans = []
        before = self.events.first_old[pk] or None
        if before is not None and born < starts[0]:
            spans.append((born, starts[0], before))
        for n, value in enumerate(values):
            end = starts[n + 1] if n + 1 < len(starts) else count
            if starts[n] < end:
                spans.append((starts[n], end, value))
        return spans


def _over_time(
    history: _StateHistory,
    days: list[date],
    key,
    *,
    names: list[str] | None = None,
    per_instant=None,
) -> Series:
    """Count, per sample day, open records grouped by ``key(pk, state, instant)``.

    A key of None leaves the record out of that day's count. The key is asked once per
    stretch of days a record spends in one state, unless ``per_instant(pk)`` says it depends
    on the instant for that record (then once per day).
    """
    instants = [day_end(day) for day in days]
    if instants != sorted(instants):
        raise ValueError("sample days must be in ascending order")
    # Per group, +1 where a stretch starts and -1 where it ends; summed up per day below.
    steps: dict[str, list[int]] = defaultdict(lambda: [0] * (len(days) + 1))
    for pk in history.info:
        daily = per_instant is not None and per_instant(pk)
        for first, end, state in history.spans(pk, instants):
            if daily:
                for n in range(first, end):
                    group = key(pk, state, instants[n])
                    if group is not None:
                        steps[group][n] += 1
                        steps[group][n + 1] -= 1
                continue
            group = key(pk, state, instants[first])
            if group is not None:
                steps[group][first] += 1
                steps[group][end] -= 1
    lines = {group: list(accumulate(changes[:-1])) for group, changes in steps.items()}
    order = names or sorted(lines)
    return Series(days=days, lines={n: lines.get(n, [0] * len(days)) for n in order})


def open_by_state(*, records: QuerySet[DecisionRecord], days: list[date]) -> Series:
    history = _StateHistory(records)
    open_states = [s for s in State.values if s not in CLOSED_STATES]
    return _over_time(
        history,
        days,
        lambda pk, state, _instant: state if state not in CLOSED_STATES else None,
        names=open_states,
    )


def open_by_kind(*, records: QuerySet[DecisionRecord], days: list[date]) -> Series:
    history = _StateHistory(records)
    return _over_time(
        history,
        days,
        lambda pk, state, _instant: history.info[pk][2] if state not in CLOSED_STATES else None,
    )


class _SeverityHistory:
    """What each record's severity was at an instant, from its ``severity`` events.

    A record starts with the severity its first advisory match gave it; a rescan that finds
    another severity (an advisory rescored, a new one matched) writes an event.
    """

    def __init__(self, history: _StateHistory, records: QuerySet[DecisionRecord]) -> None:
        self.current = {pk: info[3] for pk, info in history.info.items()}
        self.events = _FieldEvents(records, "severity")

    def severity_at(self, pk: int, instant: datetime) -> str:
        if not self.events.recorded(pk):
            return self.current[pk]
        return self.events.at(pk, instant)[1]


def vulnerabilities_by_severity(*, records: QuerySet[DecisionRecord], days: list[date]) -> Series:
    vulnerable = records.filter(kind="vulnerable")
    history = _StateHistory(vulnerable)
    severities = _SeverityHistory(history, vulnerable)

    def group(pk: int, state: str, instant: datetime) -> str | None:
        if state in CLOSED_STATES:
            return None
        return severities.severity_at(pk, instant) or "unknown"

    return _over_time(
        history,
        days,
        group,
        names=[*Severity.values, "unknown"],
        per_instant=severities.events.recorded,
    )


def removal_burndown(*, records: QuerySet[DecisionRecord], days: list[date]) -> Series:
    """Removals still to do against removals done (reached ``done``), per sample day."""
    history = _StateHistory(
        records.filter(Q(next_action=NextAction.REMOVE) | Q(state=State.DONE, kind="unused"))
    )

    def group(pk: int, state: str, _instant: datetime) -> str | None:
        if state == State.DONE:
            return "removed"
        if state in CLOSED_STATES:
            return None
        return "to remove"

    return _over_time(history, days, group, names=["to remove", "removed"])


def pin_levels_by_team(*, user, team: Team | None = None) -> Table:
    repositories = Repository.objects.for_user(user)
    if team is not None:
        repositories = repositories.filter(team=team)
    counts = (
        Requirement.objects.filter(manifest__repository__in=repositories)
        .values_list("manifest__repository__team__name", "pin_level")
        .annotate(n=Count("id"))
        .order_by("manifest__repository__team__name")
    )
    levels = PinLevel.values
    by_team: dict[str, Counter] = defaultdict(Counter)
    for team_name, level, n in counts:
        by_team[team_name][level] += n
    return Table(
        headers=["Team", *PinLevel.labels],
        rows=[[name, *(c.get(level, 0) for level in levels)] for name, c in by_team.items()],
    )


def top_repositories(*, records: QuerySet[DecisionRecord], limit: int = 10) -> Table:
    rows = (
        records.open()
        .values_list("repository__name", "repository__team__name")
        .annotate(total=Sum("priority_score"), open_count=Count("id"))
        .order_by("-total", "repository__name")[:limit]
    )
    return Table(
        headers=["Repository", "Team", "Priority (sum)", "Open records"],
        rows=[list(row) for row in rows],
    )


def time_to_decision(*, records: QuerySet[DecisionRecord]) -> Table:
    """Median days from a record's creation to its first decision (approved, rejected, kept)."""
    created = dict(records.values_list("pk", "created_at"))
    kinds = dict(records.values_list("pk", "kind"))
    first_decision: dict[int, datetime] = {}
    decided = (
        DecisionEvent.objects.filter(
            record__in=records, field="state", new_value__in=DECIDED_STATES
        )
        .order_by("record_id", "created_at")
        .values_list("record_id", "created_at")
    )
    for pk, when in decided:
        first_decision.setdefault(pk, when)
    per_kind: dict[str, list[float]] = defaultdict(list)
    for pk, when in first_decision.items():
        days = max((when - created[pk]).total_seconds(), 0) / 86400
        per_kind[kinds[pk]].append(days)
        per_kind["all kinds"].append(days)
    return Table(
        headers=["Kind", "Median days to decision", "Decided records"],
        rows=[
            [kind, round(statistics.median(values), 1), len(values)]
            for kind, values in sorted(
                per_kind.items(), key=lambda kv: (kv[0] != "all kinds", kv[0])
            )
        ],
    )


def today() -> date:
    return timezone.localdate()
