from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from decisions.models import DecisionRecord, NextAction
from inventory.models import Role
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"


def _sign_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Login").fill(username)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Triage")).to_be_visible()


def test_triager_changes_next_action_and_it_persists(page: Page, live_server):
    team = factories.team("Platform")
    lead = factories.member(team, Role.TRIAGER, username="lead")
    repository = factories.repository(team)
    record = factories.record(repository, subject="pandas", summary="pandas is never imported")
    factories.record(repository, subject="boto3", kind="missing", summary="boto3 is undeclared")

    _sign_in(page, live_server, lead.username)
    row = page.locator(f"#record-{record.pk}")
    row.get_by_label("Next action for pandas").select_option(NextAction.REMOVE)
    with page.expect_response(re.compile(r"/triage/$")):
        row.get_by_role("button", name="Save").click()
    expect(page.locator(f"#record-{record.pk} .state")).to_have_text("Triaged")

    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "triage.png"), full_page=True)

    page.reload()
    expect(page.get_by_label("Next action for pandas")).to_have_value(NextAction.REMOVE)
    record.refresh_from_db()
    assert record.next_action == NextAction.REMOVE
    assert record.events.filter(field="next_action", actor=lead).exists()


def test_viewer_sees_records_without_edit_controls(page: Page, live_server):
    team = factories.team()
    viewer = factories.member(team, Role.VIEWER, username="watcher")
    factories.record(factories.repository(team), subject="leftpad")
    _sign_in(page, live_server, viewer.username)
    expect(page.get_by_text("leftpad")).to_be_visible()
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    assert DecisionRecord.objects.count() == 1
