"""System checks for Debtboard's own ``DEBTBOARD_*`` settings.

A bad value is caught by ``manage.py check`` (and so at start-up of runserver, the worker's
first management command and CI), not by the first scan that trips over it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from scanning.rules.licenses import FAMILIES as LICENSE_FAMILIES

# Settings that must be whole numbers of at least this much.
MINIMUMS = {
    "DEBTBOARD_PAGE_SIZE": 1,
    "DEBTBOARD_COUNT_LIMIT": 1,
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
}
MAX_PAGE_SIZE = 500


@register(Tags.compatibility)
def check_debtboard_settings(app_configs: Iterable[Any] | None = None, **kwargs: Any) -> list:
    return [
        *_numbers(),
        *_urls(),
        *_advisory_source(),
        *_license_denylist(),
        *_credential_keys(),
        *_unscored_policy(),
    ]


# Cache backends whose counts live in one process: each gunicorn worker would keep its own
# login rate limits (and locks), so N workers let N times as many failures through.
PER_PROCESS_CACHES = frozenset(
    {
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
    }
)


@register(Tags.security, deploy=True)
def check_debtboard_deploy(app_configs: Iterable[Any] | None = None, **kwargs: Any) -> list:
    messages: list[CheckMessage] = []
    if getattr(settings, "DEBTBOARD_ALLOW_LOCAL_REPOSITORIES", False):
        messages.append(
            Warning(
                "DEBTBOARD_ALLOW_LOCAL_REPOSITORIES is on: anyone who may add a repository can "
                "make the server read any folder it can see.",
                hint="Leave it off outside single-machine installs and tests.",
                id="debtboard.W001",
            )
        )
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in PER_PROCESS_CACHES:
        messages.append(
            Error(
                f"The default cache ({backend.rsplit('.', 1)[-1]}) is per process: login rate "
                "limits and scan locks need a shared cache, or each worker counts on its own.",
                hint="Set DEBTBOARD_CACHE_URL to a redis:// URL (a Redis broker URL is reused).",
                id="debtboard.E008",
            )
        )
    return messages


def _numbers() -> list[CheckMessage]:
    errors = []
    for name, minimum in MINIMUMS.items():
        value = getattr(settings, name, minimum)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            errors.append(
                Error(
                    f"{name} must be a whole number of at least {minimum}, not {value!r}.",
                    id="debtboard.E001",
                )
            )
    page_size = getattr(settings, "DEBTBOARD_PAGE_SIZE", 25)
    if isinstance(page_size, int) and page_size > MAX_PAGE_SIZE:
        errors.append(
            Error(
                f"DEBTBOARD_PAGE_SIZE is {page_size}; pages over {MAX_PAGE_SIZE} rows make the "
                "triage list slow for everyone.",
                id="debtboard.E002",
            )
        )
    return errors


def _urls() -> list[CheckMessage]:
    errors = []
    for name, required in (("DEBTBOARD_BASE_URL", True), ("DEBTBOARD_PACKAGE_INDEX_URL", False)):
        value = getattr(settings, name, "")
        if not value and not required:
            continue
        parts = urlsplit(str(value))
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            errors.append(
                Error(
                    f"{name} must be an absolute http(s) URL, not {value!r}.",
                    id="debtboard.E003",
                )
            )
        elif parts.username or parts.password:
            errors.append(
                Error(
                    f"{name} must not carry credentials: they would show in links and logs.",
                    id="debtboard.E004",
                )
            )
    return errors


def _advisory_source() -> list[CheckMessage]:
    source = str(getattr(settings, "DEBTBOARD_ADVISORY_SOURCE", "") or "")
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
    families = list(getattr(settings, "DEBTBOARD_LICENSE_DENYLIST", ()))
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


def _credential_keys() -> list[CheckMessage]:
    errors = []
    for position, key in enumerate(getattr(settings, "DEBTBOARD_CREDENTIAL_KEYS", ()), start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            errors.append(
                Error(
                    f"DEBTBOARD_CREDENTIAL_KEYS: key {position} is not a Fernet key.",
                    hint="Make one with: python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())'",
                    id="debtboard.E007",
                )
            )
    return errors


def _unscored_policy() -> list[CheckMessage]:
    from scanning.rules.vulnerable import NEEDS_ANALYSIS, UNSCORED_POLICIES

    value = getattr(settings, "DEBTBOARD_UNSCORED_ADVISORY_POLICY", NEEDS_ANALYSIS)
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
