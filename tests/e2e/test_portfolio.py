from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Page, expect

from decisions.models import DecisionRecord, NextAction, State
from inventory.models import Membership, Role
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_one_decision_for_a_package_across_teams_skips_what_is_not_ours(
    page: Page, live_server, sign_in, screenshot
):
    platform, data = factories.team("Platform"), factories.team("Data")
    lead = factories.member(platform, Role.TRIAGER, username="lead")
    Membership.objects.create(team=data, user=lead, role=Role.VIEWER)
    factories.member(platform, Role.OWNER, username="olivia")
    ours = [factories.record(factories.repository(platform), subject="requests") for _ in range(2)]
    theirs = factories.record(factories.repository(data), subject="requests")

    sign_in(lead.username)
    page.get_by_role("link", name="Portfolio").click()
    page.get_by_label("Package", exact=True).fill("requests")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="3 records in 2 teams")).to_be_visible()
    for record in ours:
        page.get_by_label(f"Select requests in {record.repository.name}").check()
    form = page.locator("#apply-form")
    form.get_by_label("Next action").select_option(label="Investigate")
    form.get_by_label("Justification").fill("Is the HTTP client still needed?")
    review = (datetime.date.today() + datetime.timedelta(days=21)).isoformat()
    form.get_by_label("Review date").fill(review)
    form.get_by_label("Owner in Platform").select_option(label="olivia")
    form.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_text("Decided (2)")).to_be_visible()
    # The list is fetched again and shows the new state of the decided records.
    expect(page.locator("#portfolio-results").get_by_role("cell", name="Triaged")).to_have_count(2)
    screenshot("portfolio-apply")

    for record in ours:
        record.refresh_from_db()
        assert (record.state, record.next_action) == (State.TRIAGED, NextAction.INVESTIGATE)
    theirs.refresh_from_db()
    assert theirs.state == State.NEW
    assert DecisionRecord.objects.filter(owner__username="olivia").count() == 2
