"""The deletion plan an owner applies: a CSV and an S3 lifecycle configuration (pure).

Debtboard never deletes. Each approved version gets a lifecycle rule whose first move is
reversible: a transition to a colder storage class from the plan's day, and an expiry only
from the day its review window ends (so a reference that appears again in the meantime reopens
the record before anything is gone). On versioned buckets, older object versions are
transitioned too; they expire only in a plan made once the window has ended, because S3 counts
their days from when each became noncurrent (an old one would go the day the rule is applied).

S3 refuses a rule that mixes ``Days`` and ``Date`` between its transition and expiration, or
whose expiration is not later than its transition: both are dates here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

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


def lifecycle_rules(
    items: Iterable[PlanItem], *, cold_storage_class: str, versioned: bool, today: date
) -> dict[str, object]:
    """An S3 ``PutBucketLifecycleConfiguration`` body (``{"Rules": [...]}``) made on ``today``
    (UTC)."""
    noncurrent_days = max(1, _MINIMUM_TRANSITION_DAYS.get(cold_storage_class, 0))
    rules = []
    for item in items:
        digest = hashlib.sha256(item.prefix.encode()).hexdigest()[:12]
        transition_on = today
        if item.expire_on is not None and item.expire_on <= today:
            transition_on = item.expire_on - timedelta(days=1)
        rule: dict[str, object] = {
            "ID": f"debtboard-{digest}",
            "Status": "Enabled",
            "Filter": {"Prefix": item.prefix},
            "Transitions": [{"Date": _midnight(transition_on), "StorageClass": cold_storage_class}],
        }
        if item.expire_on is not None:
            rule["Expiration"] = {"Date": _midnight(item.expire_on)}
        if versioned:
            rule["NoncurrentVersionTransitions"] = [
                {"NoncurrentDays": noncurrent_days, "StorageClass": cold_storage_class}
            ]
            if item.expire_on is not None and item.expire_on <= today:
                rule["NoncurrentVersionExpiration"] = {"NoncurrentDays": noncurrent_days + 1}
        rules.append(rule)
    return {"Rules": rules}


def lifecycle_json(
    items: Iterable[PlanItem], *, cold_storage_class: str, versioned: bool, today: date
) -> str:
    body = lifecycle_rules(
        items, cold_storage_class=cold_storage_class, versioned=versioned, today=today
    )
    return json.dumps(body, indent=2, sort_keys=True) + "\n"


def _midnight(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"  # S3 takes dates at midnight UTC only
