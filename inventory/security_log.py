"""Security-relevant events (sign-ins, failed sign-ins, refusals) logged with UTC times."""

from __future__ import annotations

import logging
import time

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

logger = logging.getLogger("debtboard.security")


class UTCFormatter(logging.Formatter):
    converter = time.gmtime

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", self.converter(record.created))


def _client(request: HttpRequest | None) -> str:
    if request is None:
        return "-"
    return request.META.get("REMOTE_ADDR", "-")


@receiver(user_logged_in)
def _logged_in(sender, request: HttpRequest, user, **kwargs) -> None:
    logger.info("login user=%s ip=%s", user.pk, _client(request))


@receiver(user_logged_out)
def _logged_out(sender, request: HttpRequest, user, **kwargs) -> None:
    logger.info("logout user=%s ip=%s", getattr(user, "pk", None), _client(request))


@receiver(user_login_failed)
def _login_failed(sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    # Never log the password; the login name helps spot guessing.
    login = str(credentials.get("username") or credentials.get("email") or "")[:100]
    logger.warning("login_failed login=%r ip=%s", login, _client(request))


def refusal(request: HttpRequest, reason: str) -> None:
    """Log a refused authorisation (called by the 403 handler)."""
    user = getattr(request, "user", None)
    logger.warning(
        "forbidden user=%s path=%s ip=%s reason=%s",
        getattr(user, "pk", None),
        request.path[:200],
        _client(request),
        reason[:200],
    )
