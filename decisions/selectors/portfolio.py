"""Reads for the portfolio: one subject (a package, an advisory, a kind) across every
repository a person can see, counted per team and state.

Every read starts from ``DecisionRecord.objects.for_user(user)``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django import forms
from django.db.models import Count, QuerySet
from packaging.utils import canonicalize_name

from decisions.models import DecisionRecord, Kind, RecordAdvisory, State
from inventory.models import Team
from scanning.models import Advisory

# Alias groups chain (a PYSEC record names a CVE, a GHSA record names the same CVE): follow
# them this many hops; real advisories need two.
_ALIAS_HOPS = 4
PAGE_SIZE = 50


def alias_ids(advisory_id: str) -> set[str]:
    """Every id the advisory is known under: in the mirror and in the records' own matches.

    ``GHSA-x`` leads to ``CVE-y`` and ``PYSEC-z`` when any OSV record or any match lists them
    together, and on through their own aliases.
    """
    wanted = {advisory_id.strip()} - {""}
    asked_mirror: set[str] = set()
    known_groups: set[str] = set()
    for _ in range(2 * _ALIAS_HOPS):
        # Every match stores its OSV id among its ids, so ``groups`` holds wanted OSV ids.
        # Two indexed lookups: as one semi-join the planner scanned the whole table.
        groups = set(
            RecordAdvisory.objects.filter(advisory_id__in=wanted)
            .values_list("osv_id", flat=True)
            .distinct()
        )
        new_groups = groups - known_groups
        known_groups |= new_groups
        found = (
            {
                one_id
                for pair in RecordAdvisory.objects.filter(osv_id__in=new_groups)
                .values_list("advisory_id", "osv_id")
                .distinct()
                for one_id in pair
            }
            if new_groups
            else set()
        )
        if not found <= wanted:
            wanted |= found
            continue
        # The matches agree; the mirror is asked once about each id, after them.
        unasked = wanted - asked_mirror
        if not unasked:
            break
        asked_mirror |= unasked
        for osv_id, aliases in Advisory.objects.filter(osv_id__in=unasked).values_list(
            "osv_id", "aliases"
        ):
            found |= {osv_id, *(a for a in aliases or [] if isinstance(a, str))}
        if found <= wanted:
            break
        wanted |= found
    return wanted


@dataclass(frozen=True)
class Subject:
    """What the portfolio is about: exactly one of a package, an advisory id or a kind."""

    package: str = ""
    advisory: str = ""
    kind: str = ""

    @property
    def label(self) -> str:
        if self.package:
            return f"package {self.package}"
        if self.advisory:
            return f"advisory {self.advisory}"
        return f"kind {Kind(self.kind).label}" if self.kind else ""

    def __bool__(self) -> bool:
        return bool(self.package or self.advisory or self.kind)


class PortfolioForm(forms.Form):
    """The subject and the filters of the portfolio page."""

    package = forms.CharField(required=False, max_length=200)
    advisory = forms.CharField(required=False, max_length=100, label="Advisory id")
    kind = forms.ChoiceField(choices=[("", "Any kind"), *Kind.choices], required=False)
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)
    state = forms.ChoiceField(
        choices=[("", "Any state"), ("open", "Open (not closed)"), *State.choices],
        required=False,
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)

    def __init__(self, *args, teams: QuerySet[Team], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams

    def subject(self) -> Subject:
        if not self.is_valid():
            return Subject()
        data = self.cleaned_data
        return Subject(
            package=canonicalize_name(data["package"].strip()) if data["package"].strip() else "",
            advisory=data["advisory"].strip(),
            kind=data["kind"] if not (data["package"] or data["advisory"]) else "",
        )


@dataclass
class TeamCounts:
    team_id: int
    team: str
    by_state: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_state.values())

    cells: list[tuple[str, int]] = field(default_factory=list)  # (state, count) per column


@dataclass
class Portfolio:
    subject: Subject
    ids: set[str] = field(default_factory=set)  # the advisory's aliases, for an advisory
    teams: list[TeamCounts] = field(default_factory=list)
    states: list[str] = field(default_factory=list)  # columns: states with any record
    records: list[DecisionRecord] = field(default_factory=list)
    page: int = 1
    has_next: bool = False
    filters: list[tuple[str, str]] = field(default_factory=list)  # to post "all matching"

    @property
    def total(self) -> int:
        return sum(t.total for t in self.teams)


def subject_records(
    *, user, subject: Subject, ids: set[str] | None = None
) -> QuerySet[DecisionRecord]:
    """The records of ``subject`` that ``user`` may see (none for an empty subject);
    ``ids``: the advisory's aliases when already looked up."""
    records = DecisionRecord.objects.for_user(user)
    if subject.package:
        records = records.filter(subject=subject.package)
        return records.filter(kind=subject.kind) if subject.kind else records
    if subject.advisory:
        ids = ids if ids is not None else alias_ids(subject.advisory)
        matched = RecordAdvisory.objects.filter(advisory_id__in=ids).values("record")
        return records.filter(kind=Kind.VULNERABLE, pk__in=matched)
    if subject.kind:
        return records.filter(kind=subject.kind)
    return records.none()


