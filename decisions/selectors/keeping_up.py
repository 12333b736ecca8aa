"""Reads for "are we keeping up": per team and week, records opened, decided and done, and the
median days from a record's creation to its first decision.

A record is *decided* the first time it reaches approved, rejected or kept (as the dashboard's
time to decision counts it) and *done* the first time a scan confirms it (``done``); both come
from the append-only history, so a week's figures never change afterwards.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from decisions.models import DecisionEvent, DecisionRecord, State
from decisions.selectors.dashboard import DECIDED_STATES, DEFAULT_WEEKS, Table

ALL = "All teams"
HEADERS = ["Week", "Team", "Opened", "Decided", "Done", "Median days to decision"]


def week_of(day: date) -> date:
    """The Monday starting the ISO week of ``day``."""
    return day - timedelta(days=day.weekday())


def keeping_up(
    *,
    records: QuerySet[DecisionRecord],
    today: date,
    weeks: int = DEFAULT_WEEKS,
    by_team: bool = True,
) -> Table:
    """One row per (week, team) with anything in it, oldest week first, over ``weeks`` weeks
    ending with the week of ``today``; ``by_team=False``: one row per week, all teams."""
    counts = _counts(records=records, today=today, weeks=weeks)
    return _table(*(counts if by_team else _all_teams(*counts)))


def keeping_up_both(
    *, records: QuerySet[DecisionRecord], today: date, weeks: int = DEFAULT_WEEKS
) -> tuple[Table, Table]:
    """``keeping_up`` per team and for all teams, from one read of the history."""
    counts = _counts(records=records, today=today, weeks=weeks)
    return _table(*counts), _table(*_all_teams(*counts))


def _all_teams(opened, decided, done) -> tuple[dict, dict, dict]:
    """The per-(week, team) figures summed over the teams of each week."""
    merged: tuple[dict, dict, dict] = (defaultdict(int), defaultdict(list), defaultdict(int))
    for (week, _team), n in opened.items():
        merged[0][(week, ALL)] += n
    for (week, _team), days in decided.items():
        merged[1][(week, ALL)].extend(days)
    for (week, _team), n in done.items():
        merged[2][(week, ALL)] += n
    return merged


def _counts(*, records: QuerySet[DecisionRecord], today: date, weeks: int) -> tuple:
    """(opened, decided, done) per (week, team): counts, days to each decision, counts."""
    first_week = week_of(today) - timedelta(weeks=weeks - 1)
    start = timezone.make_aware(datetime.combine(first_week, time.min))
    opened: dict[tuple[date, str], int] = defaultdict(int)
    for created_at, team in records.filter(created_at__gte=start).values_list(
        "created_at", "repository__team__name"
    ):
        opened[(week_of(timezone.localdate(created_at)), team)] += 1
    decided: dict[tuple[date, str], list[float]] = defaultdict(list)
    done: dict[tuple[date, str], int] = defaultdict(int)
    events = (
        DecisionEvent.objects.filter(
            record__in=records,
            field="state",
            new_value__in=[*DECIDED_STATES, State.DONE],
            created_at__gte=start,
        )
        .order_by("record_id", "created_at", "id")
        .values_list(
            "record_id",
            "new_value",
            "created_at",
            "record__created_at",
            "record__repository__team__name",
        )
    )
    # A record first decided before the window began is not "first decided" inside it.
    counted: set[tuple[int, str]] = {
        (pk, "decided")
        for pk in DecisionEvent.objects.filter(
            record__in=records,
            field="state",
            new_value__in=list(DECIDED_STATES),
            created_at__lt=start,
        ).values_list("record_id", flat=True)
    }
    # A plain fetch (see dashboard._FieldEvents: a WITH HOLD cursor is materialised first).
    for record_id, state, when, created_at, team in events:
        what = "done" if state == State.DONE else "decided"
        if (record_id, what) in counted:
            continue
        counted.add((record_id, what))
        key = (week_of(timezone.localdate(when)), team)
        if what == "done":
            done[key] += 1
        else:
            decided[key].append(max((when - created_at).total_seconds(), 0) / 86400)
    return opened, decided, done


def _table(opened, decided, done) -> Table:
    keys = sorted(set(opened) | set(decided) | set(done))
    rows = []
    for week, team in keys:
        days = decided.get((week, team), [])
        rows.append(
            [
                week.isoformat(),
                team,
                opened.get((week, team), 0),
                len(days),
                done.get((week, team), 0),
                round(statistics.median(days), 1) if days else "",
            ]
        )
    return Table(headers=HEADERS, rows=rows)
