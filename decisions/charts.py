"""Plotly figures built from dashboard selector output (never from templates or querysets).

Each chart is a ``Chart``: the figure as Plotly JSON (drawn by static/js/charts.js with the
plotly.js served from static/vendor) and the same numbers as a table for people who would
rather read them.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass

import plotly.graph_objects as go
import plotly.io as pio
from plotly.utils import PlotlyJSONEncoder

from decisions.selectors import dashboard
from decisions.selectors import keeping_up as keeping_up_reads
from inventory.models import Repository, Team
from scanning import selectors as scanning_selectors

_LAYOUT = {
    "margin": {"l": 40, "r": 10, "t": 10, "b": 40},
    "height": 320,
    "legend": {"orientation": "h", "y": -0.2},
    # Counts: an axis of zeros starts at 0, not at plotly's default -1.
    "yaxis": {"rangemode": "nonnegative"},
}
_TEMPLATE = "plotly_white"
_CONFIG = {"displaylogo": False, "responsive": True}


@dataclass
class Chart:
    slug: str
    title: str
    figure: dict  # Plotly figure JSON (data + layout)
    headers: list[str]
    rows: list[list]
    note: str = ""  # what the reader must know to read the numbers (no data, not audited)
    empty: str = "No data yet: nothing to draw until scans have found candidates."
    zeros_are_empty: bool = False  # a chart of nothing but zeros has nothing to say yet

    @property
    def has_data(self) -> bool:
        """Whether there is anything to draw: without a trace Plotly draws empty -1..1 axes."""
        traces = self.figure.get("data", [])
        if self.zeros_are_empty:
            return any(any(trace.get("y") or ()) for trace in traces)
        return any(trace.get("x") for trace in traces)


def _blank() -> go.Figure:
    """A figure without plotly's default template; ``_figure`` adds ours.

    Plotly copies and validates a whole template for every figure that names one (two thirds
    of a chart's figure time: ~40 ms of 60 on the shared machine); the template's JSON is the
    same every time, so it is made once (``_template_json``).
    """
    return go.Figure(layout={"template": None})


@functools.cache
def _template_json() -> str:
    return json.dumps(pio.templates[_TEMPLATE].to_plotly_json(), cls=PlotlyJSONEncoder)


def _figure(figure: go.Figure) -> dict:
    """The figure as Plotly JSON, with the layout's template spelled out as plotly does;
    static/js/charts.js draws it (no inline script, so the Content-Security-Policy needs no
    exception)."""
    figure.update_layout(**_LAYOUT)
    result = json.loads(figure.to_json())
    result["layout"]["template"] = json.loads(_template_json())
    return result


def _lines(series: dashboard.Series, *, stacked: bool = False) -> dict:
    figure = _blank()
    for name, values in series.lines.items():
        figure.add_trace(
            go.Scatter(
                x=[d.isoformat() for d in series.days],
                y=values,
                name=name,
                mode="lines+markers",
                stackgroup="one" if stacked else None,
            )
        )
    return _figure(figure)


def _series_chart(slug: str, title: str, series: dashboard.Series, *, stacked: bool) -> Chart:
    return Chart(
        slug=slug,
        title=title,
        figure=_lines(series, stacked=stacked),
        headers=["Day", *series.lines],
        rows=series.rows(),
    )


def open_by_state(*, user, team: Team | None) -> Chart:
    records = dashboard.scoped_records(user=user, team=team)
    series = dashboard.open_by_state(
        records=records, days=dashboard.sample_days(end=dashboard.today())
    )
    return _series_chart("open-by-state", "Open candidates by state", series, stacked=True)


def open_by_kind(*, user, team: Team | None) -> Chart:
    records = dashboard.scoped_records(user=user, team=team)
    series = dashboard.open_by_kind(
        records=records, days=dashboard.sample_days(end=dashboard.today())
    )
    return _series_chart("open-by-kind", "Open candidates by kind", series, stacked=True)


def vulnerabilities(*, user, team: Team | None) -> Chart:
    records = dashboard.scoped_records(user=user, team=team)
    series = dashboard.vulnerabilities_by_severity(
        records=records, days=dashboard.sample_days(end=dashboard.today())
    )
    chart = _series_chart(
        "vulnerabilities", "Open vulnerabilities by severity", series, stacked=True
    )
    repositories = Repository.objects.for_user(user)
    if team is not None:
        repositories = repositories.filter(team=team)
    gate = scanning_selectors.combined_gate(repositories=repositories)
    notes = [f"Vulnerability gate: {gate.text()}."]
    unavailable = scanning_selectors.advisory_mirror_unavailable_reason()
    if unavailable:
        notes.insert(
            0,
            f"No advisory data to count from ({unavailable}): a zero here means nothing was "
            "checked. Sync the mirror with `manage.py sync_advisories SOURCE` (a folder, "
            "archive or https:// URL of OSV records, such as the PyPA advisory database), or "
            "set DEBTBOARD_ADVISORY_SOURCE for the scheduled sync.",
        )
    chart.note = " ".join(notes)
    return chart


def burndown(*, user, team: Team | None) -> Chart:
    records = dashboard.scoped_records(user=user, team=team)
    series = dashboard.removal_burndown(
        records=records, days=dashboard.sample_days(end=dashboard.today())
    )
    chart = _series_chart("burndown", "Removals: to do and done", series, stacked=False)
    chart.zeros_are_empty = True
    chart.empty = "No data yet: no record has been decided for removal."
    return chart


def _bars(table: dashboard.Table, *, label_column: int, value_columns: list[int]) -> dict:
    figure = _blank()
    labels = [str(row[label_column]) for row in table.rows]
    for column in value_columns:
        figure.add_trace(
            go.Bar(x=labels, y=[row[column] for row in table.rows], name=table.headers[column])
        )
    figure.update_layout(barmode="stack")
    return _figure(figure)


def _bar_chart(
    slug: str, title: str, table: dashboard.Table, *, values: list[int], empty: str = ""
) -> Chart:
    chart = Chart(
        slug=slug,
        title=title,
        figure=_bars(table, label_column=0, value_columns=values),
        headers=table.headers,
        rows=table.rows,
    )
    if empty:
        chart.empty = empty
    return chart


def pin_levels(*, user, team: Team | None) -> Chart:
    table = dashboard.pin_levels_by_team(user=user, team=team)
    title = "Debt level of declared requirements per team"
    return _bar_chart("pin-levels", title, table, values=list(range(1, len(table.headers))))


def top_repositories(*, user, team: Team | None) -> Chart:
    table = dashboard.top_repositories(records=dashboard.scoped_records(user=user, team=team))
    title = "Repositories with the most open debt (sum of priorities)"
    return _bar_chart("top-repositories", title, table, values=[2])


def time_to_decision(*, user, team: Team | None) -> Chart:
    table = dashboard.time_to_decision(records=dashboard.scoped_records(user=user, team=team))
    title = "Median days from candidate to decision"
    empty = "No data yet: no candidate has been decided."
    return _bar_chart("time-to-decision", title, table, values=[1], empty=empty)


def reclaimable_by_team(*, user, team: Team | None) -> Chart:
    from decisions.selectors import artifacts as artifact_selectors

    table = artifact_selectors.reclaimable_by_team(user=user, team=team)
    title = "Reclaimable artifact storage per team (GB)"
    empty = "No data yet: no artifact store holds reclaimable versions."
    return _bar_chart("reclaimable-storage", title, table, values=[1], empty=empty)


def reclaimable_over_time(*, user, team: Team | None) -> Chart:
    from decisions.selectors import artifacts as artifact_selectors

    days = dashboard.sample_days(end=dashboard.today())
    series = artifact_selectors.reclaimable_over_time(user=user, days=days, team=team)
    title = "Reclaimable artifact storage over time (GB)"
    chart = _series_chart("reclaimable-over-time", title, series, stacked=True)
    chart.empty = "No data yet: no artifact store holds reclaimable versions."
    return chart


CHARTS: dict[str, Callable[..., Chart]] = {
    "open-by-state": open_by_state,
    "open-by-kind": open_by_kind,
    "vulnerabilities": vulnerabilities,
    "burndown": burndown,
    "pin-levels": pin_levels,
    "top-repositories": top_repositories,
    "time-to-decision": time_to_decision,
    "reclaimable-storage": reclaimable_by_team,
    "reclaimable-over-time": reclaimable_over_time,
}
TITLES = {
    "open-by-state": "Open candidates by state",
    "open-by-kind": "Open candidates by kind",
    "vulnerabilities": "Open vulnerabilities by severity",
    "burndown": "Removals: to do and done",
    "pin-levels": "Debt level per team",
    "top-repositories": "Top repositories by priority",
    "time-to-decision": "Median time from candidate to decision",
    "reclaimable-storage": "Reclaimable artifact storage per team",
    "reclaimable-over-time": "Reclaimable artifact storage over time",
}


def keeping_up(*, user, team: Team | None) -> Chart:
    """Opened, decided and done per week (bars, summed over the teams shown) and the median
    days to a decision (line, right axis); the table and CSV keep one row per team."""
    records = dashboard.scoped_records(user=user, team=team)
    table, weekly = keeping_up_reads.keeping_up_both(records=records, today=dashboard.today())
    weeks = [row[0] for row in weekly.rows]
    figure = _blank()
    for column, name in enumerate(("Opened", "Decided", "Done")):
        figure.add_trace(go.Bar(x=weeks, y=[row[2 + column] for row in weekly.rows], name=name))
    figure.add_trace(
        go.Scatter(
            x=weeks,
            y=[row[5] if row[5] != "" else None for row in weekly.rows],
            name="Median days to decision",
            mode="lines+markers",
            yaxis="y2",
        )
    )
    figure.update_layout(
        barmode="group",
        # Weeks as labels: on a date axis a single week is a zero-width range, which Plotly
        # ticks in fractions of a millisecond.
        xaxis={"type": "category", "title": {"text": "Week starting"}},
        yaxis2={"overlaying": "y", "side": "right", "rangemode": "tozero"},
    )
    return Chart(
        slug="keeping-up",
        title="Are we keeping up: opened, decided, done per week",
        figure=_figure(figure),
        headers=table.headers,
        rows=table.rows,
    )


CHARTS["keeping-up"] = keeping_up
TITLES["keeping-up"] = "Are we keeping up (per week)"
