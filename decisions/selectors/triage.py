"""What the triage list's templates need, shaped in Python once per request.

A Django template costs microseconds per node, and the list repeats its nodes for 25 rows, each
with two option lists and three links; filters list every repository and person a superuser
sees. What is the same on every row (option lists, the shape of a record's links) is built here
once, so the templates only place ready values.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from contextlib import suppress

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe

from decisions.models import (
    SCORE_FIELDS,
    DecisionRecord,
    Kind,
    NextAction,
    Severity,
    State,
    next_action_choices,
    next_action_offered,
)
from decisions.selectors import records as selectors
from inventory.models import Repository
from inventory.text import reveal

# What a row shows; the list loads nothing else of a record (notes, JSON, timestamps).
ROW_FIELDS = (
    "repository__name",
    "repository__team",
    "owner__username",
    "subject",
    "kind",
    "state",
    "severity",
    "summary",
    "next_action",
    "review_date",
    *SCORE_FIELDS,
)


# Labels of the values a row shows, as ``get_<field>_display`` gives them (the value itself
# when it is no choice), without its per-call cost.
_KIND_LABELS = dict(Kind.choices)
_STATE_LABELS = dict(State.choices)
_SEVERITY_LABELS = dict(Severity.choices)
_ACTION_LABELS = dict(NextAction.choices)


def escaped(value: object) -> str:
    """``conditional_escape(value)`` without its per-call cost (it runs once per option, and
    some thirty times per row: ``templatetags.triage_row``)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


# Never in a name people type (PostgreSQL text cannot even hold it); checked all the same.
_SEPARATOR = "\x00"


def _all_escaped(items: list[object]) -> list[str]:
    """``escaped`` of each item. Numbers need no escaping, and plain text is joined and
    escaped as one string: a superuser's 10,000 repositories escaped one by one were 4 ms."""
    kinds = set(map(type, items))
    if kinds <= {int}:
        return list(map(str, items))
    if kinds <= {str, int}:
        texts = _SEPARATOR.join(map(str, items))
        if texts.count(_SEPARATOR) == len(items) - 1:
            return html.escape(texts).split(_SEPARATOR)
    return [escaped(item) for item in items]


class Options:
    """The ``<option>`` elements of a choice list, escaped once; ``render`` marks one selected.

    ``selected`` matches the first option whose value has the same text (``None`` matches
    ``""``), as Django's own select widget compares them.
    """

    def __init__(self, choices: Iterable[tuple[object, object]]) -> None:
        pairs = list(choices)
        values = [value for value, _ in pairs]
        self._values = [str(value) for value in values]
        self._options = [
            f'<option value="{value}">{label}</option>'
            for value, label in zip(
                _all_escaped(values), _all_escaped([label for _, label in pairs]), strict=True
            )
        ]
        # Safe: every value and label above is escaped.
        self._unselected = mark_safe("".join(self._options))  # noqa: S308

    def render(self, selected: object = None) -> SafeString:
        try:
            position = self._values.index("" if selected is None else str(selected))
        except ValueError:
            return self._unselected
        options = self._options.copy()
        # The value is escaped, so the first ">" closes the start tag.
        options[position] = options[position].replace(">", " selected>", 1)
        return mark_safe("".join(options))  # noqa: S308


class CappedPaginator(Paginator):
    """Counts records only as far as a page needs: to ``limit``, or to the page asked for.

    An exact COUNT of a superuser's 100,000 records (a sequential scan) cost more than all the
    list's other queries together. Past the limit the total shows as "more than" and the pager
    still offers the next page.
    """

    def __init__(self, object_list: QuerySet, per_page: int, *, limit: int) -> None:
        super().__init__(object_list, per_page)
        self.limit = limit

    def get_page(self, number: object) -> Page:
        with suppress(TypeError, ValueError):
            # Bounded, so an absurd page number cannot overflow the SQL LIMIT.
            self.limit = max(self.limit, min(int(number), 10**9) * self.per_page)
        return super().get_page(number)

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by()[: self.limit + 1].count()

    @property
    def more(self) -> bool:
        """Whether there are more than ``limit`` records (``count`` is then ``limit + 1``)."""
        return self.count > self.limit


def record_link(name: str) -> Callable[[int], str]:
    """``reverse(name, args=[pk])`` for any pk, at the cost of one ``reverse``."""
    marker = "8191819181918191"
    before, after = reverse(name, args=[int(marker)]).split(marker)
    return lambda pk: f"{before}{pk}{after}"


