from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from decisions.models import ApiToken
from inventory.models import Role
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_person_creates_copies_and_revokes_a_token(page: Page, sign_in, screenshot):
    team = factories.team("Platform")
    person = factories.member(team, Role.VIEWER, username="vera")

    sign_in(person.username)
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("What is it for?").fill("CI gate for payments")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_label("Token", exact=True).input_value()
    assert secret.startswith("dbt_")
    expect(page.get_by_role("cell", name="CI gate for payments")).to_be_visible()
    screenshot("api-tokens")
    headers = {"Authorization": f"Bearer {secret}"}
    assert Client().get(reverse("decisions:api-records"), headers=headers).status_code == 200

    token = ApiToken.objects.get(user=person)
    page.get_by_role("button", name=f"Revoke token {token.prefix}…").click()
    expect(page.get_by_text("Token revoked")).to_be_visible()
    expect(page.get_by_text("You have no tokens.")).to_be_visible()
    assert Client().get(reverse("decisions:api-records"), headers=headers).status_code == 401
