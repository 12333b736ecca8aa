"""The deletion plan an owner applies: a CSV and an S3 lifecycle configuration (pure).

Debtboard never deletes. Each approved version gets a lifecycle rule whose first move is
reversible: a transition to a colder storage class from the plan's day, and an expiry only
from the day its review window ends (so a reference that appears again in the meantime reopens
the record before anything is gone). On versioned buckets, older object versions are
transitioned too; they expire only in a plan made once the window has ended, because S3 counts
their days from when each became noncurrent (an old one would go the day the rule is applied).

S3 refuses a rule that mixes ``Days`` and ``Date`` between its transition and expiration, or
whose expiration is not later than its transition: both are dates here.

A rule must never reach an object that is not planned, and S3 takes at most 1,000 rules per
bucket. A rule filtered by prefix covers a version when its prefix reaches only keys the
layout groups (a version folder, an MLflow run's ``artifacts/``) and no listed key outside
the plan's versions with the same dates; a version inside another such planned version with
the same dates needs no rule of its own. Sibling versions are never coalesced into a shorter
prefix: it would also reach the versions written after the inventory. A version that no
prefix covers exactly (a version in a file name: ``churn-v1.onnx`` is also the start of
``churn-v1.onnx.bak``), or every version once prefix rules would pass 1,000, is covered
by a rule filtered by a tag instead, one rule per expiry date, and the plan lists the objects
(every object version on a versioned bucket) the owner tags before applying the rules.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from scanning.artifacts.layout import FOLDER, MLFLOW

MAX_RULES = 1000  # S3's limit of lifecycle rules per bucket
TAG_KEY = "debtboard-plan"
TAGGING_COLUMNS = ("bucket", "key", "version_id", "tag")

CSV_COLUMNS = (
    "store",
    "location",
    "model",
    "version",
    "prefix",
    "objects",
    "size_bytes",
    "monthly_cost",
    "last_modified",
    "state",
    "owner",
    "first_move",
    "expire_on",
)


@dataclass(frozen=True, slots=True)
class PlanItem:
    store: str
    location: str  # s3://bucket/prefix or the directory
    model: str
    version: str
    prefix: str  # the full key prefix in the bucket (store prefix included)
    objects: int
    size_bytes: int
    monthly_cost: float
    last_modified: date
    state: str
    owner: str
    expire_on: date | None  # the review window's end; None: transition only
    layout: str = FOLDER
    keys: tuple[tuple[str, str], ...] = ()  # (full key, version id) of each object version


def plan_rows(items: Iterable[PlanItem], *, cold_storage_class: str) -> list[list[str]]:
    """The cells of ``CSV_COLUMNS`` per item (the caller escapes them for its format)."""
    return [
        [
            item.store,
            item.location,
            item.model,
            item.version,
            item.prefix,
            str(item.objects),
            str(item.size_bytes),
            f"{item.monthly_cost:.4f}",
            item.last_modified.isoformat(),
            item.state,
            item.owner,
            f"transition to {cold_storage_class}",
            item.expire_on.isoformat() if item.expire_on else "",
        ]
        for item in items
    ]


# S3's shortest wait (days) before a transition into these classes; others take any.
_MINIMUM_TRANSITION_DAYS = {"STANDARD_IA": 30, "ONEZONE_IA": 30}


@dataclass
class LifecyclePlan:
    """The body of ``PutBucketLifecycleConfiguration`` and the tags to apply before it."""

    rules: list[dict[str, object]]
    tagging: list[tuple[str, str, str]] = field(default_factory=list)  # key, version id, tag

    @property
    def body(self) -> dict[str, object]:
        return {"Rules": self.rules}


def lifecycle_plan(
    items: Iterable[PlanItem],
    *,
    cold_storage_class: str,
    versioned: bool,
    today: date,
    known_keys: Iterable[str] = (),
    max_rules: int = MAX_RULES,
) -> LifecyclePlan:
    """The rules for ``items`` made on ``today`` (UTC); ``known_keys``: every key the store's
    inventory listed (full keys), which no prefix rule may reach unless it is planned."""
    items = list(items)
    expiry = _expiry_dates(items, max_rules)
    planned = {key: expiry[id(item)] for item in items for key, _ in item.keys}
    known = sorted(set(known_keys) | planned.keys())
    by_prefix: list[tuple[str, PlanItem]] = []
    tagged: list[PlanItem] = []
    for item in items:
        prefix = _rule_prefix(item)
        if prefix is None or not _exact(prefix, expiry[id(item)], known, planned):
            tagged.append(item)
        else:
            by_prefix.append((prefix, item))
    # A prefix inside another kept prefix of the same expiry is covered by that rule.
    by_prefix.sort(key=lambda pair: pair[0])
    kept: list[tuple[str, PlanItem]] = []
    for prefix, item in by_prefix:
        outer = kept[-1] if kept else None
        if outer and prefix.startswith(outer[0]) and expiry[id(outer[1])] == expiry[id(item)]:
            continue
        kept.append((prefix, item))
    tag_dates = {expiry[id(item)] for item in tagged}
    if len(kept) + len(tag_dates) > max_rules:
        tagged, kept = items, []
        tag_dates = {expiry[id(item)] for item in items}
    rules = [
        _rule(
            {"Prefix": prefix},
            f"debtboard-{hashlib.sha256(prefix.encode()).hexdigest()[:12]}",
            expiry[id(item)],
            cold_storage_class=cold_storage_class,
            versioned=versioned,
            today=today,
        )
        for prefix, item in kept
    ]
    for expire_on in sorted(tag_dates, key=lambda d: d or date.min):
        value = _tag_value(expire_on)
        rules.append(
            _rule(
                {"Tag": {"Key": TAG_KEY, "Value": value}},
                f"debtboard-tag-{value}",
                expire_on,
                cold_storage_class=cold_storage_class,
                versioned=versioned,
                today=today,
            )
        )
    tagging = [
        (key, version_id, f"{TAG_KEY}={_tag_value(expiry[id(item)])}")
        for item in tagged
        for key, version_id in item.keys
    ]
    return LifecyclePlan(rules, tagging)


def lifecycle_rules(
    items: Iterable[PlanItem], *, cold_storage_class: str, versioned: bool, today: date
) -> dict[str, object]:
    """An S3 ``PutBucketLifecycleConfiguration`` body (``{"Rules": [...]}``) made on ``today``
    (UTC)."""
    return lifecycle_plan(
        items, cold_storage_class=cold_storage_class, versioned=versioned, today=today
    ).body


def _rule_prefix(item: PlanItem) -> str | None:
    """A prefix every key below which the layout groups (None: no such prefix)."""
    if item.layout == FOLDER:
        return item.prefix
    if item.layout == MLFLOW:
        return item.prefix + "artifacts/"  # a run's own files (meta.yaml) may be ungrouped
    return None


def _exact(prefix: str, expire_on: date | None, known: list[str], planned: dict) -> bool:
    """No listed key below ``prefix`` is outside the versions planned with ``expire_on``."""
    start = bisect.bisect_left(known, prefix)
    for key in known[start:]:
        if not key.startswith(prefix):
            return True
        if planned.get(key, False) != expire_on:
            return False
    return True


# Coarser and coarser expiry dates, later than the windows' ends, while there are more
# distinct dates than rules; nothing expires before its window ends.
_COARSER_DAYS = (7, 30, 91, 365, 3650)


def _expiry_dates(items: list[PlanItem], max_rules: int) -> dict[int, date | None]:
    expiry = {id(item): item.expire_on for item in items}
    for days in _COARSER_DAYS:
        if len(set(expiry.values())) <= max_rules:
            break
        expiry = {
            id(item): None
            if item.expire_on is None
            else item.expire_on + timedelta(days=-item.expire_on.toordinal() % days)
            for item in items
        }
    return expiry


def _tag_value(expire_on: date | None) -> str:
    return f"expire-{expire_on.isoformat()}" if expire_on else "transition-only"


def _rule(
    rule_filter: dict[str, object],
    rule_id: str,
    expire_on: date | None,
    *,
    cold_storage_class: str,
    versioned: bool,
    today: date,
) -> dict[str, object]:
    noncurrent_days = max(1, _MINIMUM_TRANSITION_DAYS.get(cold_storage_class, 0))
    transition_on = today
    if expire_on is not None and expire_on <= today:
        transition_on = expire_on - timedelta(days=1)
    rule: dict[str, object] = {
        "ID": rule_id,
        "Status": "Enabled",
        "Filter": rule_filter,
        "Transitions": [{"Date": _midnight(transition_on), "StorageClass": cold_storage_class}],
    }
    if expire_on is not None:
        rule["Expiration"] = {"Date": _midnight(expire_on)}
    if versioned:
        rule["NoncurrentVersionTransitions"] = [
            {"NoncurrentDays": noncurrent_days, "StorageClass": cold_storage_class}
        ]
        if expire_on is not None and expire_on <= today:
            rule["NoncurrentVersionExpiration"] = {"NoncurrentDays": noncurrent_days + 1}
    return rule


def lifecycle_json(
    items: Iterable[PlanItem],
    *,
    cold_storage_class: str,
    versioned: bool,
    today: date,
    known_keys: Iterable[str] = (),
) -> str:
    return plan_json(
        lifecycle_plan(
            items,
            cold_storage_class=cold_storage_class,
            versioned=versioned,
            today=today,
            known_keys=known_keys,
        )
    )


def plan_json(lifecycle: LifecyclePlan) -> str:
    return json.dumps(lifecycle.body, indent=2, sort_keys=True) + "\n"


def _midnight(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"  # S3 takes dates at midnight UTC only
