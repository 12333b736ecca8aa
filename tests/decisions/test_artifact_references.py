"""References found by scans decide which stored model versions are used (moto's S3 server)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import uuid
from pathlib import Path

import pytest

from decisions import services
from decisions.models import DecisionRecord, Kind, NextAction, Notification, State
from decisions.services import artifacts
from inventory.models import Role
from scanning import services as scanning_services
from scanning.artifacts import references
from scanning.artifacts.models import ArtifactVersion
from scanning.models import Evidence
from tests import factories, s3_server

SERVING = (
    "kind: Deployment\nspec:\n  template:\n    env:\n"
    "      - value: s3://{bucket}/models/churn/v2/\n"
)


@pytest.fixture
def bucket(s3, settings):
    settings.DEBTBOARD_ARTIFACT_MIN_AGE_DAYS = 0  # moto stamps objects "now"
    name = f"ml-{uuid.uuid4().hex[:12]}"
    client = s3.client()
    client.create_bucket(Bucket=name)
    for version in ("v1", "v2", "v3", "v4"):
        client.put_object(Bucket=name, Key=f"models/churn/{version}/model.pt", Body=b"w" * 1000)
    return name


@pytest.fixture
def repository_on_disk(tmp_path, team, bucket):
    path = factories.git_repository(
        tmp_path / "serving",
        {
            "requirements.txt": "boto3==1.0\n",
            "app/load.py": f'import boto3\nMODEL = "s3://{bucket}/models/churn/v1/model.pt"\n',
            "deploy/churn.yaml": SERVING.format(bucket=bucket),
        },
    )
    return factories.repository(team, location=str(path))


def scan(repository):
    run, _ = scanning_services.scan_run_create(repository=repository)
    return services.repository_scan(repository_id=repository.pk, scan_run_id=run.pk)


def commit(path, name: str, text: str) -> None:
    (path / name).parent.mkdir(parents=True, exist_ok=True)
    (path / name).write_text(text)
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "add", "-A"], cwd=path, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "change"], cwd=path, check=True)


def inventory(store):
    run = artifacts.inventory_request(store=store)
    return artifacts.store_inventory(run_id=run.pk)


@pytest.fixture
def store(s3, bucket, repository_on_disk):
    return factories.artifact_store(
        repository_on_disk,
        bucket=bucket,
        endpoint_url=s3.endpoint,
        credentials=(s3_server.KEY_ID, s3_server.SECRET),
    )


def test_a_scan_stores_artifact_references_with_path_line_and_serving(repository_on_disk, bucket):
    run = scan(repository_on_disk)
    rows = set(
        Evidence.objects.filter(scan_run=run, kind=references.KIND).values_list(
            "detail", "path", "line", "mode"
        )
    )
    assert rows == {
        (f"s3://{bucket}/models/churn/v1/model.pt", "app/load.py", 2, "web"),
        (f"s3://{bucket}/models/churn/v2/", "deploy/churn.yaml", 5, "serving"),
    }


def test_referenced_and_served_versions_are_kept_and_the_rest_become_records(
    repository_on_disk, store, bucket
):
    scan(repository_on_disk)
    run = inventory(store)
    verdicts = {
        v.version: (v.is_candidate, v.serving, v.reason) for v in ArtifactVersion.objects.all()
    }
    assert verdicts["v1"] == (False, False, "referenced at app/load.py:2")
    assert verdicts["v2"] == (False, True, "served at deploy/churn.yaml:5")
    assert verdicts["v3"][0] is True
    assert verdicts["v4"] == (False, False, "newest version of the model")
    (record,) = DecisionRecord.objects.filter(kind=Kind.ARTIFACT_VERSION)
    assert record.subject == f"s3://{bucket}/models/churn/v3/"
    assert record.repository == repository_on_disk
    assert "1000 B" in record.summary and "1 objects" in record.summary
    assert record.summary.count("last written") == 1
    assert record.summary.endswith("; no reference in the team's latest scans")
    assert run.reclaimable_bytes == 1000
    v1 = ArtifactVersion.objects.get(version="v1")
    assert v1.references[0]["repository"] == repository_on_disk.name


def test_package_scans_leave_artifact_records_alone(repository_on_disk, store):
    scan(repository_on_disk)
    inventory(store)
    scan(repository_on_disk)  # records_reconcile sees no artifact finding: must not close it
    assert DecisionRecord.objects.get(kind=Kind.ARTIFACT_VERSION).state == State.NEW


def test_a_reference_that_appears_again_reopens_the_approved_record(
    repository_on_disk, store, bucket, django_capture_on_commit_callbacks
):
    owner = factories.member(repository_on_disk.team, Role.OWNER)
    lead = factories.member(repository_on_disk.team, Role.TRIAGER)
    scan(repository_on_disk)
    inventory(store)
    record = DecisionRecord.objects.get(kind=Kind.ARTIFACT_VERSION)
    services.record_update(
        record=record,
        actor=lead,
        changes={"owner": owner, "next_action": NextAction.ARCHIVE},
    )
    for actor, move in ((lead, "propose"), (owner, "approve"), (owner, "start-window")):
        record = services.record_move(record=record, actor=actor, move=move)
    assert record.state == State.IN_REVIEW_WINDOW

    plan = artifacts.plan_lifecycle_json(store=store)
    (rule,) = json.loads(plan)["Rules"]
    assert rule["Filter"] == {"Prefix": "models/churn/v3/"}
    assert rule["Expiration"] == {"Date": f"{record.review_window_end.isoformat()}T00:00:00Z"}

    commit(
        Path(repository_on_disk.location),
        "notebooks/compare.ipynb",
        json.dumps({"cells": [{"source": [f"load('s3://{bucket}/models/churn/v3/model.pt')"]}]}),
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        scan(repository_on_disk)
    assert callbacks, "the scan queues a re-evaluation of the team's stores"
    artifacts.store_reevaluate(store_id=store.pk)  # what the queued task runs
    record.refresh_from_db()
    assert record.state == State.REOPENED
    assert "referenced again" in record.events.last().comment
    assert Notification.objects.filter(
        user=owner, record=record, kind=Notification.Kind.WATCH_SIGNAL
    ).exists()
    assert artifacts.plan_items(store=store) == []


def test_the_plan_csv_lists_only_approved_versions_and_neutralises_formulas(
    repository_on_disk, store
):
    scan(repository_on_disk)
    inventory(store)
    record = DecisionRecord.objects.get(kind=Kind.ARTIFACT_VERSION)
    assert list(csv.reader(io.StringIO(artifacts.plan_csv(store=store)))) == [
        list(artifacts.plan.CSV_COLUMNS)
    ]
    DecisionRecord.objects.filter(pk=record.pk).update(state=State.APPROVED)
    ArtifactVersion.objects.filter(version="v3").update(model="=HYPERLINK(1)")
    header, row = csv.reader(io.StringIO(artifacts.plan_csv(store=store)))
    values = dict(zip(header, row, strict=True))
    assert values["prefix"] == "models/churn/v3/"
    assert values["size_bytes"] == "1000"
    assert values["model"] == "'=HYPERLINK(1)"
    assert values["first_move"] == "transition to GLACIER_IR"


def test_nothing_in_the_bucket_changes_and_the_owner_can_apply_the_plan(
    s3, repository_on_disk, store, bucket
):
    client = s3.client()

    def contents():
        listed = client.list_objects_v2(Bucket=bucket)["Contents"]
        return sorted((o["Key"], o["Size"], o["ETag"], o["LastModified"]) for o in listed)

    before = contents()
    owner = factories.member(repository_on_disk.team, Role.OWNER)
    lead = factories.member(repository_on_disk.team, Role.TRIAGER)
    scan(repository_on_disk)
    inventory(store)
    record = DecisionRecord.objects.get(kind=Kind.ARTIFACT_VERSION)
    assert "debtboard-plan tags first" in record.first_reversible_move
    assert "Remove the version's lifecycle rule" in record.rollback_notes
    services.record_update(
        record=record, actor=lead, changes={"owner": owner, "next_action": NextAction.REMOVE}
    )
    for actor, move in ((lead, "propose"), (owner, "approve"), (owner, "start-window")):
        record = services.record_move(record=record, actor=actor, move=move)
    plan = json.loads(artifacts.plan_lifecycle_json(store=store))
    artifacts.plan_csv(store=store)
    inventory(store)
    assert contents() == before  # Debtboard only listed: nothing moved, tagged or deleted
    with pytest.raises(client.exceptions.ClientError, match="NoSuchLifecycleConfiguration"):
        client.get_bucket_lifecycle_configuration(Bucket=bucket)

    client.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=plan)
    (applied,) = client.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert applied["Filter"] == {"Prefix": "models/churn/v3/"}
    assert applied["Transitions"][0]["StorageClass"] == "GLACIER_IR"
    assert applied["Expiration"]["Date"].date() == record.review_window_end


def test_a_version_that_is_a_candidate_again_reopens_its_closed_record(
    repository_on_disk, store, bucket
):
    scan(repository_on_disk)
    inventory(store)
    record = DecisionRecord.objects.get(kind=Kind.ARTIFACT_VERSION)
    path = Path(repository_on_disk.location)
    commit(path, "app/compare.py", f'OLD = "s3://{bucket}/models/churn/v3/model.pt"\n')
    scan(repository_on_disk)
    artifacts.store_reevaluate(store_id=store.pk)
    record.refresh_from_db()
    assert record.state == State.DONE  # untouched and used again: closed by itself

    (path / "app/compare.py").unlink()
    commit(path, "app/__init__.py", "")
    scan(repository_on_disk)
    artifacts.store_reevaluate(store_id=store.pk)
    record.refresh_from_db()
    assert record.state == State.REOPENED
    assert record.events.last().comment.startswith("Candidate again: no reference")
    assert DecisionRecord.objects.filter(kind=Kind.ARTIFACT_VERSION).count() == 1


def test_the_record_page_shows_what_the_verdict_rests_on(repository_on_disk, store, bucket):
    from django.test import Client
    from django.urls import reverse

    lead = factories.member(repository_on_disk.team, Role.TRIAGER)
    client = Client()
    client.force_login(lead)
    scan_run = scan(repository_on_disk)
    run = inventory(store)
    record = DecisionRecord.objects.get(kind=Kind.ARTIFACT_VERSION)
    url = reverse("decisions:record-detail", args=[record.pk])
    page = client.get(url).content.decode()
    checks = page.split('id="checks"')[1].split("</section>")[0]
    assert reverse("decisions:artifact-store", args=[store.pk]) in checks
    assert reverse("decisions:inventory-run", args=[run.pk]) in checks
    assert "<code>models/churn/v3/model.pt</code> 1000" in checks
    assert "None in the scans below." in checks
    assert reverse("scanning:scan-detail", args=[scan_run.pk]) in checks
    assert "Retire this model version" in page

    commit(
        Path(repository_on_disk.location),
        "app/compare.py",
        f'OLD = "s3://{bucket}/models/churn/v3/model.pt"\n',
    )
    scan(repository_on_disk)
    artifacts.store_reevaluate(store_id=store.pk)
    page = client.get(url).content.decode()
    assert f"<code>{repository_on_disk.name}:app/compare.py:1</code> (web)" in page
    assert "Keep this model version" in page
    assert "It is not a candidate now: referenced at app/compare.py:1." in page


def test_the_dashboard_follows_a_re_evaluation_after_a_scan(repository_on_disk, store, bucket):
    from django.utils import timezone

    from decisions.selectors import artifacts as artifact_selectors
    from decisions.selectors import dashboard

    lead = factories.member(repository_on_disk.team, Role.TRIAGER)
    scan(repository_on_disk)
    run = inventory(store)
    assert (run.candidates_count, run.reclaimable_bytes) == (1, 1000)
    commit(
        Path(repository_on_disk.location),
        "app/compare.py",
        f'OLD = "s3://{bucket}/models/churn/v3/model.pt"\n',
    )
    scan(repository_on_disk)
    artifacts.store_reevaluate(store_id=store.pk)
    run.refresh_from_db()
    assert (run.candidates_count, run.reclaimable_bytes, run.reclaimable_monthly_cost) == (0, 0, 0)
    assert artifact_selectors.reclaimable_by_team(user=lead).rows == []
    days = dashboard.sample_days(end=timezone.localdate(), weeks=1)
    series = artifact_selectors.reclaimable_over_time(user=lead, days=days)
    assert series.lines[repository_on_disk.team.name][-1] == 0
