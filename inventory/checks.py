"""System checks of Debtboard's ``DEBTBOARD_*`` settings that the inventory app owns, and the
helpers every app's checks share.

A bad value is caught by ``manage.py check`` (and so at start-up of runserver, the worker's
first management command and CI), not by the first request or scan that trips over it. Each
app registers its own checks from its ``ready()``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register


@register(Tags.compatibility)
def check_inventory_settings(app_configs: Iterable[Any] | None = None, **kwargs: Any) -> list:
    return _credential_keys()


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
    if settings.DEBTBOARD_ALLOW_LOCAL_REPOSITORIES:
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


def whole_numbers(minimums: Mapping[str, int]) -> list[CheckMessage]:
    """An error for each setting that is not a whole number of at least its minimum."""
    errors = []
    for name, minimum in minimums.items():
        value = getattr(settings, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            errors.append(
                Error(
                    f"{name} must be a whole number of at least {minimum}, not {value!r}.",
                    id="debtboard.E001",
                )
            )
    return errors


def http_url(name: str, *, required: bool) -> list[CheckMessage]:
    """An error when the setting is not an absolute http(s) URL without credentials."""
    value = getattr(settings, name)
    if not value and not required:
        return []
    parts = urlsplit(str(value))
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return [
            Error(f"{name} must be an absolute http(s) URL, not {value!r}.", id="debtboard.E003")
        ]
    if parts.username or parts.password:
        return [
            Error(
                f"{name} must not carry credentials: they would show in links and logs.",
                id="debtboard.E004",
            )
        ]
    return []


def _credential_keys() -> list[CheckMessage]:
    errors = []
    for position, key in enumerate(settings.DEBTBOARD_CREDENTIAL_KEYS, start=1):
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
