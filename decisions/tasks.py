from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from decisions import services
from inventory.models import Repository

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def scan_repository_task(repository_id: int, scan_run_id: int | None = None) -> None:
    """Scan a repository and reconcile its decision records. Safe to run twice."""
    services.repository_scan(repository_id=repository_id, scan_run_id=scan_run_id)


@shared_task(acks_late=True)
def scan_due_repositories_task() -> int:
    """Queue a scan of every active repository whose next scan time has come."""
    queued = 0
    for repository in Repository.objects.due():
        services.scan_request(repository=repository)
        queued += 1
    logger.info("scans queued count=%s", queued)
    return queued


@shared_task(acks_late=True)
def review_reminders_task() -> int:
    """Notify owners whose records' review dates have come (once per record and date)."""
    return services.review_reminders_send(today=timezone.localdate())
