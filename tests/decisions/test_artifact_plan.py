"""A deletion plan of more than 1,000 versions, applied to moto's S3 server as an owner would."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from decisions.models import DecisionRecord, Kind, State
from decisions.services import artifacts
from inventory.models import Role
from scanning.artifacts import plan
from scanning.models import ScanRun, ScanStatus
from tests import factories, s3_server

MODELS, VERSIONS = 22, 53  # 1,166 versions; per model the newest is kept
# A run that MLflow's layout groups inside a planned version folder: a version of its own,
# the newest of its model, so never planned; a prefix rule on models/m0/v1/ would reach it.
INSIDE = "models/m0/v1/mlruns/3/run1/artifacts/model.pt"


def test_a_plan_past_a_thousand_versions_is_taken_by_s3_and_reaches_only_planned_objects(
    s3, team, client, settings
):
    settings.DEBTBOARD_ARTIFACT_MIN_AGE_DAYS = 0  # moto stamps objects "now"
    bucket = f"ml-{uuid.uuid4().hex[:12]}"
    s3c = s3.client()
    s3c.create_bucket(Bucket=bucket)
    s3c.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    keys = [f"models/m{m}/v{v}/w.bin" for m in range(MODELS) for v in range(VERSIONS)]
    # m1/v2 twice, first (a re-upload last would make it its model's newest): a noncurrent
    # object version, which the plan tags too.
    for key in ["models/m1/v2/w.bin", *keys, INSIDE]:
        s3c.put_object(Bucket=bucket, Key=key, Body=b"w")
    repository = factories.repository(team)
    ScanRun.objects.create(
        repository=repository, status=ScanStatus.SUCCEEDED, finished_at=timezone.now()
    )
    store = factories.artifact_store(
        repository, bucket=bucket, endpoint_url=s3.endpoint,
        credentials=(s3_server.KEY_ID, s3_server.SECRET),
    )  # fmt: skip
    run = artifacts.inventory_request(store=store)
    assert artifacts.store_inventory(run_id=run.pk).status == "succeeded"
    records = DecisionRecord.objects.filter(kind=Kind.ARTIFACT_VERSION)
    # The owners approved all but model m2's candidates (still new), two windows apart.
    window = timezone.localdate() + timedelta(days=30)
    approved = records.exclude(subject__contains="/models/m2/")
    approved.filter(subject__contains="/models/m1").update(
        state=State.IN_REVIEW_WINDOW, review_window_end=window + timedelta(days=7)
    )
    approved.exclude(subject__contains="/models/m1").update(
        state=State.IN_REVIEW_WINDOW, review_window_end=window
    )
    assert approved.count() > plan.MAX_RULES

    client.force_login(factories.member(team, Role.OWNER))
    url = reverse("decisions:artifact-store-plan", args=[store.pk, "json"])
    body = json.loads(client.get(url).content)
    tagging = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    reverse("decisions:artifact-store-plan", args=[store.pk, "tags.csv"])
                ).content.decode()
            )
        )
    )
    assert 0 < len(body["Rules"]) <= plan.MAX_RULES
    assert all("Tag" in rule["Filter"] for rule in body["Rules"])

    # The owner tags first, then applies the rules: S3 takes both.
    for row in tagging:
        assert row["bucket"] == bucket
        tag_key, tag_value = row["tag"].split("=", 1)
        s3c.put_object_tagging(
            Bucket=bucket, Key=row["key"], VersionId=row["version_id"],
            Tagging={"TagSet": [{"Key": tag_key, "Value": tag_value}]},
        )  # fmt: skip
    s3c.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=body)
    applied = s3c.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert len(applied) == len(body["Rules"])

    # Every object version in the bucket: reached by exactly the rule of its record's window
    # when its version is approved, by none otherwise. Tags as moto holds them for every
    # unplanned version and a sample of planned ones, as the list gives them for the rest.
    windows = {
        r.subject.removeprefix(f"s3://{bucket}/"): r.review_window_end
        for r in approved.only("subject", "review_window_end")
    }
    listed_tags = {(row["key"], row["version_id"]): {row["tag"]} for row in tagging}
    pages = s3c.get_paginator("list_object_versions").paginate(Bucket=bucket)
    listed = [version for page in pages for version in page["Versions"]]
    assert len(listed) == len(keys) + 2
    reached_count = 0
    for n, version in enumerate(listed):
        folder = version["Key"].rsplit("/", 1)[0] + "/"
        expected = windows.get(folder) if version["Key"] != INSIDE else None
        tags = listed_tags.get((version["Key"], version["VersionId"]), set())
        if expected is None or n % 50 == 0:
            tag_set = s3c.get_object_tagging(
                Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"]
            )["TagSet"]
            assert {f"{t['Key']}={t['Value']}" for t in tag_set} == tags
        reached = [
            rule
            for rule in applied
            if f"{rule['Filter']['Tag']['Key']}={rule['Filter']['Tag']['Value']}" in tags
        ]
        if expected is None:
            assert reached == [], version["Key"]
            continue
        (rule,) = reached
        assert rule["Expiration"]["Date"].date() == expected
        reached_count += 1
    assert reached_count == len(tagging) == approved.count() + 1  # m1/v2's noncurrent version
