"""The record page in a real browser: the four record shapes a team lead decides on."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from decisions import services
from decisions.models import DecisionRecord, State
from inventory.models import Role
from scanning import services as scanning_services
from tests import factories
from tests.scanning.advisories.support import PYPA_FIXTURE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scanned(tmp_path, settings):
    settings.DEBTBOARD_WEIGHT_FILE_MB = 1
    call_command("sync_advisories", str(PYPA_FIXTURE), verbosity=0)
    team = factories.team("Payments")
    lead = factories.member(team, Role.TRIAGER, username="lead")
    factories.member(team, Role.OWNER, username="olivia")
    path = factories.git_repository(
        tmp_path / "billing-api",
        {
            "requirements.txt": "pandas==2.1.0\nrequests==2.30.0\ndjango==4.2.1\n",
            "billing/__init__.py": "",
            "billing/views.py": "import django\nimport boto3\n",
            "billing/integrations/__init__.py": "",
            "billing/integrations/storage_uploads.py": "import boto3\n",
            "tests/test_views.py": "import billing.views\n",
        },
    )
    (path / "models").mkdir()
    (path / "models" / "classifier.pt").write_bytes(b"\0" * (1024 * 1024 + 1))
    factories.git_repository(path, {})  # commit the weight file too
    repository = factories.repository(team, location=str(path))
    repository.name = "billing-api"
    repository.save()
    run, _ = scanning_services.scan_run_create(repository=repository)
    services.repository_scan(repository_id=repository.pk, scan_run_id=run.pk)
    return lead, repository


def _open(page: Page, live_server, repository, kind: str, subject: str) -> DecisionRecord:
    record = DecisionRecord.objects.get(repository=repository, kind=kind, subject=subject)
    page.goto(f"{live_server.url}/records/{record.pk}/")
    return record


def test_record_pages_lead_to_a_decision(page: Page, live_server, sign_in, screenshot, scanned):
    lead, repository = scanned
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(lead.username)

    _open(page, live_server, repository, "unused", "pandas")
    expect(page.locator("#advice h2")).to_have_text("What we suggest: Remove pandas")
    expect(page.locator("#checks")).to_contain_text("Import names looked for")
    screenshot("record-unused")

    _open(page, live_server, repository, "missing", "boto3")
    expect(page.locator("#advice h2")).to_have_text("What we suggest: Declare boto3")
    expect(page.locator(".line-to-add")).to_have_text("boto3")
    screenshot("record-missing")

    _open(page, live_server, repository, "vulnerable", "requests")
    expect(page.locator("#advice h2")).to_have_text("What we suggest: Remove requests")
    expect(page.locator("h1 .sibling")).to_have_text(re.compile("Unused"))
    screenshot("record-vulnerable")

    _open(page, live_server, repository, "weight-file", "models/classifier.pt")
    expect(page.locator("#advice h2")).to_contain_text("Move models/classifier.pt out of git")
    screenshot("record-weight-file")


def test_saving_refreshes_state_and_history_and_asks_mode_notes_only_for_remove(
    page: Page, live_server, sign_in, scanned
):
    lead, repository = scanned
    sign_in(lead.username)
    record = _open(page, live_server, repository, "unused", "pandas")
    expect(page.get_by_role("button", name="Mark triaged")).to_be_visible()
    expect(page.locator("#mode-notes")).to_be_hidden()
    page.locator("#id_next_action").select_option("remove")
    expect(page.locator("#mode-notes")).to_be_hidden()  # every mode of this repo was read
    page.locator("#id_owner").select_option(label="olivia")
    page.locator("#id_review_date").fill("2027-02-01")
    page.get_by_role("button", name="Save record").click()
    expect(page.get_by_role("status")).to_have_text(
        "Saved owner, next action and review date; the record is now triaged."
    )
    expect(page.locator(".state-tag")).to_have_text("Triaged")
    expect(page.get_by_role("button", name="Mark triaged")).to_have_count(0)
    expect(page.locator("#history")).to_contain_text("olivia")
    # The refreshed panel's buttons work: no stale move left to give a 403.
    page.get_by_role("button", name="Request approval").click()
    expect(page.locator(".state-tag")).to_have_text("Awaiting approval")
    record.refresh_from_db()
    assert record.state == State.AWAITING_APPROVAL and record.owner.username == "olivia"


def test_on_a_phone_the_page_reads_suggestion_checks_then_decision(
    page: Page, live_server, sign_in, scanned
):
    lead, repository = scanned
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(lead.username)
    _open(page, live_server, repository, "unused", "pandas")
    tops = [
        page.get_by_role("heading", name=name, exact=exact).bounding_box()["y"]
        for name, exact in (
            ("What we suggest: Remove pandas", True),
            ("What was checked", True),
            ("Decision", True),
            ("Workflow", True),
            ("History", True),
        )
    ]
    assert tops == sorted(tops), tops
    expect(page.get_by_role("complementary")).to_have_count(1)  # the aside is still one
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    # Where it is used reads whole, without scrolling the table sideways.
    _open(page, live_server, repository, "missing", "boto3")
    expect(page.locator("table.modes")).to_contain_text("storage_uploads.py:1")
    hidden = page.evaluate(
        "(() => { const t = document.querySelector('table.modes');"
        " return t.scrollWidth - t.clientWidth; })()"
    )
    assert hidden <= 0
