"""A running scan proves it is alive; a run whose heartbeat stops can be taken over.

Late acknowledgement means a scan whose worker died is delivered again. The new delivery
may only take the run over once the old one stopped beating, so a slow scan is never run
twice while a dead one never stays "running".
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone


def interval_seconds() -> float:
    return float(settings.DEBTBOARD_SCAN_HEARTBEAT_SECONDS)


def stale_before() -> datetime:
    """Runs whose last beat is older than this belong to a dead worker."""
    return timezone.now() - timedelta(seconds=settings.DEBTBOARD_SCAN_HEARTBEAT_TIMEOUT_SECONDS)


def beat(scan_run_id: int, claim: str) -> int:
    from scanning.models import ScanRun, ScanStatus

    return ScanRun.objects.filter(
        pk=scan_run_id, status=ScanStatus.RUNNING, claim_token=claim
    ).update(heartbeat_at=timezone.now())


@contextmanager
def beating(scan_run_id: int, claim: str) -> Iterator[None]:
    """Beat every few seconds from a background thread while the block runs."""
    stop = threading.Event()

    def run() -> None:
        try:
            while not stop.wait(interval_seconds()):
                try:
                    beat(scan_run_id, claim)
                except Exception:  # the database may be restarting; the next beat retries
                    close_old_connections()
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=f"scan-heartbeat-{scan_run_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)
