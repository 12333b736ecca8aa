"""The lifecycle plan stays within S3's 1,000 rules and no rule reaches an unplanned object."""

from __future__ import annotations

import random
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from scanning.artifacts import layout, plan
from scanning.artifacts.layout import FILENAME, FOLDER, MLFLOW

TODAY = date(2026, 12, 1)
WINDOW = date(2027, 1, 15)


def item(prefix: str, keys, expire_on: date | None = WINDOW, kind: str = FOLDER):
    return plan.PlanItem("s", "s3://ml/", "m", prefix, prefix, len(keys), 1, 0.1, TODAY,
                         "in-review-window", "ann", expire_on, kind,
                         tuple((k, f"id-{k}") for k in keys))  # fmt: skip


def folder(name: str, expire_on: date | None = WINDOW, files: int = 2) -> plan.PlanItem:
    return item(f"{name}/", [f"{name}/part-{n}.bin" for n in range(files)], expire_on)


def make(items, known=(), max_rules: int = plan.MAX_RULES) -> plan.LifecyclePlan:
    return plan.lifecycle_plan(
        items,
        cold_storage_class="GLACIER_IR",
        versioned=True,
        today=TODAY,
        known_keys=known,
        max_rules=max_rules,
    )


def rules_reaching(lifecycle: plan.LifecyclePlan, key: str) -> list[dict]:
    """The rules S3 would apply to ``key`` once the plan's tags are on."""
    tags = {tag for k, _, tag in lifecycle.tagging if k == key}
    reached = []
    for rule in lifecycle.rules:
        selected = rule["Filter"]
        by_prefix = "Prefix" in selected and key.startswith(selected["Prefix"])
        by_tag = (
            "Tag" in selected and f"{selected['Tag']['Key']}={selected['Tag']['Value']}" in tags
        )
        if by_prefix or by_tag:
            reached.append(rule)
    return reached


def expiry_of(rule: dict) -> date | None:
    return date.fromisoformat(rule["Expiration"]["Date"][:10]) if "Expiration" in rule else None


def test_a_few_folder_versions_get_one_prefix_rule_each_and_no_tags():
    lifecycle = make([folder("models/a/v1"), folder("models/a/v2")])
    assert [r["Filter"] for r in lifecycle.rules] == [
        {"Prefix": "models/a/v1/"},
        {"Prefix": "models/a/v2/"},
    ]
    assert lifecycle.tagging == []


def test_sibling_versions_are_not_coalesced_into_a_prefix_that_reaches_later_versions():
    # "models/a/v" would also reach v3/ (unplanned) and any v4/ uploaded after the inventory.
    items = [folder(f"models/a/v{n}") for n in (1, 2)]
    lifecycle = make(items, known=["models/a/v3/part-0.bin"])
    assert {r["Filter"]["Prefix"] for r in lifecycle.rules} == {"models/a/v1/", "models/a/v2/"}


def test_a_version_inside_a_planned_version_with_the_same_expiry_needs_no_rule():
    outer = folder("models/a/v1")
    inner = item("models/a/v1/mlruns/3/run1/", ["models/a/v1/mlruns/3/run1/artifacts/m.pt"],
                 kind=MLFLOW)  # fmt: skip
    lifecycle = make([outer, inner])
    assert [r["Filter"] for r in lifecycle.rules] == [{"Prefix": "models/a/v1/"}]


def test_a_prefix_that_reaches_an_unplanned_listed_object_becomes_a_tag_rule():
    # MLflow's own layout wins inside a version folder: that run is another version, kept.
    kept = "models/a/v1/mlruns/3/run1/artifacts/m.pt"
    lifecycle = make([folder("models/a/v1")], known=[kept])
    (rule,) = lifecycle.rules
    assert rule["Filter"] == {"Tag": {"Key": "debtboard-plan", "Value": "expire-2027-01-15"}}
    assert {k for k, _, _ in lifecycle.tagging} == {
        "models/a/v1/part-0.bin",
        "models/a/v1/part-1.bin",
    }
    assert rules_reaching(lifecycle, kept) == []


def test_a_nested_version_with_another_expiry_keeps_the_outer_prefix_off_it():
    outer = folder("models/a/v1")
    inner = item("models/a/v1/mlruns/3/run1/", ["models/a/v1/mlruns/3/run1/artifacts/m.pt"],
                 expire_on=WINDOW + timedelta(days=9), kind=MLFLOW)  # fmt: skip
    lifecycle = make([outer, inner])
    (inner_key,) = [k for k, _ in inner.keys]
    assert [expiry_of(r) for r in rules_reaching(lifecycle, inner_key)] == [inner.expire_on]
    assert [expiry_of(r) for r in rules_reaching(lifecycle, "models/a/v1/part-0.bin")] == [WINDOW]


