from __future__ import annotations

import datetime
import json
import shutil

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from decisions import charts
from decisions.models import DecisionEvent, DecisionRecord, NextAction, Severity, State
from decisions.selectors import dashboard
from inventory.models import Manifest, Requirement, Role
from scanning.advisories import store
from tests import factories
from tests.scanning.advisories.support import PYPA_FIXTURE

DAY1 = datetime.date(2026, 1, 5)
DAY2 = datetime.date(2026, 1, 12)
DAY3 = datetime.date(2026, 1, 19)


def _at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _record(repository, subject, created, **extra):
    record = factories.record(repository, subject=subject, **extra)
    DecisionRecord.objects.filter(pk=record.pk).update(created_at=created)
    DecisionEvent.objects.create(
        record=record, field="state", old_value="", new_value=State.NEW, created_at=created
    )
    return record


def _move(record, old, new, when):
    DecisionEvent.objects.create(
        record=record, field="state", old_value=old, new_value=new, created_at=when
    )
    DecisionRecord.objects.filter(pk=record.pk).update(state=new)


@pytest.fixture
def history(repository):
    a = _record(
        repository, "a", _at(DAY1 - datetime.timedelta(days=1)), next_action=NextAction.REMOVE
    )
    b = _record(repository, "b", _at(DAY2 - datetime.timedelta(days=1)), kind="missing")
    v = _record(repository, "v", _at(DAY1), kind="vulnerable", severity=Severity.HIGH)
    _move(a, State.NEW, State.TRIAGED, _at(DAY2, 1))
    _move(a, State.TRIAGED, State.APPROVED, _at(DAY2, 2))
    _move(a, State.APPROVED, State.DONE, _at(DAY3, 1))
    _move(v, State.NEW, State.DONE, _at(DAY2, 3))
    return a, b, v


def test_open_by_state_is_reconstructed_from_history(viewer, repository, history):
    records = dashboard.scoped_records(user=viewer)
    series = dashboard.open_by_state(records=records, days=[DAY1, DAY2, DAY3])
    assert series.lines["new"] == [2, 1, 1]
    assert series.lines["approved"] == [0, 1, 0]
    assert series.lines["triaged"] == [0, 0, 0]


def test_open_by_kind_and_vulnerabilities_by_severity(viewer, history):
    records = dashboard.scoped_records(user=viewer)
    kinds = dashboard.open_by_kind(records=records, days=[DAY1, DAY2, DAY3])
    assert kinds.lines == {"missing": [0, 1, 1], "unused": [1, 1, 0], "vulnerable": [1, 0, 0]}
    vulnerabilities = dashboard.vulnerabilities_by_severity(records=records, days=[DAY1, DAY2])
    assert vulnerabilities.lines["high"] == [1, 0]
    assert vulnerabilities.lines["critical"] == [0, 0]


def test_vulnerabilities_are_counted_at_the_severity_they_had_that_day(viewer, repository):
    v = _record(repository, "django", _at(DAY1), kind="vulnerable", severity=Severity.CRITICAL)
    DecisionEvent.objects.create(
        record=v,
        field="severity",
        old_value=Severity.MEDIUM,
        new_value=Severity.CRITICAL,
        created_at=_at(DAY2, 5),
    )
    series = dashboard.vulnerabilities_by_severity(
        records=dashboard.scoped_records(user=viewer), days=[DAY1, DAY2, DAY3]
    )
    assert series.lines["medium"] == [1, 0, 0]
    assert series.lines["critical"] == [0, 1, 1]


def test_removal_burndown_counts_records_reaching_done(viewer, history):
    series = dashboard.removal_burndown(
        records=dashboard.scoped_records(user=viewer), days=[DAY1, DAY2, DAY3]
    )
    assert series.lines == {"to remove": [1, 1, 0], "removed": [0, 0, 1]}


def test_record_without_state_events_has_its_state_since_creation(viewer, repository):
    record = factories.record(repository, subject="quiet", state=State.TRIAGED)
    DecisionRecord.objects.filter(pk=record.pk).update(created_at=_at(DAY1))
    series = dashboard.open_by_state(
        records=dashboard.scoped_records(user=viewer),
        days=[DAY1 - datetime.timedelta(days=1), DAY2],
    )
    assert series.lines["triaged"] == [0, 1]


def test_median_time_to_decision(viewer, history):
    table = dashboard.time_to_decision(records=dashboard.scoped_records(user=viewer))
    assert table.rows[0][0] == "all kinds"
    assert table.rows[0][2] == 1  # only "a" was approved
    assert table.rows[0][1] == pytest.approx(7.6, abs=0.05)


