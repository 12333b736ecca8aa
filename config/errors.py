"""Generic error pages; refusals are logged as security events."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from inventory import security_log


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    security_log.refusal(request, str(exception))
    return defaults.permission_denied(request, exception)
