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
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe

from decisions.models import (
    SCORE_FIELDS,
    DecisionRecord,
    next_action_choices,
    next_action_offered,
)
from decisions.selectors import records as selectors
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


def _escaped(value: object) -> str:
    """``conditional_escape(value)`` without its per-call cost (it runs once per option)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


class Options:
    """The ``<option>`` elements of a choice list, escaped once; ``render`` marks one selected.

    ``selected`` matches an option whose value has the same text (``None`` matches ``""``), as
    Django's own select widget compares them.
    """

    def __init__(self, choices: Iterable[tuple[object, object]]) -> None:
        self._options: list[str] = []
        self._position: dict[str, int] = {}
        for value, label in choices:
            self._position.setdefault(str(value), len(self._options))
            self._options.append(f'<option value="{_escaped(value)}">{_escaped(label)}</option>')
        # Safe: every value and label above is escaped.
        self._unselected = mark_safe("".join(self._options))  # noqa: S308

    def render(self, selected: object = None) -> SafeString:
        position = self._position.get("" if selected is None else str(selected))
        if position is None:
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
    """Builds triage rows; one per request, so option lists and links are made once."""

    def __init__(self, *, team_ids: set[int]) -> None:
        self._owners = {
            team_id: Options(people)
            for team_id, people in selectors.owners_by_team(team_ids=team_ids).items()
        }
        self._actions: dict[tuple[str, str], Options] = {}
        self._detail = record_link("decisions:record-detail")
        self._triage = record_link("decisions:record-triage")

    def _action_options(self, record: DecisionRecord) -> Options:
        """The next actions the record's kind is offered, made once per kind."""
        held = record.next_action
        key = (record.kind, "" if next_action_offered(record.kind, held) else held)
        if key not in self._actions:
            self._actions[key] = Options(next_action_choices(record.kind, current=held))
        return self._actions[key]

    def row(self, record: DecisionRecord, *, can_edit: bool) -> dict:
        row = {
            "record": record,
            "can_edit": can_edit,
            # Text, not int: each int a template prints goes through number localisation.
            "id": str(record.pk),
            # Shown in up to five places; revealed once (see the ``visible`` filter).
            "subject": reveal(record.subject),
            "detail_url": self._detail(record.pk),
        }
        if can_edit:
            row["triage_url"] = self._triage(record.pk)
            row["owner_options"] = self._owners[record.repository.team_id].render(record.owner_id)
            row["action_options"] = self._action_options(record).render(record.next_action)
            # What the row was loaded with, so a save changes only what the person changed.
            row["loaded"] = {
                "owner": str(record.owner_id or ""),
                "next_action": record.next_action,
                "review_date": record.review_date.isoformat() if record.review_date else "",
            }
        return row


def rows(records: QuerySet[DecisionRecord], *, user) -> list[dict]:
    """One dict per record of a page with what its row shows (three queries, whatever the rows).

    Each row also names the other findings about the same package in the same repository
    (unused and vulnerable, say), so one line of requirements is decided once.
    """
    records = list(records.with_can_edit(user))
    build = Rows(team_ids={r.repository.team_id for r in records if r.can_edit})
    return with_other_kinds([build.row(r, can_edit=r.can_edit) for r in records])


def with_other_kinds(built: list[dict]) -> list[dict]:
    """Add to each row ``also``: (link, kind label) of the subject's other findings (one query)."""
    others = selectors.other_kinds(records=[row["record"] for row in built])
    detail = record_link("decisions:record-detail")
    for row in built:
        record = row["record"]
        found = others.get((record.repository_id, record.subject, record.pk), ())
        row["also"] = [(detail(pk), label) for pk, label in found]
    return built
