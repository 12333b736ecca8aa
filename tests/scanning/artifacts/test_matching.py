from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from scanning.artifacts import layout, matching, plan
from scanning.artifacts.layout import StoredObject
from scanning.artifacts.references import Reference

NOW = datetime(2026, 12, 1, tzinfo=UTC)
OLD = NOW - timedelta(days=400)
SPACE = matching.StoreSpace(bucket="ml", prefix="models/")


def versions(*keys: str, when: datetime = OLD):
    return layout.group(
        [StoredObject(k, 1024**3, when + timedelta(days=i)) for i, k in enumerate(keys)]
    ).versions


def matched(found) -> set[tuple[str, str]]:
    return {(model, version) for model, version, _ in found}


def test_a_uri_inside_a_version_pins_it_and_other_buckets_do_not():
    vs = versions("churn/v1/m.pt", "churn/v2/m.pt", "churn/v3/m.pt")
    refs = [
        Reference(
            "s3://ml/models/churn/v1/m.pt", "a.py", 1, bucket="ml", key="models/churn/v1/m.pt"
        ),
        Reference("s3://other/models/churn/v2/", "a.py", 2, bucket="other", key="models/churn/v2/"),
    ]
    assert matched(matching.match(vs, refs, SPACE)) == {("churn", "v1")}


def test_a_uri_to_the_version_folder_without_slash_pins_it():
    vs = versions("churn/v1/m.pt", "churn/v2/m.pt")
    refs = [Reference("s3://ml/models/churn/v1", "a.py", 1, bucket="ml", key="models/churn/v1")]
    assert matched(matching.match(vs, refs, SPACE)) == {("churn", "v1")}


def test_a_reference_to_the_model_folder_pins_no_version():
    vs = versions("churn/v1/m.pt", "churn/v2/m.pt")
    refs = [Reference("s3://ml/models/churn/", "a.py", 1, bucket="ml", key="models/churn/")]
    assert matching.match(vs, refs, SPACE) == {}


def test_key_paths_match_behind_a_mount_point_on_segment_boundaries():
    vs = versions("churn/v1/m.pt", "churn/v2/m.pt", "xchurn/v1/m.pt")
    refs = [
        Reference("/mnt/s3/models/churn/v1/m.pt", "a.py", 1, key="mnt/s3/models/churn/v1/m.pt"),
    ]
    assert matched(matching.match(vs, refs, SPACE)) == {("churn", "v1")}


def test_mlflow_run_uris_pin_their_run():
    vs = versions("mlruns/3/abcdef12/artifacts/m.pkl", "mlruns/3/99999999/artifacts/m.pkl")
    refs = [Reference("runs:/abcdef12/model", "a.py", 1, key="model", run="abcdef12")]
    assert matched(matching.match(vs, refs, SPACE)) == {("mlruns/3", "abcdef12")}


def test_directory_stores_match_absolute_paths_below_the_directory():
    space = matching.StoreSpace(directory="/srv/models")
    vs = versions("churn/v1/m.pt", "churn/v2/m.pt")
    refs = [Reference("/srv/models/churn/v2/m.pt", "a.py", 1, key="srv/models/churn/v2/m.pt")]
    assert matched(matching.match(vs, refs, space)) == {("churn", "v2")}


def test_candidates_are_old_unreferenced_and_never_the_newest():
    vs = versions("churn/v1/m.pt", "churn/v2/m.pt", "churn/v3/m.pt", "churn/v4/m.pt")
    vs += versions("churn/v5/m.pt", when=NOW - timedelta(days=10))
    refs = [
        Reference(
            "s3://ml/models/churn/v2/",
            "k8s/d.yaml",
            4,
            bucket="ml",
            key="models/churn/v2/",
            mode="serving",
        )
    ]
    verdicts = {
        v.version.version: v
        for v in matching.judge(vs, matching.match(vs, refs, SPACE), now=NOW, min_age_days=180)
    }
    assert {k for k, v in verdicts.items() if v.is_candidate} == {"v1", "v3", "v4"}
    assert verdicts["v2"].serving and verdicts["v2"].reason == "served at k8s/d.yaml:4"
    assert verdicts["v5"].is_newest


