from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from decisions import services
from decisions.models import ApiToken
from inventory.models import Role
from scanning.models import ScanRun
from tests import factories


@pytest.fixture
def secret(viewer):
    return services.api_token_create(user=viewer, name="ci")[1]


def _get(url, secret=None, **params):
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return Client().get(url, params, headers=headers)


@pytest.mark.parametrize("name", ["api-records", "api-repositories", "api-scan-runs"])
@pytest.mark.parametrize(
    "header", [None, "Bearer", "Bearer dbt_wrong", "Basic dXNlcjpwYXNz", "Token dbt_x"]
)
def test_api_refuses_missing_or_bad_tokens(db, name, header):
    headers = {"Authorization": header} if header else {}
    response = Client().get(reverse(f"decisions:{name}"), headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response["Content-Type"] == "application/json"


def test_a_session_is_not_enough(viewer):
    client = Client()
    client.force_login(viewer)
    assert client.get(reverse("decisions:api-records")).status_code == 401


def test_token_of_an_inactive_user_is_refused(viewer, secret):
    viewer.is_active = False
    viewer.save()
    assert _get(reverse("decisions:api-records"), secret).status_code == 401


def test_only_the_hash_is_stored_and_use_is_recorded(viewer, secret):
    token = ApiToken.objects.get()
    assert secret not in (token.token_hash, token.prefix)
    assert secret.startswith(token.prefix)
    assert token.last_used_at is None
    assert _get(reverse("decisions:api-records"), secret).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_records_are_filtered_paginated_and_limited_to_the_users_teams(viewer, repository, secret):
    for n in range(3):
        factories.record(repository, subject=f"unused-{n}")
    factories.record(
        repository, subject="boto3", kind="missing", review_date=datetime.date(2026, 1, 1)
    )
    factories.record(factories.repository(factories.team()), subject="secret-of-others")

    response = _get(reverse("decisions:api-records"), secret, page_size=2, sort="age")
    data = response.json()
    assert data["count"] == 4 and data["pages"] == 2
    assert len(data["results"]) == 2
    assert "page=2" in data["next"]
    second = Client().get(data["next"], headers={"Authorization": f"Bearer {secret}"}).json()
    subjects = {r["subject"] for r in data["results"] + second["results"]}
    assert subjects == {"unused-0", "unused-1", "unused-2", "boto3"}

    missing = _get(reverse("decisions:api-records"), secret, kind="missing").json()
    assert [r["subject"] for r in missing["results"]] == ["boto3"]
    assert missing["results"][0]["review_date"] == "2026-01-01"


def test_other_teams_data_is_invisible(viewer, secret):
    other_repository = factories.repository(factories.team())
    hidden = factories.record(other_repository, subject="hidden")
    ScanRun.objects.create(repository=other_repository)
    assert _get(reverse("decisions:api-record", args=[hidden.pk]), secret).status_code == 404
    assert _get(reverse("decisions:api-repositories"), secret).json()["count"] == 0
    assert _get(reverse("decisions:api-scan-runs"), secret).json()["count"] == 0
    response = _get(reverse("decisions:api-records"), secret, repository=other_repository.pk)
    assert response.status_code == 400  # not a choice this user has


def test_record_detail_repositories_and_scan_runs(viewer, repository, secret):
    record = factories.record(repository, subject="pandas")
    services.history.event_write(record, "state", "", "new", comment="Found by scan")
    ScanRun.objects.create(repository=repository, status="succeeded", commit="a" * 40)
    detail = _get(reverse("decisions:api-record", args=[record.pk]), secret).json()
    assert detail["subject"] == "pandas"
    assert detail["history"][0]["comment"] == "Found by scan"
    repos = _get(reverse("decisions:api-repositories"), secret).json()
    assert [r["name"] for r in repos["results"]] == [repository.name]
    runs = _get(reverse("decisions:api-scan-runs"), secret, repository=repository.pk).json()
    assert runs["results"][0]["commit"] == "a" * 40


def test_bad_pagination_is_a_client_error(secret):
    assert _get(reverse("decisions:api-records"), secret, page="x").status_code == 400
    assert _get(reverse("decisions:api-records"), secret, page=9).status_code == 404


def test_api_is_read_only(secret):
    response = Client().post(
        reverse("decisions:api-records"), headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 405


def test_create_api_token_command_prints_a_working_token(team, capsys):
    person = factories.member(team, Role.VIEWER, username="robot")
    call_command("create_api_token", "robot", "--name", "exporter")
    secret = capsys.readouterr().out.strip()
    assert ApiToken.objects.get().user == person
    assert _get(reverse("decisions:api-repositories"), secret).status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_writes_answer_json_not_the_csrf_page(viewer, secret, method):
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(
        reverse("decisions:api-records"), headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "The API is read-only: use GET."}
    # Without a token too: never Django's HTML CSRF page.
    response = getattr(client, method)(reverse("decisions:api-records"))
    assert response["Content-Type"] == "application/json"


def test_filters_accept_usernames_team_slugs_and_repository_names(team, viewer, secret):
    owner = factories.member(team, Role.OWNER, username="owner")
    repository = factories.repository(team)
    mine = factories.record(repository, subject="mine", owner=owner)
    factories.record(repository, subject="unowned")
    url = reverse("decisions:api-records")
    for params in ({"owner": "owner"}, {"owner": str(owner.pk)}):
        assert [r["subject"] for r in _get(url, secret, **params).json()["results"]] == ["mine"]
    by_team = _get(url, secret, team=team.slug).json()["results"]
    assert {r["subject"] for r in by_team} == {"mine", "unowned"}
    by_repo = _get(url, secret, repository=repository.name, owner="owner").json()["results"]
    assert [r["id"] for r in by_repo] == [mine.pk]
    refused = _get(url, secret, owner="nobody-like-that")
    assert refused.status_code == 400 and "owner" in refused.json()["error"]


def test_a_repository_name_two_teams_share_needs_its_id(team, secret, viewer):
    other = factories.team()
    from inventory.models import Membership

    Membership.objects.create(team=other, user=viewer, role=Role.VIEWER)
    for t in (team, other):
        repository = factories.repository(t)
        repository.name = "shared"
        repository.save()
    response = _get(reverse("decisions:api-records"), secret, repository="shared")
    assert response.status_code == 400 and "ambiguous" in response.json()["error"]
