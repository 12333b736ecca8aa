from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from decisions.models import DecisionRecord, NextAction
from inventory.models import Role
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_triager_changes_next_action_and_it_persists(page: Page, live_server, sign_in, screenshot):
    team = factories.team("Platform")
    lead = factories.member(team, Role.TRIAGER, username="lead")
    repository = factories.repository(team)
    record = factories.record(repository, subject="pandas", summary="pandas is never imported")
    factories.record(repository, subject="boto3", kind="missing", summary="boto3 is undeclared")

    sign_in(lead.username)
    row = page.locator(f"#record-{record.pk}")
    row.get_by_label("Next action for pandas").select_option(NextAction.REMOVE)
    with page.expect_response(re.compile(r"/triage/$")):
        row.get_by_role("button", name="Save").click()
    expect(page.locator(f"#record-{record.pk} .state")).to_have_text("Triaged")

    screenshot("triage")

    page.reload()
    expect(page.get_by_label("Next action for pandas")).to_have_value(NextAction.REMOVE)
    record.refresh_from_db()
    assert record.next_action == NextAction.REMOVE
    assert record.events.filter(field="next_action", actor=lead).exists()


def test_viewer_sees_records_without_edit_controls(page: Page, live_server, sign_in):
    team = factories.team()
    viewer = factories.member(team, Role.VIEWER, username="watcher")
    factories.record(factories.repository(team), subject="leftpad")
    sign_in(viewer.username)
    expect(page.get_by_text("leftpad")).to_be_visible()
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    assert DecisionRecord.objects.count() == 1


def test_typing_a_repository_name_and_picking_a_suggestion_filters(
    page: Page, live_server, sign_in, screenshot
):
    team = factories.team("Platform")
    lead = factories.member(team, Role.TRIAGER, username="lead")
    billing = factories.repository(team, name="billing-api")
    factories.repository(team, name="billing-web")
    factories.repository(factories.team("Elsewhere"), name="billing-secret")
    factories.record(billing, subject="pandas", summary="pandas is never imported")
    factories.record(factories.repository(team, name="search"), subject="requests")

    sign_in(lead.username)
    expect(page.get_by_text("2 records")).to_be_visible()
    page.get_by_role("searchbox", name="Repository").press_sequentially("bill")
    suggestions = page.locator("#repository-suggestions")
    expect(suggestions.get_by_role("button")).to_have_count(2)
    expect(suggestions).not_to_contain_text("billing-secret")
    screenshot("repository-suggestions")
    suggestions.get_by_role("button", name="billing-api").click()

    expect(page.get_by_text("1 record", exact=True)).to_be_visible()
    expect(page.locator("#record-table")).to_contain_text("pandas")
    expect(page.locator("#record-table")).not_to_contain_text("requests")
    expect(page.get_by_role("searchbox", name="Repository")).to_have_value("billing-api")
    assert "repository=billing-api" in page.url