def filter_controls(
    form: forms.Form, model_choices: dict[str, list[tuple[int, str]]]
) -> list[tuple[forms.BoundField, SafeString | None]]:
    """Each filter field with its options rendered (``None`` for a field that is no select)."""
    controls = []
    for name, field in form.fields.items():
        if name in model_choices:
            choices = [("", field.empty_label), *model_choices[name]]
        elif isinstance(field, forms.ChoiceField):
            choices = field.choices
        else:
            controls.append((form[name], None))
            continue
        controls.append((form[name], Options(choices).render(form[name].value())))
    return controls


class Rows:
    """Builds triage rows; one per request, so option lists and links are made once.

    A row carries every value its markup prints, as text (labels looked up, dates formatted,
    today asked once), so ``templatetags.triage_row`` only places them: some forty per row.
    """

    def __init__(self, *, team_ids: set[int], people: selectors.TeamPeople | None = None) -> None:
        owners = (
            selectors.owners_by_team(team_ids=team_ids)
            if people is None
            else people.editors_by_team(team_ids)
        )
        self._owners = {team_id: Options(members) for team_id, members in owners.items()}
        self._actions: dict[tuple[str, str], Options] = {}
        self._detail = record_link("decisions:record-detail")
        self._triage = record_link("decisions:record-triage")
        self._today = timezone.localdate()

    def _action_options(self, record: DecisionRecord) -> Options:
        """The next actions the record's kind is offered, made once per kind."""
        held = record.next_action
        key = (record.kind, "" if next_action_offered(record.kind, held) else held)
        if key not in self._actions:
            self._actions[key] = Options(next_action_choices(record.kind, current=held))
        return self._actions[key]

    def row(self, record: DecisionRecord, *, can_edit: bool) -> dict:
        # Shown in up to five places; revealed once (see the ``visible`` filter).
        subject = reveal(record.subject)
        repository = record.repository.name
        review_date = record.review_date.isoformat() if record.review_date else ""
        overdue = record.review_date is not None and record.review_date < self._today
        row = {
            "record": record,
            "can_edit": can_edit,
            # Text, not int: each int a template prints goes through number localisation.
            "id": str(record.pk),
            "subject": subject,
            "repository": repository,
            # What the row's controls are named after, for screen readers.
            "label": f"{subject} in {repository}",
            "css_class": f"state-{record.state} overdue" if overdue else f"state-{record.state}",
            "detail_url": self._detail(record.pk),
            "kind": record.kind,
            "kind_label": _KIND_LABELS.get(record.kind, record.kind),
            "severity": record.severity,
            "severity_label": _SEVERITY_LABELS.get(record.severity, record.severity),
            "state_label": _STATE_LABELS.get(record.state, record.state),
            "priority": str(record.priority),
            "summary": reveal(record.summary or ""),
            "review_date": review_date,
        }
        if can_edit:
            row["triage_url"] = self._triage(record.pk)
            row["owner_options"] = self._owners[record.repository.team_id].render(record.owner_id)
            row["action_options"] = self._action_options(record).render(record.next_action)
            # What the row was loaded with, so a save changes only what the person changed.
            row["loaded"] = {
                "owner": str(record.owner_id or ""),
                "next_action": record.next_action,
                "review_date": review_date,
            }
        else:
            row["owner_name"] = record.owner.username if record.owner_id else ""
            row["next_action_label"] = _ACTION_LABELS.get(record.next_action, record.next_action)
        return row


def rows(
    records: QuerySet[DecisionRecord], *, user, people: selectors.TeamPeople | None = None
) -> list[dict]:
    """One dict per record of a page with what its row shows (two queries, whatever the rows,
    and one more unless ``people`` holds the memberships of the user's teams already).

    Each row also names the other findings about the same package in the same repository
    (unused and vulnerable, say), so one line of requirements is decided once.
    """
    if people is None:
        people = selectors.TeamPeople(repositories=Repository.objects.for_user(user))
    editable = people.editable_teams(user)
    page = [(record, record.repository.team_id in editable) for record in records]
    build = Rows(team_ids={r.repository.team_id for r, can_edit in page if can_edit}, people=people)
    return with_other_kinds([build.row(r, can_edit=can_edit) for r, can_edit in page])


def with_other_kinds(built: list[dict]) -> list[dict]:
    """Add to each row ``also``: (link, kind label) of the subject's other findings (one query)."""
    others = selectors.other_kinds(records=[row["record"] for row in built])
    detail = record_link("decisions:record-detail")
    for row in built:
        record = row["record"]
        found = others.get((record.repository_id, record.subject, record.pk), ())
        row["also"] = [(detail(pk), label) for pk, label in found]
    return built
