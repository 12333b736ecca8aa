from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from decisions.models import Approval, DecisionRecord, NextAction, State
from inventory.models import Role
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_bulk_assigns_owner_and_review_date_to_selected_rows(
    page: Page, live_server, sign_in, screenshot
):
    team = factories.team("Platform")
    lead = factories.member(team, Role.TRIAGER, username="lead")
    owner = factories.member(team, Role.OWNER, username="olivia")
    repository = factories.repository(team)
    chosen = [factories.record(repository, subject=f"pkg-{n}") for n in range(3)]
    untouched = factories.record(repository, subject="zzz-left-alone")

    sign_in(lead.username)
    for record in chosen:
        page.get_by_label(f"Select {record.subject}").check()
    bulk = page.locator("#bulk-form")
    bulk.get_by_label("Owner").select_option(label="olivia")
    bulk.get_by_label("Review date").fill("2027-01-15")
    bulk.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_text("Updated 3 record(s).")).to_be_visible()
    screenshot("bulk")

    for record in chosen:
        record.refresh_from_db()
        assert record.owner == owner
        assert record.review_date.isoformat() == "2027-01-15"
    untouched.refresh_from_db()
    assert untouched.owner is None


def test_keyboard_moves_between_rows_and_opens_a_record(page: Page, live_server, sign_in):
    team = factories.team()
    lead = factories.member(team, Role.TRIAGER, username="keys")
    repository = factories.repository(team)
    factories.record(repository, subject="alpha")
    factories.record(repository, subject="beta")
    sign_in(lead.username)
    expect(page.locator("body")).to_have_attribute("data-keyboard", "on")
    rows = page.locator("#record-table tbody tr[data-href]")
    page.keyboard.press("j")
    page.keyboard.press("j")
    second = rows.nth(1)
    expect(second).to_have_class(re.compile("current"))
    subject = second.locator("td strong").inner_text()
    page.keyboard.press("n")
    expect(page.get_by_label(f"Next action for {subject}")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("k")
    expect(rows.nth(0)).to_have_class(re.compile("current"))
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile(subject))).to_be_visible()


def test_enter_on_a_rows_save_button_saves_instead_of_opening_the_record(
    page: Page, live_server, sign_in
):
    team = factories.team()
    lead = factories.member(team, Role.TRIAGER, username="enter")
    record = factories.record(factories.repository(team), subject="alpha")
    sign_in(lead.username)
    page.keyboard.press("j")
    page.keyboard.press("n")
    page.get_by_label("Next action for alpha").select_option(NextAction.REMOVE)
    save = page.locator(f"#record-{record.pk}").get_by_role("button", name="Save")
    save.focus()
    with page.expect_response(re.compile(r"/triage/$")):
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Triage")).to_be_visible()
    record.refresh_from_db()
    assert record.next_action == NextAction.REMOVE


def test_owner_approves_a_proposed_removal(page: Page, live_server, sign_in, screenshot):
    team = factories.team()
    lead = factories.member(team, Role.TRIAGER, username="lead2")
    owner = factories.member(team, Role.OWNER, username="owner2")
    repository = factories.repository(team)
    record = factories.record(
        repository,
        subject="pandas",
        state=State.TRIAGED,
        owner=owner,
        next_action=NextAction.ARCHIVE,
    )

    sign_in(lead.username)
    page.goto(f"{live_server.url}/records/{record.pk}/")
    page.get_by_role("button", name="Request approval").click()
    expect(page.locator(".state-tag")).to_have_text("Awaiting approval")
    expect(page.locator(".messages")).to_have_text(
        "pandas: approval of “Archive” requested from owner2."
    )
    page.get_by_role("button", name="Sign out").click()

    sign_in(owner.username)
    page.get_by_role("link", name="My work").click()
    page.get_by_role("link", name=re.compile("^Archive pandas$")).click()
    page.get_by_label("Comment (required to reject or keep)").fill("Nothing imports it; archive.")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".state-tag")).to_have_text("Approved")
    expect(page.locator(".messages")).to_contain_text("“Archive” approved.")
    expect(page.locator("#approval-panel")).to_contain_text("Approved by owner2")
    screenshot("approval")

    record.refresh_from_db()
    assert record.state == State.APPROVED
    assert Approval.objects.get(record=record).comment == "Nothing imports it; archive."
    assert DecisionRecord.objects.get(pk=record.pk).proposed_by == lead
