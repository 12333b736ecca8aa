"""Inventories of artifact stores against moto's S3 server over HTTP (never a patched client)."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from decisions import tasks
from decisions.models import DecisionEvent, DecisionRecord, Kind, State
from decisions.services import artifacts
from inventory.models import ArtifactStore
from scanning.artifacts import services as artifact_services
from scanning.artifacts.models import ArtifactVersion, InventoryStatus
from tests import factories, s3_server

KEYS = (s3_server.KEY_ID, s3_server.SECRET)


@pytest.fixture
def bucket(s3):
    name = f"ml-{uuid.uuid4().hex[:12]}"
    s3.client().create_bucket(Bucket=name)
    return name


@pytest.fixture
def any_age(settings):
    # moto stamps every object "now": with a minimum age of 0 every version is old enough.
    settings.DEBTBOARD_ARTIFACT_MIN_AGE_DAYS = 0


@pytest.fixture
def scanned_repository(repository):
    from scanning.models import ScanRun, ScanStatus

    ScanRun.objects.create(
        repository=repository, status=ScanStatus.SUCCEEDED, finished_at=timezone.now()
    )
    return repository


def stored_objects(store=None) -> list[list]:
    """Every stored object as [key, size, last modified, version id, is latest, class]."""
    versions = ArtifactVersion.objects.all() if store is None else store.artifact_versions.all()
    return [o for v in versions for o in v.object_list]


def put(s3, bucket: str, *keys: str, body: bytes = b"weights") -> None:
    client = s3.client()
    for key in keys:
        client.put_object(Bucket=bucket, Key=key, Body=body)


def store_for(repository, s3, bucket, **extra) -> ArtifactStore:
    fields = {"bucket": bucket, "endpoint_url": s3.endpoint, "credentials": KEYS}
    fields.update(extra)
    return factories.artifact_store(repository, **fields)


def inventory(store):
    run = artifacts.inventory_request(store=store)
    return artifacts.store_inventory(run_id=run.pk)


def test_listing_pages_past_a_thousand_objects(s3, bucket, scanned_repository):
    keys = [f"models/churn/v{n % 3}/part-{n:05d}.bin" for n in range(2345)]
    client = s3.client()
    for key in keys:
        client.put_object(Bucket=bucket, Key=key, Body=b"x")
    run = inventory(store_for(scanned_repository, s3, bucket, prefix="models/"))
    assert run.status == InventoryStatus.SUCCEEDED, run.error
    assert (run.objects_seen, run.pages) == (2345, 3)
    assert len(stored_objects()) == 2345
    sizes = dict(ArtifactVersion.objects.values_list("version", "objects_count"))
    assert sizes == {"v0": 782, "v1": 782, "v2": 781}


def test_versioned_buckets_list_every_object_version(s3, bucket, scanned_repository):
    client = s3.client()
    client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    put(s3, bucket, "churn/v1/model.pt", body=b"a" * 100)
    put(s3, bucket, "churn/v1/model.pt", body=b"b" * 40)
    put(s3, bucket, "churn/v2/model.pt")
    store = store_for(scanned_repository, s3, bucket)
    run = inventory(store)
    assert run.versioned
    objects = [o for o in stored_objects() if o[0] == "churn/v1/model.pt"]
    assert sorted((is_latest, size) for _, size, _, _, is_latest, _ in objects) == [
        (False, 100),
        (True, 40),
    ]
    assert all(version_id for _, _, _, version_id, _, _ in objects)
    version = ArtifactVersion.objects.get(version="v1")
    assert (version.size_bytes, version.noncurrent_bytes) == (140, 100)
    store.refresh_from_db()
    assert store.versioned


def test_keys_with_odd_characters_survive_listing(s3, bucket, scanned_repository):
    # (A newline in a key is valid S3, but moto's server cannot route it, so it is not here.)
    odd = [
        "churn/v1/wéird name+plus&amp%25?#.pt",
        "churn/v1/tab\tin name.pt",
        "churn/v1/a?b#c%25d&e+f=g;h.pt",
        "churn/v1/  spaces  .pt",
        "churn/v2/日本語.onnx",
    ]
    put(s3, bucket, *odd)
    inventory(store_for(scanned_repository, s3, bucket))
    assert sorted(o[0] for o in stored_objects()) == sorted(odd)


def test_access_denied_is_a_clear_error_and_keeps_the_previous_inventory(
    settings, scanned_repository, any_age
):
    settings.DEBTBOARD_ALLOW_PRIVATE_HOSTS = True
    # moto checks IAM after the first five requests: two users, one allowed everything on S3.
    with s3_server.running(no_auth_actions=5) as server:
        iam = server.iam()
        iam.create_user(UserName="reader")
        iam.put_user_policy(
            UserName="reader",
            PolicyName="s3",
            PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
            '"Action":"s3:*","Resource":"*"}]}',
        )
        reader = iam.create_access_key(UserName="reader")["AccessKey"]
        iam.create_user(UserName="nobody")
        nobody = iam.create_access_key(UserName="nobody")["AccessKey"]
        client = server.client(reader["AccessKeyId"], reader["SecretAccessKey"])
        client.create_bucket(Bucket="guarded")
        for key in ("churn/v1/m.pt", "churn/v2/m.pt"):
            client.put_object(Bucket="guarded", Key=key, Body=b"x")
        store = factories.artifact_store(
            scanned_repository,
            bucket="guarded",
            endpoint_url=server.endpoint,
            credentials=(reader["AccessKeyId"], reader["SecretAccessKey"]),
        )
        assert inventory(store).status == InventoryStatus.SUCCEEDED
        record = DecisionRecord.objects.get(kind=Kind.ARTIFACT_VERSION)

        store.set_credentials(nobody["AccessKeyId"], nobody["SecretAccessKey"])
        store.save()
        failed = inventory(store)

    assert failed.status == InventoryStatus.FAILED
    assert failed.error.startswith("Access denied listing s3://guarded/")
    assert nobody["SecretAccessKey"] not in failed.error
    assert ArtifactVersion.objects.filter(store=store).count() == 2
    assert len(stored_objects(store)) == 2
    record.refresh_from_db()
    assert record.state == State.NEW


def test_an_unreachable_endpoint_is_a_clear_error_and_keeps_everything(
    s3, bucket, scanned_repository, any_age
):
    put(s3, bucket, "churn/v1/m.pt", "churn/v2/m.pt")
    store = store_for(scanned_repository, s3, bucket)
    inventory(store)
    closed = f"http://127.0.0.1:{s3_server.free_port()}"
    store.endpoint_url = closed
    store.save()
    failed = inventory(store)
    assert failed.status == InventoryStatus.FAILED
    assert failed.error.startswith(f"Cannot reach {closed} to list s3://{bucket}/")
    assert ArtifactVersion.objects.filter(store=store).count() == 2
    assert DecisionRecord.objects.get(kind=Kind.ARTIFACT_VERSION).state == State.NEW
    store.refresh_from_db()
    assert store.next_inventory_at > timezone.now()


def test_a_store_that_changes_between_two_inventories(s3, bucket, scanned_repository, any_age):
    put(s3, bucket, "churn/v1/m.pt", "churn/v2/m.pt", "churn/v3/m.pt")
    store = store_for(scanned_repository, s3, bucket)
    inventory(store)
    records = DecisionRecord.objects.filter(kind=Kind.ARTIFACT_VERSION)
    root = f"s3://{bucket}/"
    assert set(records.values_list("subject", "state")) == {
        (f"{root}churn/v1/", State.NEW),
        (f"{root}churn/v2/", State.NEW),
    }

    s3.client().delete_object(Bucket=bucket, Key="churn/v1/m.pt")
    put(s3, bucket, "churn/v4/m.pt")
    run = inventory(store)
    assert set(ArtifactVersion.objects.values_list("version", flat=True)) == {"v2", "v3", "v4"}
    assert set(records.values_list("subject", "state")) == {
        (f"{root}churn/v1/", State.DONE),
        (f"{root}churn/v2/", State.NEW),
        (f"{root}churn/v3/", State.NEW),
    }
    gone = records.get(subject=f"{root}churn/v1/")
    assert gone.events.last().comment == "No longer in the store"
    assert run.candidates_count == 2
    assert run.reclaimable_bytes == 2 * len(b"weights")


def test_redelivered_inventory_task_changes_nothing(s3, bucket, scanned_repository, any_age):
    put(s3, bucket, "churn/v1/m.pt", "churn/v2/m.pt")
    run = artifacts.inventory_request(store=store_for(scanned_repository, s3, bucket))
    tasks.inventory_artifact_store_task(run.pk)
    tasks.inventory_artifact_store_task(run.pk)
    assert len(stored_objects()) == 2
    assert DecisionRecord.objects.filter(kind=Kind.ARTIFACT_VERSION).count() == 1
    assert DecisionEvent.objects.count() == 1


def test_without_a_successful_scan_of_every_repository_nothing_is_a_candidate(
    s3, bucket, scanned_repository, any_age
):
    factories.repository(scanned_repository.team)  # never scanned
    put(s3, bucket, "churn/v1/m.pt", "churn/v2/m.pt")
    run = inventory(store_for(scanned_repository, s3, bucket))
    assert run.status == InventoryStatus.SUCCEEDED
    assert run.candidates_count == 0
    assert run.evidence_note.startswith("No successful scan yet of repo-")
    assert not DecisionRecord.objects.filter(kind=Kind.ARTIFACT_VERSION).exists()


def test_a_loopback_endpoint_needs_private_hosts_allowed(s3, bucket, scanned_repository, settings):
    store = store_for(scanned_repository, s3, bucket)
    settings.DEBTBOARD_ALLOW_PRIVATE_HOSTS = False
    with pytest.raises(ValidationError, match="loopback"):
        store.full_clean()
    run = inventory(store)
    assert run.status == InventoryStatus.FAILED
    assert "loopback" in run.error
    assert not stored_objects()


def test_store_keys_are_encrypted_at_rest(s3, bucket, scanned_repository):
    store = store_for(scanned_repository, s3, bucket)
    raw = ArtifactStore.objects.values("access_key_id", "secret_access_key").get(pk=store.pk)
    assert s3_server.SECRET not in raw["secret_access_key"]
    assert s3_server.KEY_ID not in raw["access_key_id"]
    assert store.credentials() == KEYS


def test_the_records_repository_must_be_of_the_stores_team(repository):
    other = factories.repository(factories.team())
    store = ArtifactStore(team=repository.team, records_repository=other, bucket="ml-models")
    with pytest.raises(ValidationError, match="store's team"):
        store.full_clean()


def test_directory_stores_need_local_repositories_allowed(repository, settings, tmp_path):
    settings.DEBTBOARD_ALLOW_LOCAL_REPOSITORIES = False
    store = ArtifactStore(
        team=repository.team,
        records_repository=repository,
        kind="directory",
        directory=str(tmp_path),
    )
    with pytest.raises(ValidationError, match="DEBTBOARD_ALLOW_LOCAL_REPOSITORIES"):
        store.full_clean()


def test_a_directory_store_is_inventoried_with_file_times(scanned_repository, tmp_path, settings):
    settings.DEBTBOARD_ARTIFACT_MIN_AGE_DAYS = 180
    old = (timezone.now() - timedelta(days=400)).timestamp()
    young = (timezone.now() - timedelta(days=20)).timestamp()
    for name, when in (("v1", old), ("v2", old), ("v3", young), ("v4", old)):
        path = tmp_path / "churn" / name / "model.pt"
        path.parent.mkdir(parents=True)
        path.write_bytes(b"x" * 10)
        os.utime(path, (when, when))
    (tmp_path / "link").symlink_to("/etc")
    store = factories.artifact_store(
        scanned_repository, kind="directory", bucket="", directory=str(tmp_path)
    )
    run = inventory(store)
    assert run.status == InventoryStatus.SUCCEEDED, run.error
    verdicts = dict(ArtifactVersion.objects.values_list("version", "is_candidate"))
    # v4 is the highest version, v3 too young: only v1 and v2 may go.
    assert verdicts == {"v1": True, "v2": True, "v3": False, "v4": False}
    assert not [o for o in stored_objects() if o[0].startswith("link")]


def test_due_stores_are_queued_by_their_beat_task(s3, bucket, scanned_repository, settings):
    assert "inventory-due-artifact-stores" in settings.CELERY_BEAT_SCHEDULE
    store = store_for(scanned_repository, s3, bucket)
    later = factories.repository(scanned_repository.team)
    store_for(later, s3, bucket, next_inventory_at=timezone.now() + timedelta(days=1))
    assert tasks.inventory_due_artifact_stores_task() == 1
    assert tasks.inventory_due_artifact_stores_task() == 1  # the queued run is reused
    assert store.inventory_runs.count() == 1


def test_a_failed_run_can_be_followed_by_a_good_one(s3, bucket, scanned_repository, any_age):
    store = store_for(scanned_repository, s3, f"{bucket}-missing")
    failed = inventory(store)
    assert failed.status == InventoryStatus.FAILED
    assert "does not exist" in failed.error
    store.bucket = bucket
    store.save()
    put(s3, bucket, "churn/v1/m.pt")
    assert inventory(store).status == InventoryStatus.SUCCEEDED
    assert artifact_services.InventoryRun.objects.filter(store=store).count() == 2


def test_a_run_whose_worker_died_is_taken_over(
    s3, bucket, scanned_repository, any_age, django_capture_on_commit_callbacks
):
    put(s3, bucket, "churn/v1/m.pt", "churn/v2/m.pt")
    store = store_for(scanned_repository, s3, bucket)
    run = artifacts.inventory_request(store=store)
    assert artifact_services.inventory_run_claim(run_id=run.pk) is not None  # then it died
    with django_capture_on_commit_callbacks() as queued:
        assert artifacts.inventory_request(store=store) == run
    assert not queued  # still running recently: nothing queued again
    assert artifacts.store_inventory(run_id=run.pk) is None  # nor claimed by a duplicate
    artifact_services.InventoryRun.objects.filter(pk=run.pk).update(
        started_at=timezone.now() - artifact_services.STALE_AFTER - timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks() as queued:
        assert artifacts.inventory_request(store=store) == run
    assert len(queued) == 1
    assert artifacts.store_inventory(run_id=run.pk).status == InventoryStatus.SUCCEEDED


def test_nested_stores_of_one_records_repository_are_refused(repository):
    factories.artifact_store(repository, bucket="ml-models", prefix="models/")
    nested = ArtifactStore(
        team=repository.team,
        records_repository=repository,
        name="old models",
        bucket="ml-models",
        prefix="models/old",
    )
    with pytest.raises(ValidationError, match="overlaps the store"):
        nested.full_clean()
    nested.records_repository = factories.repository(repository.team)
    nested.full_clean()


def test_an_inventory_past_the_object_bound_fails_saying_so_and_keeps_the_last(
    s3, bucket, scanned_repository, any_age, settings
):
    put(s3, bucket, "churn/v1/m.pt", "churn/v2/m.pt")
    store = store_for(scanned_repository, s3, bucket)
    assert inventory(store).status == InventoryStatus.SUCCEEDED
    client = s3.client()
    for n in range(1200):
        client.put_object(Bucket=bucket, Key=f"churn/v3/part-{n:04d}.bin", Body=b"x")
    settings.DEBTBOARD_ARTIFACT_MAX_OBJECTS = 1100
    failed = inventory(store)
    assert failed.status == InventoryStatus.FAILED
    assert failed.error == (
        f"s3://{bucket}/ holds more than 1100 objects (DEBTBOARD_ARTIFACT_MAX_OBJECTS); "
        "narrow the store's prefix."
    )
    assert failed.pages == 1  # stopped at the page that went past the bound
    assert set(ArtifactVersion.objects.values_list("version", flat=True)) == {"v1", "v2"}
    assert DecisionRecord.objects.get(kind=Kind.ARTIFACT_VERSION).state == State.NEW


def test_listing_writes_its_progress_on_the_run_page_by_page(s3, bucket, scanned_repository):
    client = s3.client()
    for n in range(2001):
        client.put_object(Bucket=bucket, Key=f"churn/v1/part-{n:04d}.bin", Body=b"x")
    run = artifacts.inventory_request(store=store_for(scanned_repository, s3, bucket))
    claimed = artifact_services.inventory_run_claim(run_id=run.pk)
    artifact_services.inventory_run_collect(run=claimed)  # lists; stores nothing yet
    run.refresh_from_db()
    assert run.status == InventoryStatus.RUNNING
    assert (run.pages, run.objects_seen) == (3, 2001)
    assert run.progress_message == "Listed 2001 objects (3 pages)"
    assert not ArtifactVersion.objects.exists()


def test_costs_follow_the_configured_price(s3, bucket, scanned_repository, any_age, settings):
    settings.DEBTBOARD_ARTIFACT_PRICE_PER_GB_MONTH = 1024.0**3 / 1000  # $1 per 1,000 bytes
    put(s3, bucket, "churn/v1/m.pt", "churn/v2/m.pt", "churn/v3/m.pt", body=b"w" * 500)
    run = inventory(store_for(scanned_repository, s3, bucket))
    costs = dict(ArtifactVersion.objects.values_list("version", "monthly_cost"))
    assert costs == {"v1": 0.5, "v2": 0.5, "v3": 0.5}
    assert run.reclaimable_monthly_cost == 1.0
    assert "~$0.50/month" in DecisionRecord.objects.filter(kind=Kind.ARTIFACT_VERSION)[0].summary


def test_by_default_a_version_must_be_half_a_year_old(scanned_repository, tmp_path):
    ages = {"v1": 181, "v2": 179, "v3": 400, "v4": 10}
    for name, days in ages.items():
        path = tmp_path / "churn" / name / "model.pt"
        path.parent.mkdir(parents=True)
        path.write_bytes(b"x")
        when = (timezone.now() - timedelta(days=days)).timestamp()
        os.utime(path, (when, when))
    store = factories.artifact_store(
        scanned_repository, kind="directory", bucket="", directory=str(tmp_path)
    )
    inventory(store)
    verdicts = dict(ArtifactVersion.objects.values_list("version", "reason"))
    assert verdicts["v1"] == "no reference in the team's latest scans"
    assert verdicts["v2"] == "written less than 180 days ago"
    assert verdicts["v3"] == "no reference in the team's latest scans"
    assert verdicts["v4"] == "newest version of the model"
