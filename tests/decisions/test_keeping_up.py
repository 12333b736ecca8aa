"""Are we keeping up: opened, decided and done per team and week, and the median days."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from decisions import charts
from decisions.models import DecisionEvent, DecisionRecord, State
from decisions.selectors import keeping_up
from inventory.models import Role
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
MONDAY = keeping_up.week_of(TODAY)


def _at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _record(repository, created: datetime.date, **extra) -> DecisionRecord:
    record = factories.record(repository, **extra)
    DecisionRecord.objects.filter(pk=record.pk).update(created_at=_at(created, 9))
    return record


def _event(record, state: str, day: datetime.date) -> None:
    DecisionEvent.objects.create(
        record=record, field="state", old_value="new", new_value=state, created_at=_at(day)
    )


@pytest.fixture
def history(team):
    other = factories.team("Other")
    repo, other_repo = factories.repository(team), factories.repository(other)
    last_week = MONDAY - datetime.timedelta(weeks=1)
    a = _record(repo, last_week)
    b = _record(repo, last_week)
    c = _record(repo, MONDAY)
    _event(a, State.KEPT, last_week + datetime.timedelta(days=2))  # 2 days 3 hours after
    _event(b, State.APPROVED, MONDAY)  # 7 days 3 hours after, decided this week
    _event(b, State.REJECTED, MONDAY)  # a second decision is not counted again
    _event(c, State.DONE, MONDAY)
    _record(other_repo, MONDAY)
    old = _record(repo, MONDAY - datetime.timedelta(weeks=30))
    _event(old, State.KEPT, MONDAY - datetime.timedelta(weeks=29))
    _event(old, State.REOPENED, MONDAY - datetime.timedelta(weeks=28))
    _event(old, State.KEPT, MONDAY)  # decided long ago: not a first decision this week
    return team, other, last_week


def test_counts_per_team_and_week(history):
    team, other, last_week = history
    table = keeping_up.keeping_up(records=DecisionRecord.objects.all(), today=TODAY)
    rows = {(r[0], r[1]): r[2:] for r in table.rows}
    assert rows[(last_week.isoformat(), team.name)] == [2, 1, 0, 2.1]
    assert rows[(MONDAY.isoformat(), team.name)] == [1, 1, 1, 7.1]
    assert rows[(MONDAY.isoformat(), other.name)] == [1, 0, 0, ""]
    assert len(rows) == 3


def test_all_teams_together_per_week(history):
    table = keeping_up.keeping_up(records=DecisionRecord.objects.all(), today=TODAY, by_team=False)
    assert [r[1:] for r in table.rows] == [
        ["All teams", 2, 1, 0, 2.1],
        ["All teams", 2, 1, 1, 7.1],
    ]


def test_both_tables_from_one_read_are_the_two_tables(history, django_assert_num_queries):
    records = DecisionRecord.objects.all()
    with django_assert_num_queries(3):
        per_team, all_teams = keeping_up.keeping_up_both(records=records, today=TODAY)
    assert per_team.rows == keeping_up.keeping_up(records=records, today=TODAY).rows
    assert all_teams.rows == keeping_up.keeping_up(records=records, today=TODAY, by_team=False).rows


def test_chart_is_built_from_the_selector(history):
    team, *_ = history
    lead = factories.member(team, Role.TRIAGER)
    chart = charts.CHARTS["keeping-up"](user=lead, team=None)
    assert chart.headers == keeping_up.HEADERS
    assert {row[1] for row in chart.rows} == {team.name}  # only what the lead sees
    names = [trace["name"] for trace in chart.figure["data"]]
    assert names == ["Opened", "Decided", "Done", "Median days to decision"]


def test_chart_labels_each_week_by_its_monday_whatever_the_number_of_weeks(history):
    # On a date axis one week of data is a zero-width range: Plotly labelled it in
    # fractions of a millisecond ("23:59:59.9996"). Weeks are labels, one per bar group.
    team, *_ = history
    lead = factories.member(team, Role.TRIAGER)
    chart = charts.CHARTS["keeping-up"](user=lead, team=None)
    xaxis = chart.figure["layout"]["xaxis"]
    assert xaxis["type"] == "category"
    assert xaxis["title"]["text"] == "Week starting"
    assert chart.figure["data"][0]["x"] == [row[0] for row in chart.rows]


def test_csv_holds_the_visible_teams_only(client, history):
    team, _other, _ = history
    lead = factories.member(team, Role.TRIAGER)
    client.force_login(lead)
    response = client.get(reverse("decisions:keeping-up-csv"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == keeping_up.HEADERS
    assert {row[1] for row in rows[1:]} == {team.name}


def test_dashboard_serves_the_chart_fragment(client, history):
    team, *_ = history
    client.force_login(factories.member(team, Role.TRIAGER))
    response = client.get(
        reverse("decisions:dashboard"), {"chart": "keeping-up"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and 'id="chart-keeping-up"' in body
