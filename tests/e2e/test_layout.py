"""Layout checks a real browser can make: a phone-wide window and a viewer's triage page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from inventory.models import Role
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_navigation_fits_a_390_px_wide_screen(page: Page, live_server, sign_in, screenshot):
    team = factories.team()
    lead = factories.member(team, Role.TRIAGER, username="narrow")
    factories.record(factories.repository(team), subject="pandas")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(lead.username)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    names = ("Triage", "My work", "Weekly review", "Portfolio", "Decision rules")
    for name in (*names, "Repositories", "API tokens"):
        link = page.get_by_role("navigation", name="Main").get_by_role("link", name=name)
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, name
    screenshot("narrow-triage")


def test_a_viewer_sees_no_bulk_bar(page: Page, live_server, sign_in):
    team = factories.team()
    viewer = factories.member(team, Role.VIEWER, username="reader")
    factories.record(factories.repository(team), subject="pandas")
    sign_in(viewer.username)
    expect(page.locator("#bulk-form")).to_have_count(0)
    expect(page.get_by_text("You can read and export these records")).to_be_visible()


def test_dashboard_fits_a_390_px_wide_screen(page: Page, live_server, sign_in):
    team = factories.team()
    lead = factories.member(team, Role.TRIAGER, username="narrow-charts")
    factories.record(factories.repository(team), subject="pandas")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(lead.username)
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.locator(".chart[aria-busy]")).to_have_count(0)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


@pytest.mark.parametrize("role", [Role.VIEWER, Role.TRIAGER])
def test_triage_rows_read_as_cards_on_a_390_px_wide_screen(page: Page, live_server, sign_in, role):
    team = factories.team()
    person = factories.member(team, role, username=f"phone-{role}")
    summary = "django 4.2.7 (requirements.txt:2): 11 advisories; upgrade to 4.2.16. " * 3
    record = factories.record(factories.repository(team), subject="django", summary=summary)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(person.username)
    row = page.locator(f"#record-{record.pk}")
    # What was found and what to do are read without scrolling the table sideways ...
    for part in (".summary", ".subject", ".decision"):
        box = row.locator(part).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, part
    # ... and a row is a card, not a column of words the width of one.
    assert row.bounding_box()["height"] < 500
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
