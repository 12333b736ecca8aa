"""Query strings from a hostile or careless client never cause a server error."""

from __future__ import annotations

import pytest
from django.test import Client

from decisions import services
from inventory import text
from inventory.models import Role
from tests import factories

BAD_VALUES = [
    "abc",
    "-1",
    "99999999999999999999999",
    "²",
    "<script>alert(1)</script>",
    "'; drop table x;--",
    "\x00",
    "%",
    "2026-13-45",
    "",
]
KEYS = ["page", "sort", "team", "repository", "kind", "state", "owner", "severity", "due"]
KEYS += ["unowned", "q", "limit", "item", "weeks", "scope", "status", "ids"]
ID_KEYS = ["page", "team", "repository", "owner", "item", "weeks"]


@pytest.fixture
def world(db):
    team = factories.team()
    lead = factories.member(team, Role.TRIAGER)
    record = factories.record(factories.repository(team), subject="pandas")
    secret = services.api_token_create(user=lead, name="hostile")[1]
    client = Client()
    client.force_login(lead)
    return client, record, {"Authorization": f"Bearer {secret}"}


PAGES = [
    "/",
    "/my-work/",
    "/meetings/",
    "/dashboard/",
    "/records/export.csv",
    "/records/export.md",
    "/repositories/",
    "/tokens/",
    "/api/v1/records/",
    "/api/v1/repositories/",
    "/api/v1/scan-runs/",
    "/records/{record}/",
]


@pytest.mark.parametrize("page", PAGES)
def test_no_query_string_makes_a_page_fail(world, page):
    client, record, headers = world
    url = page.format(record=record.pk)
    attempts = [{key: value for key in KEYS} for value in BAD_VALUES]
    # One at a time too, for the parameters that name rows or numbers.
    attempts += [{key: value} for key in ID_KEYS for value in ("abc", "9" * 23, "²", "\x00")]
    for params in attempts:
        response = client.get(url, params, headers=headers if "/api/" in url else {})
        assert response.status_code < 500, (url, params)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        ("0012", 12),
        ("²", None),
        ("١٢", None),
        ("9" * 19, None),
        ("-1", None),
        ("", None),
    ],
)
def test_ids_are_read_only_from_plain_ascii_digits(value, expected):
    assert text.as_id(value) == expected


def test_an_id_too_large_for_any_column_is_a_clear_api_error(world):
    client, _, headers = world
    response = client.get("/api/v1/scan-runs/", {"repository": "9" * 30}, headers=headers)
    assert response.status_code == 400
    assert response.json() == {"error": "repository must be an id."}
