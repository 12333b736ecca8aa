from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from decisions.services import artifacts
from inventory.models import Role
from scanning.artifacts.models import InventoryRun
from scanning.models import ScanRun, ScanStatus
from tests import factories, s3_server

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_lead_starts_an_inventory_and_watches_it_finish(
    page: Page, sign_in, screenshot, s3, settings
):
    settings.DEBTBOARD_ARTIFACT_MIN_AGE_DAYS = 0
    bucket = f"ml-{uuid.uuid4().hex[:12]}"
    client = s3.client()
    client.create_bucket(Bucket=bucket)
    for version in ("v1", "v2", "v3"):
        client.put_object(Bucket=bucket, Key=f"churn/{version}/model.pt", Body=b"w" * 2048)
    team = factories.team("ML platform")
    lead = factories.member(team, Role.TRIAGER, username="lena")
    repository = factories.repository(team)
    ScanRun.objects.create(repository=repository, status=ScanStatus.SUCCEEDED)
    store = factories.artifact_store(
        repository,
        name="model registry",
        bucket=bucket,
        endpoint_url=s3.endpoint,
        credentials=(s3_server.KEY_ID, s3_server.SECRET),
    )

    sign_in(lead.username)
    page.get_by_role("link", name="Artifacts").click()
    expect(page.get_by_role("link", name="model registry")).to_be_visible()
    page.get_by_role("button", name="Inventory now").click()
    expect(page.get_by_text("Status: Queued")).to_be_visible()

    # No worker runs in this test: run the queued task here; the open page polls and shows it.
    artifacts.store_inventory(run_id=InventoryRun.objects.get(store=store).pk)
    expect(page.get_by_text("Status: Succeeded")).to_be_visible(timeout=10_000)
    expect(page.get_by_text("2 candidates")).to_be_visible()
    screenshot("inventory-run")
    page.get_by_role("link", name="model registry").click()
    expect(page.get_by_role("link", name="record")).to_have_count(2)
    screenshot("artifact-store")
