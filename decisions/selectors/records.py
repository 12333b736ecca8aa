"""Reads shaped for the decision pages and exports."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Mapping
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from decisions import lifecycle
from decisions.forms.records import RecordFilterForm
from decisions.models import DecisionRecord, Kind, Notification, State
from inventory.models import EDITOR_ROLES, Membership, Repository
from scanning.models import Evidence

# Each order ends in a unique column and has an index, so pages are stable and cheap.
SORTS = {
    "": ("-priority_score", "-id"),
    "review": (F("review_date").asc(nulls_last=True), "id"),
    "age": ("created_at", "id"),
    "newest": ("-created_at", "-id"),
    "repository": ("repository__name", "kind", "subject"),
}


def record_list(*, user, params) -> tuple[RecordFilterForm, QuerySet[DecisionRecord]]:
    """The records ``user`` may see, filtered and sorted by ``params`` (the query string).

    Invalid params (an unknown choice, a team the user cannot see) give no records.
    """
    form = RecordFilterForm(params or {}, user=user)
    records = DecisionRecord.objects.for_user(user).select_related("repository", "owner")
    if not form.is_valid():
        return form, records.none()
    return form, records_filtered(
        records=records, filters=form.cleaned_data, today=timezone.localdate()
    )


def records_filtered(
    *, records: QuerySet[DecisionRecord], filters: Mapping[str, Any], today: date
) -> QuerySet[DecisionRecord]:
    """``records`` narrowed and ordered by the triage list's validated filters
    (``RecordFilterForm.cleaned_data``)."""
    if filters["repository"]:
        records = records.filter(repository_id__in=filters["repository"])
    for name in ("team", "kind", "owner", "severity"):
        if filters[name]:
            records = records.filter(
                **{"repository__team" if name == "team" else name: filters[name]}
            )
    if filters["state"] == "open":
        records = records.open()
    elif filters["state"]:
        records = records.filter(state=filters["state"])
    if filters["due"] == "due":
        records = records.open().filter(review_date__lte=today)
    elif filters["due"] == "overdue":
        records = records.open().filter(review_date__lt=today)
    if filters["unowned"]:
        records = records.filter(owner__isnull=True)
    return records.order_by(*SORTS[filters["sort"]])


class _EveryTeam:
    def __contains__(self, team_id: object) -> bool:
        return True


_EVERY_TEAM = _EveryTeam()


class TeamPeople:
    """Every member of the teams that have one of ``repositories``, by username (one query).

    The triage list offers people three times: the owner filter (anyone in those teams), the
    bulk edit's owner (those who may own a record: ``EDITOR_ROLES``) and each editable row's
    owner picker (its team's editors); and it asks of each row whether the user may change
    it. The same few hundred memberships answer all four.
    """

    def __init__(self, *, repositories: QuerySet[Repository]) -> None:
        has_repository = Exists(repositories.filter(team_id=OuterRef("team_id")))
        self._memberships = list(
            Membership.objects.filter(has_repository)
            .order_by("user__username", "team_id")
            .values_list("team_id", "user_id", "user__username", "role")
        )

    @staticmethod
    def _distinct(memberships) -> list[tuple[int, str]]:
        return list(dict.fromkeys((user_id, name) for _, user_id, name, _ in memberships))

    def anyone(self) -> list[tuple[int, str]]:
        """(pk, username) of every member, once (``forms.records.members_of_teams_of``)."""
        return self._distinct(self._memberships)

    def editors(self) -> list[tuple[int, str]]:
        """(pk, username) of every member who may own a record, once."""
        return self._distinct(m for m in self._memberships if m[3] in EDITOR_ROLES)

    def editable_teams(self, user) -> Container[int]:
        """The teams among these whose records ``user`` may change (as ``editable_by``)."""
        if user.is_authenticated and user.is_superuser:
            return _EVERY_TEAM
        return {
            team_id
            for team_id, user_id, _, role in self._memberships
            if user_id == user.pk and role in EDITOR_ROLES
        }

    def editors_by_team(self, team_ids: set[int]) -> dict[int, list[tuple[int, str]]]:
        """What ``owners_by_team`` gives for teams among these (any other: nobody)."""
        result: dict[int, list[tuple[int, str]]] = {team_id: [] for team_id in team_ids}
        for team_id, user_id, name, role in self._memberships:
            if team_id in result and role in EDITOR_ROLES:
                result[team_id].append((user_id, name))
        return result


def filter_choices(
    *, form: RecordFilterForm, people: TeamPeople
) -> dict[str, list[tuple[int, str]]]:
    """(pk, label) pairs of the filter form's long model choices (one query, and ``people``)."""
    return {
        # The team field's choices: teams with a visible repository, by name.
        "team": list(form.fields["team"].queryset.values_list("pk", "name")),
        # The owner field's choices (its queryset still validates a chosen owner).
        "owner": people.anyone(),
    }


SUGGESTIONS = 20


def repository_suggestions(*, user, typed: str) -> list[tuple[str, str]]:
    """(name, team name) of at most ``SUGGESTIONS`` repositories ``user`` may see whose name
    starts with ``typed`` (any case), then of those whose name holds it elsewhere; by name.

    Two bounded queries over the repository table (10,000 rows: a few milliseconds).
    """
    typed = typed.strip()
    if not typed or "\x00" in typed or len(typed) > 200:
        return []
    visible = Repository.objects.for_user(user).order_by("name", "team__name")
    fields = ("name", "team__name")
    found = list(visible.filter(name__istartswith=typed).values_list(*fields)[:SUGGESTIONS])
    if len(found) < SUGGESTIONS:
        found += (
            visible.filter(name__icontains=typed)
            .exclude(name__istartswith=typed)
            .values_list(*fields)[: SUGGESTIONS - len(found)]
        )
    return found


def owners_by_team(*, team_ids: set[int]) -> dict[int, list[tuple[int, str]]]:
    """Members of each team who can own a record, for one page of owner pickers (one query)."""
    users = (
        get_user_model()
        .objects.filter(memberships__team_id__in=team_ids, memberships__role__in=EDITOR_ROLES)
        .order_by("username")
        .values_list("memberships__team_id", "id", "username")
    )
    result: dict[int, list[tuple[int, str]]] = {team_id: [] for team_id in team_ids}
    for team_id, user_id, username in users:
        result[team_id].append((user_id, username))
    return result


def other_kinds(
    *, records: list[DecisionRecord]
) -> dict[tuple[int, str, int], list[tuple[int, str]]]:
    """(repository, subject, record) -> the (pk, kind label) of the subject's other findings."""
    if not records:
        return {}
    pairs = {(r.repository_id, r.subject) for r in records}
    found: dict[tuple[int, str], list[tuple[int, str]]] = defaultdict(list)
    labels = dict(Kind.choices)
    rows = DecisionRecord.objects.filter(
        repository_id__in={repository for repository, _ in pairs},
        subject__in={subject for _, subject in pairs},
    ).values_list("repository_id", "subject", "pk", "kind")
    for repository_id, subject, pk, kind in rows.order_by("kind"):
        if (repository_id, subject) in pairs:
            found[(repository_id, subject)].append((pk, labels.get(kind, kind)))
    return {
        (r.repository_id, r.subject, r.pk): [
            other for other in found[(r.repository_id, r.subject)] if other[0] != r.pk
        ]
        for r in records
    }


def record_evidence_by_mode(*, record: DecisionRecord) -> dict[str, list[Evidence]]:
    """Evidence of the record's package from the latest successful scan, grouped by mode."""
    if record.package_id is None:
        return {}
    latest = record.repository.scan_runs.latest_succeeded()
    if latest is None:
        return {}
    grouped: dict[str, list[Evidence]] = defaultdict(list)
    for evidence in Evidence.objects.filter(scan_run=latest, package_id=record.package_id)[:500]:
        grouped[evidence.mode or "unknown"].append(evidence)
    return dict(sorted(grouped.items()))


def my_work(*, user) -> dict:
    """What needs ``user``: unread notifications, approvals waiting, owned open records."""
    today = timezone.localdate()
    # Teams where ``user`` decides on proposals whose proposer owns the record.
    second_teams = Membership.objects.filter(
        user=user, role__in=lifecycle.SECOND_APPROVER_ROLES
    ).values("team")
    visible = DecisionRecord.objects.for_user(user).select_related("repository")
    return {
        "notifications": Notification.objects.filter(
            user=user, read_at__isnull=True
        ).select_related("record__repository")[:50],
        "approvals": visible.filter(state=State.AWAITING_APPROVAL)
        .filter(Q(owner=user) | Q(owner=F("proposed_by"), repository__team__in=second_teams))
        .exclude(proposed_by=user),
        "owned": visible.open().filter(owner=user).order_by("review_date")[:200],
        "overdue": visible.open().filter(owner=user, review_date__lt=today).count(),
    }
