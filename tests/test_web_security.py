"""Output safety and security events on the web surface."""

from __future__ import annotations

import logging
import re

import pytest
from django.test import Client
from django.urls import reverse

from inventory.models import Role
from inventory.text import reveal
from tests import factories


@pytest.fixture
def lead_client(team):
    client = Client()
    client.force_login(factories.member(team, Role.TRIAGER))
    return client


def test_every_page_sends_a_nonce_csp_and_htmx_carries_the_nonce(lead_client):
    response = lead_client.get(reverse("decisions:record-list"))
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "script-src 'self' 'nonce-" in policy
    assert "object-src 'none'" in policy
    assert f'nonce="{nonce}"' in response.content.decode()


def test_nonce_changes_per_request(lead_client):
    first = lead_client.get(reverse("decisions:record-list")).headers["Content-Security-Policy"]
    second = lead_client.get(reverse("decisions:record-list")).headers["Content-Security-Policy"]
    assert first != second


def test_repository_text_is_escaped_and_hidden_characters_shown(lead_client, repository):
    factories.record(
        repository,
        subject="evil<script>alert(1)</script>",
        summary="abc\u202edcba\u200bxyz",
    )
    body = lead_client.get(reverse("decisions:record-list")).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "evil&lt;script&gt;" in body
    assert "⟨U+202E⟩" in body and "⟨U+200B⟩" in body
    assert "\u202e" not in body


def test_reveal_leaves_ordinary_text_alone():
    assert reveal("naïve café — ok") == "naïve café — ok"
    assert reveal("a\ufeffb") == "a⟨U+FEFF⟩b"


def test_failed_login_is_logged_without_the_password(db, caplog):
    factories.user("alice")
    with caplog.at_level(logging.WARNING, logger="debtboard.security"):
        Client().post(reverse("account_login"), {"login": "alice", "password": "wrong-horse"})
    assert any(
        "login_failed" in r.getMessage() and "alice" in r.getMessage() for r in caplog.records
    )
    assert not any("wrong-horse" in r.getMessage() for r in caplog.records)


def test_refusals_are_logged(team, repository, caplog):
    viewer = factories.member(team, Role.VIEWER)
    record = factories.record(repository)
    client = Client()
    client.force_login(viewer)
    with caplog.at_level(logging.WARNING, logger="debtboard.security"):
        response = client.post(reverse("decisions:record-triage", args=[record.pk]), {})
    assert response.status_code == 403
    assert any("forbidden" in r.getMessage() for r in caplog.records)
    assert "Not allowed" in response.content.decode()


def test_admin_login_goes_through_allauth(db):
    response = Client().get("/admin/login/")
    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_repeated_failed_logins_are_rate_limited(db):
    factories.user("bob")
    client = Client()
    codes = [
        client.post(reverse("account_login"), {"login": "bob", "password": "nope"}).status_code
        for _ in range(7)
    ]
    final = client.post(reverse("account_login"), {"login": "bob", "password": factories.PASSWORD})
    assert 429 in codes or "Too many" in final.content.decode()