def test_young_versions_are_no_candidates():
    vs = versions("churn/v1/m.pt", "churn/v2/m.pt", when=NOW - timedelta(days=30))
    verdicts = matching.judge(vs, {}, now=NOW, min_age_days=180)
    assert not any(v.is_candidate for v in verdicts)


def test_incomplete_evidence_makes_no_candidate():
    vs = versions("churn/v1/m.pt", "churn/v2/m.pt")
    verdicts = matching.judge(vs, {}, now=NOW, min_age_days=180, evidence_complete=False)
    assert not any(v.is_candidate for v in verdicts)
    assert "successful scan" in verdicts[0].reason


def test_monthly_cost_is_size_in_gib_times_price():
    assert matching.monthly_cost(3 * 1024**3, 0.023) == 0.069


def item(version: str, expire_on: date | None, state: str = "in-review-window") -> plan.PlanItem:
    return plan.PlanItem("s", "s3://ml/models/", "churn", version, f"models/churn/{version}/", 2,
                         10, 0.1, date(2024, 1, 1), state, "ann", expire_on)  # fmt: skip


def rules(*items: plan.PlanItem, today: date = date(2026, 12, 1), cold: str = "GLACIER_IR"):
    body = plan.lifecycle_json(items, cold_storage_class=cold, versioned=True, today=today)
    return json.loads(body)["Rules"]


def test_lifecycle_rules_transition_first_and_expire_only_after_the_window():
    first, second = rules(item("v1", None, "approved"), item("v3", date(2027, 1, 15)))
    assert first["Filter"] == {"Prefix": "models/churn/v1/"}
    assert first["Transitions"] == [{"Date": "2026-12-01T00:00:00Z", "StorageClass": "GLACIER_IR"}]
    assert "Expiration" not in first and "NoncurrentVersionExpiration" not in first
    assert second["Expiration"] == {"Date": "2027-01-15T00:00:00Z"}
    assert second["NoncurrentVersionTransitions"][0]["StorageClass"] == "GLACIER_IR"
    assert first["ID"] != second["ID"]


def test_each_rule_times_transition_and_expiry_in_one_unit_and_in_order():
    # S3 refuses a rule that mixes Days and Date between its transition and its expiration,
    # and one whose expiration is not later than its transition.
    for expire_on in (None, date(2027, 1, 15), date(2026, 12, 1), date(2026, 6, 1)):
        (rule,) = rules(item("v1", expire_on))
        (transition,) = rule["Transitions"]
        assert set(transition) == {"Date", "StorageClass"}
        if expire_on is not None:
            assert set(rule["Expiration"]) == {"Date"}
            assert rule["Expiration"]["Date"] > transition["Date"]
        noncurrent = rule["NoncurrentVersionTransitions"][0]["NoncurrentDays"]
        if "NoncurrentVersionExpiration" in rule:
            assert rule["NoncurrentVersionExpiration"]["NoncurrentDays"] > noncurrent


def test_no_object_version_expires_before_the_review_window_ends():
    # NoncurrentDays count from when a version became noncurrent, so an old noncurrent object
    # version would go the day the rule is applied: that part waits for the window's end.
    (during,) = rules(item("v1", date(2027, 1, 15)), today=date(2026, 12, 1))
    assert "NoncurrentVersionExpiration" not in during
    (after,) = rules(item("v1", date(2027, 1, 15)), today=date(2027, 1, 15))
    assert after["NoncurrentVersionExpiration"] == {"NoncurrentDays": 2}
    (approved,) = rules(item("v1", None, "approved"), today=date(2030, 1, 1))
    assert "NoncurrentVersionExpiration" not in approved and "Expiration" not in approved


def test_infrequent_access_classes_wait_the_thirty_days_s3_requires():
    (rule,) = rules(item("v1", date(2027, 1, 15)), cold="STANDARD_IA")
    assert rule["NoncurrentVersionTransitions"] == [
        {"NoncurrentDays": 30, "StorageClass": "STANDARD_IA"}
    ]