def test_pin_levels_and_top_repositories(viewer, team, repository):
    manifest = Manifest.objects.create(
        repository=repository,
        path="requirements.txt",
        kind="requirements",
        purpose="runtime",
        content_hash="x",
    )
    for n, level in enumerate(["unpinned", "unpinned", "exact", "locked"]):
        Requirement.objects.create(
            manifest=manifest,
            package=factories.package(f"p{n}"),
            line=n + 1,
            purpose="runtime",
            pin_level=level,
            raw=f"p{n}",
        )
    other = factories.repository(factories.team())
    Manifest.objects.create(
        repository=other, path="r.txt", kind="requirements", purpose="runtime", content_hash="y"
    )
    factories.record(repository, subject="x", impact=5, confidence=5)
    factories.record(other, subject="y", impact=5, confidence=5)

    table = dashboard.pin_levels_by_team(user=viewer)
    assert table.rows == [[team.name, 2, 0, 1, 1]]
    top = dashboard.top_repositories(records=dashboard.scoped_records(user=viewer))
    assert top.rows == [[repository.name, team.name, 31, 1]]


def test_chart_html_uses_local_plotly_and_escapes_names(viewer, team):
    repository = factories.repository(team)
    repository.name = "</script><script>alert(1)</script>"
    repository.save()
    factories.record(repository, subject="x")
    chart = charts.top_repositories(user=viewer, team=None)
    assert "cdn" not in json.dumps(chart.figure).lower()
    assert chart.rows[0][0] == repository.name
    client = Client()
    client.force_login(viewer)
    body = client.get(
        reverse("decisions:dashboard"),
        {"chart": "top-repositories"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "<script>alert(1)" not in body
    assert '<script id="figure-top-repositories" type="application/json">' in body


def test_dashboard_loads_each_chart_as_a_fragment(viewer, repository, history):
    client = Client()
    client.force_login(viewer)
    page = client.get(reverse("decisions:dashboard")).content.decode()
    assert 'hx-trigger="load"' in page
    assert "vendor/plotly.min.js" in page
    for slug in charts.CHARTS:
        assert f"chart={slug}" in page
        response = client.get(
            reverse("decisions:dashboard"), {"chart": slug}, headers={"HX-Request": "true"}
        )
        body = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in body
        assert "Table view" in body or "No data yet" in body
    full = client.get(reverse("decisions:dashboard"), {"chart": "burndown"}).content.decode()
    assert "<html" in full
    assert client.get(reverse("decisions:dashboard"), {"chart": "nope"}).status_code == 404


def test_team_dashboard_of_another_team_is_refused(viewer, repository):
    other = factories.team()
    factories.record(factories.repository(other), subject="hidden")
    client = Client()
    client.force_login(viewer)
    response = client.get(
        reverse("decisions:dashboard"),
        {"team": other.pk, "chart": "open-by-kind"},
        headers={"HX-Request": "true"},
    )
    # an invalid team choice falls back to the user's own records only
    assert "hidden" not in response.content.decode()
    outsider = factories.member(other, Role.VIEWER)
    client.force_login(outsider)
    table = client.get(
        reverse("decisions:dashboard"),
        {"chart": "top-repositories"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert repository.name not in table


@pytest.mark.parametrize("slug", list(charts.CHARTS))
def test_a_chart_without_data_says_so_instead_of_drawing_empty_axes(viewer, slug):
    chart = charts.CHARTS[slug](user=viewer, team=None)
    client = Client()
    client.force_login(viewer)
    body = client.get(
        reverse("decisions:dashboard"), {"chart": slug}, headers={"HX-Request": "true"}
    ).content.decode()
    if chart.has_data:  # lines of zeros still have axes worth drawing
        assert all(trace.get("x") for trace in chart.figure["data"])
    else:
        assert "No data yet" in body
        assert 'class="chart-figure"' not in body


def test_vulnerabilities_say_so_while_the_advisory_mirror_never_synced(viewer, repository):
    chart = charts.vulnerabilities(user=viewer, team=None)
    assert chart.note.startswith("No advisory data to count from (no advisory data has been")


def test_vulnerabilities_drop_that_warning_once_the_mirror_is_synced(
    viewer, repository, tmp_path, settings
):
    settings.DEBTBOARD_ADVISORY_MAX_AGE_DAYS = 14
    settings.DEBTBOARD_ADVISORY_MAX_DATA_AGE_DAYS = 0  # the fixture's records are old
    shutil.copytree(PYPA_FIXTURE, tmp_path / "db")
    store.advisories_sync(source=str(tmp_path / "db"))
    chart = charts.vulnerabilities(user=viewer, team=None)
    assert "No advisory data" not in chart.note
    assert chart.note.startswith("Vulnerability gate:")


def test_an_empty_chart_says_why_it_is_empty(viewer, repository):
    # Candidates exist but none is decided: "until scans have found candidates" would be false.
    factories.record(repository, subject="pandas")
    client = Client()
    client.force_login(viewer)
    body = client.get(
        reverse("decisions:dashboard"),
        {"chart": "time-to-decision"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "No data yet: no candidate has been decided." in body
    assert "until scans have found candidates" not in body
    body = client.get(
        reverse("decisions:dashboard"),
        {"chart": "reclaimable-storage"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "No data yet: no artifact store holds reclaimable versions." in body


# --- counting over time by stretches of days agrees with asking every day ----------------------

_START = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
_STATES = ["", "new", "triaged", "kept", "done"]


def _history(records) -> dashboard._StateHistory:
    """A history of in-memory records: (created hour, current state, [(hour, old, new)])."""
    history = dashboard._StateHistory.__new__(dashboard._StateHistory)
    events = dashboard._FieldEvents.__new__(dashboard._FieldEvents)
    events.times, events.values, events.first_old = {}, {}, {}
    history.info, history.events = {}, events
    for pk, (created, current, changes) in enumerate(records):
        at = _START + datetime.timedelta(hours=created)
        history.info[pk] = (at, current, "unused", "", "")
        for hour, old, new in sorted(changes):
            events.first_old.setdefault(pk, old)
            events.times.setdefault(pk, []).append(_START + datetime.timedelta(hours=hour))
            events.values.setdefault(pk, []).append(new)
    return history


def _asked_every_day(history, days, key) -> dict[str, list[int]]:
    counts = {}
    for n, day in enumerate(days):
        instant = dashboard.day_end(day)
        for pk in history.info:
            state = history.state_at(pk, instant)
            group = key(pk, state, instant) if state is not None else None
            if group is not None:
                counts.setdefault(group, [0] * len(days))[n] += 1
    return counts


@given(
    records=st.lists(
        st.tuples(
            st.integers(0, 24 * 40),
            st.sampled_from(_STATES[1:]),
            st.lists(
                st.tuples(
                    st.integers(-24 * 5, 24 * 45),
                    st.sampled_from(_STATES),
                    st.sampled_from(_STATES),
                ),
                max_size=4,
            ),
        ),
        max_size=12,
    ),
    daily=st.booleans(),
)
def test_counts_over_time_are_what_each_day_asked_alone_gives(records, daily):
    history = _history(records)
    days = [_START.date() + datetime.timedelta(days=n) for n in range(-3, 43, 3)]
    closed = {"kept", "done"}

    def key(pk, state, instant):
        if state in closed:
            return None
        return f"{state}@{instant.day % 2}" if daily else state

    series = dashboard._over_time(
        history, days, key, per_instant=(lambda pk: True) if daily else None
    )
    expected = _asked_every_day(history, days, key)
    assert series.lines == {group: expected[group] for group in sorted(expected)}


def test_a_figure_carries_the_whole_template_as_plotly_spells_it():
    import plotly.graph_objects as go

    def bars(figure):
        figure.add_trace(go.Bar(x=["Team A", "Team B"], y=[3, 1], name="Open"))
        figure.update_layout(barmode="stack")
        return figure

    ours = charts._figure(bars(charts._blank()))
    plotlys = bars(go.Figure())
    plotlys.update_layout(**charts._LAYOUT, template=charts._TEMPLATE)
    assert ours == json.loads(plotlys.to_json())
    assert ours["layout"]["template"]["layout"]["plot_bgcolor"] == "white"


def test_the_reports_table_lists_repositories_a_page_at_a_time(viewer, team, monkeypatch):
    from decisions.views import reports

    monkeypatch.setattr(reports, "REPORT_ROWS", 2)
    names = sorted(factories.repository(team).name for _ in range(3))
    factories.repository(factories.team())  # another team's: never listed
    client = Client()
    client.force_login(viewer)
    first = client.get(reverse("decisions:dashboard")).content.decode()
    assert names[0] in first and names[1] in first and names[2] not in first
    assert "Repositories 1\u20132 of 3" in first
    assert f'href="?team={team.pk}&amp;page=2"' not in first  # no team chosen: no team in links
    assert 'href="?page=2"' in first
    second = client.get(reverse("decisions:dashboard"), {"page": "2"}).content.decode()
    assert names[2] in second and names[0] not in second
    assert "Repositories 3\u20133 of 3" in second
    chosen = client.get(reverse("decisions:dashboard"), {"team": team.pk}).content.decode()
    assert f'href="?team={team.pk}&amp;page=2"' in chosen


def test_removals_say_there_is_no_data_while_nothing_was_decided_for_removal(viewer, repository):
    factories.record(repository, subject="pandas")  # a candidate, not a removal
    chart = charts.burndown(user=viewer, team=None)
    assert not chart.has_data
    assert chart.empty == "No data yet: no record has been decided for removal."
    factories.record(repository, subject="six", next_action="remove")
    assert charts.burndown(user=viewer, team=None).has_data


def test_count_axes_never_go_below_zero(viewer, repository):
    factories.record(repository, subject="pandas")
    figure = charts.open_by_state(user=viewer, team=None).figure
    assert figure["layout"]["yaxis"]["rangemode"] == "nonnegative"