def _filtered(records: QuerySet[DecisionRecord], data: dict) -> QuerySet[DecisionRecord]:
    if data.get("team"):
        records = records.filter(repository__team=data["team"])
    if data.get("state") == "open":
        records = records.open()
    elif data.get("state"):
        records = records.filter(state=data["state"])
    return records


def matching_records(*, user, form: PortfolioForm) -> QuerySet[DecisionRecord]:
    """Every record the portfolio lists for ``form`` (all pages), visible to ``user``."""
    subject = form.subject()
    records = subject_records(user=user, subject=subject)
    if subject.package and form.cleaned_data.get("kind"):
        records = records.filter(kind=form.cleaned_data["kind"])
    return _filtered(records, form.cleaned_data if subject else {}).order_by(
        "repository__team__name", "repository__name", "kind", "id"
    )


def portfolio(*, user, form: PortfolioForm) -> Portfolio:
    """Counts per team and state (one query) and a page of the filtered records (one query)."""
    subject = form.subject()
    result = Portfolio(subject=subject)
    if not subject:
        return result
    result.filters = [
        (name, str(form.data[name]))
        for name in ("package", "advisory", "kind", "team", "state")
        if form.data.get(name)
    ]
    if subject.advisory:
        result.ids = alias_ids(subject.advisory)
    records = subject_records(user=user, subject=subject, ids=result.ids or None)
    data = form.cleaned_data
    if subject.package and data.get("kind"):
        records = records.filter(kind=data["kind"])
    # Grouped by team id only (names looked up after): a hash aggregate over an index-only
    # scan, where grouping by name sorted every matching row first.
    counts = records.values_list("repository__team_id", "state").annotate(n=Count("*"))
    by_team: dict[int, TeamCounts] = {}
    states: set[str] = set()
    for team_id, state, n in counts.order_by():
        row = by_team.setdefault(team_id, TeamCounts(team_id, "", defaultdict(int)))
        row.by_state[state] += n
        states.add(state)
    for team_id, name in Team.objects.filter(pk__in=by_team).values_list("pk", "name"):
        by_team[team_id].team = name
    result.teams = sorted(by_team.values(), key=lambda row: (row.team, row.team_id))
    result.states = [s for s in State.values if s in states]
    for row in result.teams:
        row.cells = [(state, row.by_state.get(state, 0)) for state in result.states]
    records = _filtered(records, data)
    result.page = data.get("page") or 1
    start = (result.page - 1) * PAGE_SIZE
    page = list(
        records.select_related("repository__team", "owner")
        .only(
            "pk",
            "subject",
            "kind",
            "state",
            "severity",
            "next_action",
            "review_date",
            "summary",
            "repository__name",
            "repository__team__name",
            "owner__username",
        )
        .order_by("repository__team__name", "repository__name", "kind", "id")[
            start : start + PAGE_SIZE + 1
        ]
    )
    result.has_next = len(page) > PAGE_SIZE
    result.records = page[:PAGE_SIZE]
    return result
