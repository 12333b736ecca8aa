"""A team lead onboards repositories in the browser, without the Django admin."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from inventory.models import Repository, Role
from scanning.models import ScanRun
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_lead_pastes_repositories_and_sees_a_result_per_line(
    page: Page, live_server, sign_in, screenshot, settings, monkeypatch
):
    monkeypatch.setattr("decisions.tasks.scan_repository_task.delay", lambda *a, **k: None)
    settings.DEBTBOARD_ALLOW_LOCAL_REPOSITORIES = False
    team = factories.team("Payments")
    lead = factories.member(team, Role.TRIAGER, username="lead")
    sign_in(lead.username)
    page.get_by_role("link", name="Repositories").click()
    page.get_by_role("link", name="Add repositories").click()
    page.get_by_label("Or many at once, one a line").fill(
        "https://git.example.com/pay/ledger.git, Payments, main, 14, 24\n"
        "https://git.example.com/pay/ledger.git, Payments\n"
        "/srv/not/allowed\n"
    )
    page.get_by_role("button", name="Add and queue scans").click()
    results = page.locator("#results")
    expect(results).to_contain_text("1 added, 1 already there, 1 refused")
    expect(results).to_contain_text("Local paths are not allowed")
    screenshot("repositories-added")
    assert Repository.objects.filter(team=team, name="ledger").count() == 1
    assert ScanRun.objects.filter(repository__name="ledger").count() == 1

    page.get_by_role("link", name="follow their progress on the repository list").click()
    expect(page.get_by_role("status")).to_contain_text("1 scan queued or running")
    page.get_by_role("button", name="Pause").click()
    expect(page.locator("#repository-table")).to_contain_text("paused")
