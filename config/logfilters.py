"""Log filters: a refused request is one line, not a traceback."""

from __future__ import annotations

import logging


class RefusalsOnOneLine(logging.Filter):
    """Requests answered 4xx are decisions, not errors: no traceback.

    A 403 is not logged here at all: the security log (``debtboard.security``) already has one
    line saying who was refused what and why. Server errors (5xx) keep their traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status == 403:
            return False
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
