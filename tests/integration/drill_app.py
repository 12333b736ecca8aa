"""The Celery app of the fault drills' workers: the product's app, with a scan that can be held.

A drill has to strike *while* a scan runs, and a scan of the drill repository takes well under a
second, so waiting "a moment" after the scan starts is a race the drill can lose. A worker
started with ``DEBTBOARD_DRILL_HOLD=PATH`` touches ``PATH.started`` when its scan reaches the
reading step, then waits for as long as ``PATH`` exists (at most two minutes): the drill kills
the worker or restarts a server at a moment it knows, then removes ``PATH`` to let the scan go
on. Only the drill workers load this module; the product has no such hook.
"""

from __future__ import annotations

import functools
import os
import time
from pathlib import Path

from config.celery import app
from scanning.engine import pipeline

HOLD_LIMIT_SECONDS = 120

__all__ = ["app"]


def _held(scan_checkout):
    @functools.wraps(scan_checkout)
    def held(*args, **kwargs):
        hold = os.environ.get("DEBTBOARD_DRILL_HOLD")
        if hold:
            Path(f"{hold}.started").touch()
            deadline = time.monotonic() + HOLD_LIMIT_SECONDS
            while Path(hold).exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        return scan_checkout(*args, **kwargs)

    return held


pipeline.scan_checkout = _held(pipeline.scan_checkout)
