"""System checks of the scanning app's own settings (``manage.py check`` and start-up)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from inventory.checks import http_url, whole_numbers
from scanning.rules.licenses import FAMILIES as LICENSE_FAMILIES

# Settings that must be whole numbers of at least this much.
MINIMUMS = {
    "DEBTBOARD_GIT_TIMEOUT_SECONDS": 1,
    "DEBTBOARD_MAX_CLONE_MB": 1,
    "DEBTBOARD_SCAN_HEARTBEAT_SECONDS": 1,
    "DEBTBOARD_SCAN_HEARTBEAT_TIMEOUT_SECONDS": 1,
    "DEBTBOARD_SCAN_RETRY_SECONDS": 0,
    "DEBTBOARD_SCAN_MAX_ATTEMPTS": 1,
    "DEBTBOARD_SCAN_WORKERS": 0,
    "DEBTBOARD_WEIGHT_FILE_MB": 1,
    "DEBTBOARD_ADVISORY_MAX_AGE_DAYS": 0,
    "DEBTBOARD_ADVISORY_MAX_DATA_AGE_DAYS": 0,
    "DEBTBOARD_PACKAGE_INDEX_TIMEOUT_SECONDS": 1,
    "DEBTBOARD_PACKAGE_METADATA_TTL_HOURS": 0,
    "DEBTBOARD_SCAN_TICK_MINUTES": 1,
    "DEBTBOARD_MAX_FILES": 1,
    "DEBTBOARD_MAX_SCAN_MB": 1,
    "DEBTBOARD_PARSER_MEMORY_MB": 1,
    "DEBTBOARD_PARSER_CPU_SECONDS": 1,
    "DEBTBOARD_IMPORT_NAMES_THREADS": 1,
    "DEBTBOARD_IMPORT_NAMES_MAX_WHEEL_MB": 1,
    "DEBTBOARD_IMPORT_NAMES_TTL_DAYS": 0,
    "DEBTBOARD_IMPORT_NAMES_RETRY_HOURS": 0,
    "DEBTBOARD_ADVISORY_DOWNLOAD_MAX_BYTES": 1,
    "DEBTBOARD_ARTIFACT_MIN_AGE_DAYS": 0,
    "DEBTBOARD_ARTIFACT_MAX_OBJECTS": 1,
    "DEBTBOARD_ARTIFACT_TICK_MINUTES": 1,
}
# The classes an S3 lifecycle rule may transition objects to (botocore's
# TransitionStorageClass; a test compares them): the deletion plan's first move.
COLD_STORAGE_CLASSES = frozenset(
    {"GLACIER", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "GLACIER_IR"}
)


@register(Tags.compatibility)
def check_scanning_settings(app_configs: Iterable[Any] | None = None, **kwargs: Any) -> list:
    return [
        *whole_numbers(MINIMUMS),
        *http_url("DEBTBOARD_PACKAGE_INDEX_URL", required=False),
        *_advisory_source(),
        *_license_denylist(),
        *_unscored_policy(),
        *_artifact_plan(),
    ]


@register()
def live_vulnerability_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    allowed = settings.DEBTBOARD_ALLOW_LIVE_VULNERABILITY_SERVICES
    if not isinstance(allowed, bool):
        # A string such as "false" would be truthy and quietly send every opted-in scan out.
        errors.append(
            Error(
                "DEBTBOARD_ALLOW_LIVE_VULNERABILITY_SERVICES must be True or False, "
                f"not {allowed!r}.",
                hint="Set it from the environment with a boolean such as 1/0 or true/false.",
                id="scanning.E001",
            )
        )
    timeout = settings.DEBTBOARD_LIVE_VULNERABILITY_TIMEOUT_SECONDS
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        # requests refuses a timeout of 0 or less on every call; "no timeout" is not offered.
        errors.append(
            Error(
                "DEBTBOARD_LIVE_VULNERABILITY_TIMEOUT_SECONDS must be a positive number of "
                f"seconds, not {timeout!r}.",
                id="scanning.E002",
            )
        )
    return errors


def _advisory_source() -> list[CheckMessage]:
    source = str(settings.DEBTBOARD_ADVISORY_SOURCE or "")
    if not source:
        return []
    if "://" in source:
        if source.startswith("https://"):
            return []
        return [
            Error(
                f"DEBTBOARD_ADVISORY_SOURCE {source!r}: only https:// URLs are fetched.",
                id="debtboard.E005",
            )
        ]
    if not Path(source).exists():
        return [
            Warning(
                f"DEBTBOARD_ADVISORY_SOURCE {source!r} does not exist (yet): advisory syncs fail "
                "until it does, and audits then say 'not audited'.",
                id="debtboard.W002",
            )
        ]
    return []


def _license_denylist() -> list[CheckMessage]:
    families = list(settings.DEBTBOARD_LICENSE_DENYLIST)
    unknown = [f for f in families if f not in LICENSE_FAMILIES]
    if not unknown:
        return []
    return [
        Error(
            f"DEBTBOARD_LICENSE_DENYLIST names {', '.join(map(repr, unknown))}; "
            f"known licence families are {', '.join(sorted(LICENSE_FAMILIES))}.",
            hint="An unknown family would never match, so the policy would silently pass.",
            id="debtboard.E006",
        )
    ]


def _unscored_policy() -> list[CheckMessage]:
    from scanning.rules.vulnerable import UNSCORED_POLICIES

    value = settings.DEBTBOARD_UNSCORED_ADVISORY_POLICY
    if value in UNSCORED_POLICIES:
        return []
    return [
        Error(
            f"DEBTBOARD_UNSCORED_ADVISORY_POLICY must be one of {', '.join(UNSCORED_POLICIES)}, "
            f"not {value!r}.",
            hint="An advisory nobody scored is never a pass.",
            id="debtboard.E010",
        )
    ]


def _artifact_plan() -> list[CheckMessage]:
    errors = []
    price = settings.DEBTBOARD_ARTIFACT_PRICE_PER_GB_MONTH
    if (
        isinstance(price, bool)
        or not isinstance(price, int | float)
        or not math.isfinite(price)
        or price < 0
    ):
        errors.append(
            Error(
                "DEBTBOARD_ARTIFACT_PRICE_PER_GB_MONTH must be a number of at least 0 (USD per "
                f"GB-month), not {price!r}.",
                id="debtboard.E011",
            )
        )
    cold = settings.DEBTBOARD_ARTIFACT_COLD_STORAGE_CLASS
    if cold not in COLD_STORAGE_CLASSES:
        errors.append(
            Error(
                f"DEBTBOARD_ARTIFACT_COLD_STORAGE_CLASS must be one of "
                f"{', '.join(sorted(COLD_STORAGE_CLASSES))}, not {cold!r}.",
                hint="S3 refuses a lifecycle rule that transitions to any other class.",
                id="debtboard.E011",
            )
        )
    return errors
