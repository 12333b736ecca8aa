"""The triage list's repository filter: a typed name or a linked id, with suggestions, limited
to the repositories the user may see."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from inventory.models import Role
from tests import factories


@pytest.fixture
def superuser(db):
    return factories.user(is_superuser=True)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _subjects(response) -> set[str]:
    return {row["record"].subject for row in response.context["rows"]}


def _suggested(user, typed: str) -> list[str]:
    response = _client(user).get(
        reverse("decisions:record-repository-suggestions"),
        {"repository": typed},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and 'id="repository-suggestions"' in body
    return [name for name, _team in response.context["suggestions"]]


def test_suggestions_offer_only_repositories_the_user_can_see(viewer, team):
    factories.repository(team, name="billing-api")
    factories.repository(team, name="old-billing")
    hidden = factories.repository(factories.team(), name="billing-secret")
    # Prefix matches first, then names holding the text elsewhere; any case.
    assert _suggested(viewer, "BILL") == ["billing-api", "old-billing"]
    body = (
        _client(viewer)
        .get(reverse("decisions:record-repository-suggestions"), {"repository": "billing"})
        .content.decode()
    )
    assert hidden.name not in body
    outsider = factories.member(factories.team(), Role.TRIAGER)
    assert _suggested(outsider, "billing") == []


def test_suggestions_are_at_most_twenty_and_nothing_for_nothing_typed(superuser, team):
    for n in range(25):
        factories.repository(team, name=f"svc-{n:02}")
    assert _suggested(superuser, "svc") == [f"svc-{n:02}" for n in range(20)]
    assert _suggested(superuser, "") == []
    assert _suggested(superuser, "   ") == []
    assert _suggested(superuser, "x" * 201) == []


def test_a_typed_name_lists_that_repository_s_records(viewer, team):
    api = factories.repository(team, name="billing-api")
    web = factories.repository(team, name="billing-web")
    factories.record(api, subject="in-api")
    factories.record(web, subject="in-web")
    response = _client(viewer).get(reverse("decisions:record-list"), {"repository": "billing-api"})
    assert _subjects(response) == {"in-api"}
    # Any case, and the name stays in the input.
    response = _client(viewer).get(reverse("decisions:record-list"), {"repository": "Billing-Web"})
    assert _subjects(response) == {"in-web"}
    assert 'value="Billing-Web"' in response.content.decode()


def test_an_id_link_still_filters_and_shows_the_repository_name(viewer, team, repository):
    factories.record(repository, subject="here")
    factories.record(factories.repository(team), subject="elsewhere")
    response = _client(viewer).get(reverse("decisions:record-list"), {"repository": repository.pk})
    assert _subjects(response) == {"here"}
    assert f'value="{repository.name}"' in response.content.decode()


def test_an_id_whose_name_another_team_shares_stays_an_id(superuser, team):
    mine = factories.repository(team, name="api")
    factories.repository(factories.team(), name="api")
    factories.record(mine, subject="mine")
    response = _client(superuser).get(reverse("decisions:record-list"), {"repository": mine.pk})
    assert _subjects(response) == {"mine"}
    # Resubmitting the form must not widen the filter to the other team's "api".
    assert f'value="{mine.pk}"' in response.content.decode()


def test_a_name_shared_by_two_teams_lists_both_and_the_team_narrows(superuser):
    first, second = factories.team(), factories.team()
    factories.record(factories.repository(first, name="api"), subject="first")
    factories.record(factories.repository(second, name="api"), subject="second")
    url = reverse("decisions:record-list")
    assert _subjects(_client(superuser).get(url, {"repository": "api"})) == {"first", "second"}
    narrowed = _client(superuser).get(url, {"repository": "api", "team": second.pk})
    assert _subjects(narrowed) == {"second"}


def test_an_unknown_name_says_so_in_the_form_and_lists_nothing(viewer, repository):
    factories.record(repository, subject="visible")
    response = _client(viewer).get(reverse("decisions:record-list"), {"repository": "nope"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "No repository you can see is called “nope”." in body
    assert 'aria-invalid="true"' in body
    assert "{#" not in body and "{%" not in body  # no template comment leaks onto the page
    assert _subjects(response) == set()


def test_an_unknown_name_is_named_in_the_table_an_htmx_filter_replaces(viewer, repository):
    factories.record(repository, subject="visible")
    response = _client(viewer).get(
        reverse("decisions:record-list"),
        {"repository": "nope"},
        headers={"HX-Request": "true", "HX-Target": "record-table"},
    )
    body = response.content.decode()
    assert "<html" not in body and "No repository you can see is called “nope”." in body
    assert "visible" not in body


def test_a_repository_of_another_team_is_never_matched(viewer, repository):
    hidden = factories.repository(factories.team(), name="hidden-repo")
    factories.record(hidden, subject="secret")
    url = reverse("decisions:record-list")
    for value in (hidden.name, str(hidden.pk)):
        response = _client(viewer).get(url, {"repository": value})
        assert _subjects(response) == set()
        assert "is called" in response.content.decode()
        assert "secret" not in response.content.decode()
