"""A kept record's page shows, in a real browser, the patch that keeps deptry quiet about it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from decisions import services
from decisions.models import DecisionRecord, NextAction
from inventory.models import Role
from scanning import services as scanning_services
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_kept_unused_package_shows_its_deptry_patch(
    page, live_server, sign_in, tmp_path, screenshot
):
    team = factories.team("Payments")
    lead = factories.member(team, Role.TRIAGER, username="lead")
    path = factories.git_repository(
        tmp_path / "billing-api",
        {
            "pyproject.toml": '[project]\nname = "billing"\nversion = "1"\n'
            'dependencies = ["requests", "six"]\n',
            "billing/__init__.py": "import requests\n",
        },
    )
    repository = factories.repository(team, location=str(path))
    run, _ = scanning_services.scan_run_create(repository=repository)
    services.repository_scan(repository_id=repository.pk, scan_run_id=run.pk)
    record = DecisionRecord.objects.get(repository=repository, kind="unused", subject="six")
    services.record_update(record=record, actor=lead, changes={"next_action": NextAction.KEEP})

    sign_in("lead")
    page.goto(f"{live_server.url}/records/{record.pk}/")

    panel = page.locator("#prevention")
    expect(panel.get_by_role("heading")).to_have_text("Stop deptry raising it again")
    expect(panel.locator("pre")).to_contain_text('+DEP002 = ["six"]')
    expect(panel.locator("pre")).to_contain_text("+[tool.deptry.per_rule_ignores]")
    screenshot("record-prevention")
    with page.expect_download() as download:
        panel.get_by_role("link", name="as one file").click()
    assert '+DEP002 = ["six"]' in Path(download.value.path()).read_text()
