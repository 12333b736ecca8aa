"""The API tokens page: create (shown once), list, revoke; only one's own tokens."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from decisions import services
from decisions.models import ApiToken
from decisions.services.api_tokens import MAX_TOKENS_PER_USER
from tests import factories

PAGE = "/tokens/"


@pytest.fixture
def client(viewer):
    client = Client()
    client.force_login(viewer)
    return client


def _api(secret: str) -> int:
    headers = {"Authorization": f"Bearer {secret}"}
    return Client().get(reverse("decisions:api-records"), headers=headers).status_code


def _created_secret(response) -> str:
    match = re.search(r'id="new-token"[^>]*value="(dbt_[^"]+)"', response.content.decode())
    assert match, "the new token is not on the page"
    return match.group(1)


def test_a_new_token_is_shown_once_and_works(client, viewer):
    response = client.post(PAGE, {"name": "CI gate"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = _created_secret(response)
    assert _api(secret) == 200

    listing = client.get(PAGE).content.decode()
    assert secret not in listing
    assert ApiToken.objects.get(user=viewer).prefix in listing
    assert "CI gate" in listing


def test_revoking_a_token_refuses_it_from_then_on(client, viewer):
    token, secret = services.api_token_create(user=viewer, name="old")
    response = client.post(reverse("decisions:token-revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == viewer
    assert _api(secret) == 401
    listing = client.get(PAGE).content.decode()
    revoked = listing[listing.index("Revoked tokens") :]
    assert token.prefix in revoked and viewer.username in revoked
    # Revoking twice finds nothing more to revoke.
    assert client.post(reverse("decisions:token-revoke", args=[token.pk])).status_code == 404


def test_a_token_needs_a_name(client, viewer):
    response = client.post(PAGE, {"name": "   "})
    assert "This field is required" in response.content.decode()
    assert not ApiToken.objects.filter(user=viewer).exists()
    with pytest.raises(ValueError, match="what the token is for"):
        services.api_token_create(user=viewer, name="")


def test_nobody_can_see_or_revoke_another_persons_token(client, team):
    other = factories.member(team)
    token, secret = services.api_token_create(user=other, name="theirs")
    assert token.prefix not in client.get(PAGE).content.decode()
    response = client.post(reverse("decisions:token-revoke", args=[token.pk]))
    assert response.status_code == 404
    assert _api(secret) == 200


def test_a_too_long_name_is_an_error_and_nothing_is_created(client, viewer):
    response = client.post(PAGE, {"name": "x" * 101})
    assert response.status_code == 200
    assert "at most 100 characters" in response.content.decode()
    assert 'id="new-token"' not in response.content.decode()
    assert not ApiToken.objects.filter(user=viewer).exists()


def test_the_number_of_tokens_is_capped_with_a_clear_message(client, viewer):
    for n in range(MAX_TOKENS_PER_USER):
        services.api_token_create(user=viewer, name=f"t{n}")
    response = client.post(PAGE, {"name": "one more"})
    assert "revoke one you no longer use" in response.content.decode()
    assert ApiToken.objects.filter(user=viewer).count() == MAX_TOKENS_PER_USER


def test_creating_and_revoking_need_the_csrf_token(viewer):
    token, _ = services.api_token_create(user=viewer, name="t")
    client = Client(enforce_csrf_checks=True)
    client.force_login(viewer)
    assert client.post(PAGE, {"name": "x"}).status_code == 403
    assert client.post(reverse("decisions:token-revoke", args=[token.pk])).status_code == 403
    assert ApiToken.objects.filter(user=viewer).count() == 1


def test_the_page_needs_a_login(db):
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_revoke_is_post_only(client, viewer):
    token, _ = services.api_token_create(user=viewer, name="t")
    assert client.get(reverse("decisions:token-revoke", args=[token.pk])).status_code == 405
    assert ApiToken.objects.filter(pk=token.pk).exists()