def test_versions_in_file_names_are_tagged_because_their_prefix_is_also_longer_keys():
    # "churn-v1.onnx~" fits no layout, so the inventory does not keep it among known keys.
    assert layout.locate("models/churn-v1.onnx~") is None
    name = item("models/churn-v1.onnx", ["models/churn-v1.onnx"], kind=FILENAME)
    lifecycle = make([name, folder("models/b/v1")])
    assert rules_reaching(lifecycle, "models/churn-v1.onnx~") == []
    assert len(rules_reaching(lifecycle, "models/churn-v1.onnx")) == 1
    assert {"Prefix": "models/b/v1/"} in [r["Filter"] for r in lifecycle.rules]


def test_mlflow_runs_are_covered_below_artifacts_only():
    run = item("mlruns/exp/run1/", ["mlruns/exp/run1/artifacts/model.pkl"], kind=MLFLOW)
    lifecycle = make([run])
    assert [r["Filter"] for r in lifecycle.rules] == [{"Prefix": "mlruns/exp/run1/artifacts/"}]
    assert rules_reaching(lifecycle, "mlruns/exp/run1/meta.yaml") == []  # ungrouped, not listed


def test_more_than_a_thousand_versions_become_one_tag_rule_per_expiry_date():
    windows = [WINDOW, WINDOW + timedelta(days=3), None]
    items = [folder(f"models/m{n % 7}/v{n}", windows[n % 3]) for n in range(1500)]
    lifecycle = make(items)
    assert len(lifecycle.rules) == 3
    assert all("Tag" in r["Filter"] for r in lifecycle.rules)
    assert len({r["ID"] for r in lifecycle.rules}) == 3
    assert len(lifecycle.tagging) == 3000  # every object version of every version
    for one in items:
        for key, version_id in one.keys:
            assert (key, version_id) in {(k, v) for k, v, _ in lifecycle.tagging}
            assert [expiry_of(r) for r in rules_reaching(lifecycle, key)] == [one.expire_on]


def test_more_expiry_dates_than_rules_expire_later_never_earlier():
    items = [folder(f"models/m/v{n}", WINDOW + timedelta(days=n)) for n in range(30)]
    lifecycle = make(items, max_rules=10)
    assert len(lifecycle.rules) <= 10
    for one in items:
        (rule,) = rules_reaching(lifecycle, one.keys[0][0])
        assert expiry_of(rule) >= one.expire_on


def test_the_plan_of_nothing_is_empty():
    assert make([]) == plan.LifecyclePlan([], [])


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    count=st.integers(1, 60),
    max_rules=st.sampled_from([3, 20, 1000]),
)
def test_no_rule_reaches_an_unplanned_object_and_each_planned_one_gets_its_own_dates(
    seed, count, max_rules
):
    rng = random.Random(seed)
    keys = set()
    for _ in range(count * 3):
        model = rng.choice(["models/a", "models/a/v1", "models/b", "mlruns/7", "x"])
        version = rng.choice(["v1", "v2", "v10", "1.0.0", "2024-01-01", "run1", "run10"])
        tail = rng.choice(["w.bin", "artifacts/m.pt", "mlruns/3/r/artifacts/y", "c-v1.onnx"])
        keys.add(f"{model}/{version}/{tail}")
        keys.add(f"{model}/churn-{version}.pt")
    versions = layout.group(layout.StoredObject(k, 1, TODAY) for k in keys).versions
    chosen = [v for v in versions if rng.random() < 0.6]
    windows = [WINDOW, WINDOW + timedelta(days=1), TODAY - timedelta(days=2), None]
    items = [
        item(v.prefix, [o.key for o in v.objects], rng.choice(windows), v.layout) for v in chosen
    ]
    lifecycle = make(items, known=keys, max_rules=max_rules)
    assert len(lifecycle.rules) <= max_rules
    planned = {k: one.expire_on for one in items for k, _ in one.keys}
    for key in keys:
        reached = {expiry_of(r) for r in rules_reaching(lifecycle, key)}
        if key not in planned:
            assert reached == set(), key
        else:
            assert len(reached) == 1, key
            (expire_on,) = reached
            assert planned[key] is None or expire_on >= planned[key]
            assert (expire_on is None) == (planned[key] is None)
