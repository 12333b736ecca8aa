from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from decisions.models import MeetingItem, NextAction, ReviewMeeting, State
from inventory.models import Role
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_meeting_walks_three_items_and_saves_minutes(
    page: Page, live_server, sign_in, screenshot
):
    today = timezone.localdate()
    team = factories.team("Payments")
    lead = factories.member(team, Role.TRIAGER, username="lena")
    owner = factories.member(team, Role.OWNER, username="olivia")
    repository = factories.repository(team)
    due = factories.record(
        repository, subject="requests-toolbelt", owner=owner, review_date=today, impact=5
    )
    unclear = factories.record(
        repository,
        subject="pyyaml",
        owner=owner,
        next_action=NextAction.INVESTIGATE,
        review_date=today + datetime.timedelta(days=30),
    )
    unclaimed = factories.record(repository, subject="six")

    sign_in(lead.username)
    page.get_by_role("link", name="Weekly review").click()
    page.get_by_role("button", name="Show agenda").click()
    expect(page.locator("#agenda-preview")).to_contain_text("requests-toolbelt")
    page.get_by_role("button", name="Start meeting").click()
    expect(page.get_by_role("heading", name="Weekly review: Payments")).to_be_visible()

    item = page.locator("#meeting-item")
    expect(item).to_contain_text("Item 1 of 3")
    expect(item).to_contain_text("requests-toolbelt")
    item.get_by_label("Review date").fill((today + datetime.timedelta(days=14)).isoformat())
    item.get_by_label("Note").fill("Waiting for the billing team's answer.")
    item.get_by_role("button", name="Record").click()
    expect(item).to_contain_text("Recorded: review date")
    item.get_by_role("link", name="Next item →").click()

    expect(item).to_contain_text("Item 2 of 3")
    expect(item).to_contain_text("pyyaml")
    item.get_by_label("Decision").select_option(label="Keep")
    item.get_by_label("Comment (required to reject or keep)").fill("Config loader needs it.")
    item.get_by_role("button", name="Record").click()
    expect(item).to_contain_text("Recorded: Keep")
    item.get_by_role("link", name="Next item →").click()

    expect(item).to_contain_text("Item 3 of 3")
    item.get_by_label("Owner").select_option(label="olivia")
    item.get_by_role("button", name="Record").click()
    expect(item).to_contain_text("Recorded: owner → olivia")
    expect(page.locator("#agenda-entries .discussed")).to_have_count(3)

    page.get_by_label("olivia").check()
    page.get_by_role("textbox", name="Minutes").fill("Kept pyyaml; six goes to Olivia.")
    page.get_by_role("button", name="Save minutes").click()
    expect(page.get_by_text("Minutes saved.")).to_be_visible()
    screenshot("meeting")

    due.refresh_from_db()
    unclear.refresh_from_db()
    unclaimed.refresh_from_db()
    assert due.review_date == today + datetime.timedelta(days=14)
    assert unclear.state == State.KEPT
    assert unclaimed.owner == owner
    meeting = ReviewMeeting.objects.get()
    assert set(meeting.attendees.values_list("username", flat=True)) == {"lena", "olivia"}
    assert meeting.minutes == "Kept pyyaml; six goes to Olivia."
    assert MeetingItem.objects.filter(discussed_at__isnull=False).count() == 3


def test_the_item_being_discussed_survives_a_reload_and_the_back_button(
    page: Page, live_server, sign_in
):
    today = timezone.localdate()
    team = factories.team("Payments")
    lead = factories.member(team, Role.TRIAGER, username="lena")
    repository = factories.repository(team)
    for subject in ("alpha", "beta", "gamma"):
        factories.record(repository, subject=subject, review_date=today)

    sign_in(lead.username)
    page.get_by_role("link", name="Weekly review").click()
    page.get_by_role("button", name="Show agenda").click()
    page.get_by_role("button", name="Start meeting").click()
    item = page.locator("#meeting-item")
    expect(item).to_contain_text("Item 1 of 3")
    item.get_by_role("link", name="Next item →").click()
    expect(item).to_contain_text("Item 2 of 3")
    second = MeetingItem.objects.get(position=2)
    expect(page).to_have_url(re.compile(rf"\?item={second.pk}$"))

    page.reload()
    expect(item).to_contain_text("Item 2 of 3")

    page.locator("#agenda-entries").get_by_role("link", name=re.compile("gamma")).click()
    expect(item).to_contain_text("Item 3 of 3")
    page.go_back()
    expect(item).to_contain_text("Item 2 of 3")

    # Recording a decision keeps the item in the address too.
    item.get_by_label("Note").fill("Asked the owners.")
    item.get_by_role("button", name="Record").click()
    expect(item).to_contain_text("Note: Asked the owners.")
    expect(page).to_have_url(re.compile(rf"\?item={second.pk}$"))
    page.reload()
    expect(item).to_contain_text("Item 2 of 3")
