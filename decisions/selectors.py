"""Reads shaped for the decision pages and exports."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from decisions.forms import RecordFilterForm
from decisions.models import DecisionRecord


def record_list(*, user, params) -> tuple[RecordFilterForm, QuerySet[DecisionRecord]]:
    """The records ``user`` may see, filtered by ``params`` (the query string)."""
    form = RecordFilterForm(params or None, user=user)
    records = DecisionRecord.objects.for_user(user).select_related(
        "repository__team", "owner", "package"
    )
    if params:
        records = form.filter(records)
    return form, records.order_by("repository__name", "kind", "subject")


def owners_by_team(*, team_ids: set[int]) -> dict[int, list]:
    """Members of each team, for the owner pickers of one page of rows (one query)."""
    users = (
        get_user_model()
        .objects.filter(memberships__team_id__in=team_ids)
        .order_by("username")
        .values_list("memberships__team_id", "id", "username")
    )
    result: dict[int, list] = {team_id: [] for team_id in team_ids}
    for team_id, user_id, username in users:
        result[team_id].append((user_id, username))
    return result
