"""The triage list's filters, applied by ``selectors.record_list`` (the form only validates)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from decisions.models import State
from decisions.selectors import records as selectors
from tests import factories


def _subjects(user, **params) -> set[str]:
    _form, records = selectors.record_list(user=user, params=params)
    return {record.subject for record in records}


def test_due_and_overdue_list_open_records_by_their_review_date(viewer, repository):
    today = timezone.localdate()
    factories.record(repository, subject="today", review_date=today)
    factories.record(repository, subject="late", review_date=today - timedelta(days=1))
    factories.record(repository, subject="later", review_date=today + timedelta(days=1))
    factories.record(
        repository, subject="closed", review_date=today - timedelta(days=1), state=State.DONE
    )
    assert _subjects(viewer, due="due") == {"today", "late"}
    assert _subjects(viewer, due="overdue") == {"late"}


def test_open_unowned_and_kind_filters_combine(viewer, triager, repository):
    factories.record(repository, subject="mine", owner=triager)
    factories.record(repository, subject="nobody's")
    factories.record(repository, subject="done", state=State.DONE)
    factories.record(repository, subject="missing", kind="missing")
    assert _subjects(viewer, state="open", unowned="on") == {"nobody's", "missing"}
    assert _subjects(viewer, state="open", unowned="on", kind="missing") == {"missing"}


def test_a_team_the_user_cannot_see_lists_nothing_rather_than_everything(viewer, repository):
    factories.record(repository, subject="visible")
    elsewhere = factories.repository()
    factories.record(elsewhere, subject="hidden")
    assert _subjects(viewer) == {"visible"}
    assert _subjects(viewer, team=str(elsewhere.team_id)) == set()
    assert _subjects(viewer, sort="no-such-order") == set()


def test_the_review_sort_puts_records_without_a_date_last(viewer, repository):
    today = timezone.localdate()
    factories.record(repository, subject="undated")
    factories.record(repository, subject="later", review_date=today + timedelta(days=3))
    factories.record(repository, subject="sooner", review_date=today + timedelta(days=1))
    _form, records = selectors.record_list(user=viewer, params={"sort": "review"})
    assert [record.subject for record in records] == ["sooner", "later", "undated"]


def test_the_owner_filter_offers_each_member_of_the_users_teams_with_repositories_once(db):
    from decisions.forms.records import RecordFilterForm
    from inventory.models import Membership, Role

    team, second, empty, other = (factories.team() for _ in range(4))
    for t in (team, second, other):
        factories.repository(t)
        factories.repository(t)
    lead = factories.member(team, Role.TRIAGER)
    Membership.objects.create(team=second, user=lead, role=Role.VIEWER)
    Membership.objects.create(team=empty, user=lead, role=Role.OWNER)
    viewer = factories.member(second, Role.VIEWER)
    only_empty = factories.member(empty, Role.OWNER)
    stranger = factories.member(other, Role.OWNER)
    choices = list(RecordFilterForm(user=lead).fields["owner"].queryset)
    assert choices == sorted([lead, viewer], key=lambda u: u.username)
    assert only_empty not in choices and stranger not in choices
