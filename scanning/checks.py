"""System checks of the scanning app's own settings (``manage.py check`` and start-up)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register


@register()
def live_vulnerability_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    allowed = getattr(settings, "DEBTBOARD_ALLOW_LIVE_VULNERABILITY_SERVICES", False)
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
    timeout = getattr(settings, "DEBTBOARD_LIVE_VULNERABILITY_TIMEOUT_SECONDS", 15)
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
