"""Artifact-store pages, the run page, the plan downloads, the dashboard and the admin form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from decisions import charts
from decisions.models import DecisionRecord, Kind, State
from decisions.selectors import artifacts as artifact_selectors
from decisions.selectors import dashboard
from inventory.forms_artifacts import ArtifactStoreAdminForm
from inventory.models import ArtifactStore, Role
from scanning.artifacts.models import ArtifactVersion, InventoryRun, InventoryStatus
from tests import factories

GB = 1024**3


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def store(repository):
    return factories.artifact_store(repository, bucket="ml-models", prefix="models/")


@pytest.fixture
def inventoried(store):
    run = InventoryRun.objects.create(
        store=store,
        status=InventoryStatus.SUCCEEDED,
        objects_seen=3,
        pages=1,
        candidates_count=1,
        reclaimable_bytes=2 * GB,
        finished_at=timezone.now(),
    )
    for version, candidate in (("v1", True), ("v2", False)):
        ArtifactVersion.objects.create(
            store=store,
            inventory_run=run,
            model="churn",
            version=version,
            prefix=f"churn/{version}/",
            layout="folder",
            objects_count=1,
            size_bytes=2 * GB,
            last_modified=timezone.now() - timedelta(days=400),
            is_candidate=candidate,
            monthly_cost=0.046,
            reason="no reference" if candidate else "newest version of the model",
        )
    return run


def test_members_see_their_stores_and_outsiders_get_nothing(viewer, store, inventoried):
    page = client_for(viewer).get(reverse("decisions:artifact-store-list")).content.decode()
    assert store.name in page and "2.0\xa0GB" in page
    assert "Inventory now" not in page  # a viewer starts nothing
    outsider = factories.member(factories.team(), Role.ADMIN)
    client = client_for(outsider)
    assert store.name not in client.get(reverse("decisions:artifact-store-list")).content.decode()
    for url in (
        reverse("decisions:artifact-store", args=[store.pk]),
        reverse("decisions:inventory-run", args=[inventoried.pk]),
        reverse("decisions:artifact-store-plan", args=[store.pk, "csv"]),
        reverse("decisions:artifact-store-plan", args=[store.pk, "tags.csv"]),
    ):
        assert client.get(url).status_code == 404


def test_the_store_page_lists_candidates_first_with_their_record(triager, store, inventoried):
    record = DecisionRecord.objects.create(
        repository=store.records_repository,
        subject="s3://ml-models/models/churn/v1/",
        kind=Kind.ARTIFACT_VERSION,
    )
    page = client_for(triager).get(reverse("decisions:artifact-store", args=[store.pk]))
    body = page.content.decode()
    assert body.index("<code>v1</code>") < body.index("<code>v2</code>")
    assert reverse("decisions:record-detail", args=[record.pk]) in body
    assert "Inventory now" in body


def test_a_version_no_longer_a_candidate_still_leads_to_its_record(triager, store, inventoried):
    reopened = DecisionRecord.objects.create(
        repository=store.records_repository,
        subject="s3://ml-models/models/churn/v2/",
        kind=Kind.ARTIFACT_VERSION,
        state=State.REOPENED,
    )
    page = client_for(triager).get(reverse("decisions:artifact-store", args=[store.pk]))
    row = page.content.decode().split("<code>v2</code>")[1].split("</tr>")[0]
    assert "not a candidate: newest version of the model" in row
    assert reverse("decisions:record-detail", args=[reopened.pk]) in row
    assert "(reopened)" in row


def test_only_editors_start_an_inventory(viewer, triager, store):
    url = reverse("decisions:artifact-store-inventory", args=[store.pk])
    assert client_for(viewer).post(url).status_code == 403
    assert not InventoryRun.objects.exists()
    response = client_for(triager).post(url)
    run = InventoryRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("decisions:inventory-run", args=[run.pk])
    assert run.requested_by == triager


def test_the_run_page_polls_while_running_and_shows_failures(viewer, store):
    run = InventoryRun.objects.create(
        store=store, status=InventoryStatus.RUNNING, objects_seen=4000, pages=4
    )
    url = reverse("decisions:inventory-run", args=[run.pk])
    fragment = client_for(viewer).get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment
    assert 'hx-trigger="every 1s"' in fragment and "4000 objects listed in 4 pages" in fragment
    InventoryRun.objects.filter(pk=run.pk).update(
        status=InventoryStatus.FAILED, error="Access denied listing s3://ml-models/models/."
    )
    page = client_for(viewer).get(url).content.decode()
    assert "hx-trigger" not in page.split('id="inventory-status"')[1].split(">")[0]
    assert "Access denied listing s3://ml-models/models/." in page
    assert "previous inventory and its records are unchanged" in page


def test_a_finished_run_says_who_queued_it_and_when_it_ran(viewer, triager, store):
    started = timezone.now() - timedelta(minutes=3)
    run = InventoryRun.objects.create(
        store=store,
        requested_by=triager,
        status=InventoryStatus.FAILED,
        progress_message="Failed",
        error="Cannot reach http://127.0.0.1:9 to list s3://ml-models/models/: refused",
        started_at=started,
        finished_at=started + timedelta(minutes=2),
    )
    page = client_for(viewer).get(reverse("decisions:inventory-run", args=[run.pk]))
    text = " ".join(page.content.decode().split())
    assert "Status:</strong> Failed</p>" in text  # not "Failed — Failed"
    assert f"by {triager.username}" in text and "(120.0 s)" in text
    assert "list s3://ml-models/models/: refused</p>" in text
    assert "<p>The previous inventory and its records are unchanged.</p>" in text
    InventoryRun.objects.filter(pk=run.pk).update(requested_by=None)
    page = client_for(viewer).get(reverse("decisions:inventory-run", args=[run.pk]))
    assert "by the schedule" in page.content.decode()


def test_plan_downloads_are_attachments(viewer, store, inventoried):
    DecisionRecord.objects.create(
        repository=store.records_repository,
        subject="s3://ml-models/models/churn/v1/",
        kind=Kind.ARTIFACT_VERSION,
        state=State.APPROVED,
    )
    client = client_for(viewer)
    csv_response = client.get(reverse("decisions:artifact-store-plan", args=[store.pk, "csv"]))
    assert csv_response["Content-Disposition"].endswith('-deletion-plan.csv"')
    assert "models/churn/v1/" in csv_response.content.decode()
    json_response = client.get(reverse("decisions:artifact-store-plan", args=[store.pk, "json"]))
    assert json_response.json()["Rules"][0]["Filter"] == {"Prefix": "models/churn/v1/"}
    tags = client.get(reverse("decisions:artifact-store-plan", args=[store.pk, "tags.csv"]))
    assert tags["Content-Disposition"].endswith('-deletion-plan.tags.csv"')
    # An exact prefix rule needs no tags: only the header.
    assert tags.content.decode().splitlines() == ["bucket,key,version_id,tag"]
    page = client.get(reverse("decisions:artifact-store", args=[store.pk])).content.decode()
    assert reverse("decisions:artifact-store-plan", args=[store.pk, "tags.csv"]) in page


def test_reclaimable_storage_per_team_and_over_time(viewer, store, inventoried):
    table = artifact_selectors.reclaimable_by_team(user=viewer)
    assert table.rows == [[store.team.name, 2.0, 0.05, 1]]
    older = InventoryRun.objects.create(
        store=store,
        status=InventoryStatus.SUCCEEDED,
        reclaimable_bytes=GB,
    )
    InventoryRun.objects.filter(pk=older.pk).update(finished_at=timezone.now() - timedelta(days=14))
    days = dashboard.sample_days(end=timezone.localdate(), weeks=3)
    series = artifact_selectors.reclaimable_over_time(user=viewer, days=days)
    assert series.lines == {store.team.name: [0, 1.0, 1.0, 2.0]}
    chart = charts.reclaimable_by_team(user=viewer, team=None)
    assert chart.rows == table.rows
    outsider = factories.member(factories.team(), Role.ADMIN)
    assert artifact_selectors.reclaimable_by_team(user=outsider).rows == []


def test_admin_form_keeps_keys_write_only_and_encrypted(repository):
    data = {
        "team": repository.team.pk,
        "name": "models",
        "kind": "s3",
        "bucket": "ml-models",
        "endpoint_url": "https://minio.example.com",
        "records_repository": repository.pk,
        "inventory_interval_hours": 24,
        "is_active": "on",
        "access_key": "AKIAEXAMPLE",
        "secret_key": "s3cr3t-value",
    }
    form = ArtifactStoreAdminForm(data)
    assert form.is_valid(), form.errors
    store = form.save()
    assert store.credentials() == ("AKIAEXAMPLE", "s3cr3t-value")
    assert (
        "s3cr3t-value"
        not in ArtifactStore.objects.values("secret_access_key").get()["secret_access_key"]
    )
    assert "s3cr3t-value" not in str(ArtifactStoreAdminForm(instance=store))
    moved_data = {**data, "access_key": "", "secret_key": "", "endpoint_url": "https://e.example"}
    moved = ArtifactStoreAdminForm(moved_data, instance=store)
    assert not moved.is_valid()
    assert "give the keys again" in str(moved.errors)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("bucket", "Not_A Bucket", "bucket name"),
        ("endpoint_url", "ftp://minio.example.com", "http:// or https://"),
        ("endpoint_url", "https://user:pw@minio.example.com", "may not carry credentials"),
        ("endpoint_url", "http://169.254.169.254", "link-local"),
    ],
)
def test_bad_store_settings_are_refused_clearly(repository, field, value, message):
    store = ArtifactStore(team=repository.team, records_repository=repository, bucket="ml-models")
    setattr(store, field, value)
    with pytest.raises(Exception, match=message):
        store.full_clean()


def test_an_artifact_version_record_opens_and_lists_like_any_record(triager, store, inventoried):
    record = DecisionRecord.objects.create(
        repository=store.records_repository,
        subject="s3://ml-models/models/churn/v1/",
        kind=Kind.ARTIFACT_VERSION,
        summary="churn v1: 1 objects, 2.0 GB",
    )
    client = client_for(triager)
    page = client.get(reverse("decisions:record-detail", args=[record.pk]))
    assert page.status_code == 200
    assert "s3://ml-models/models/churn/v1/" in page.content.decode()
    listed = client.get(reverse("decisions:record-list"), {"kind": Kind.ARTIFACT_VERSION})
    assert "s3://ml-models/models/churn/v1/" in listed.content.decode()
