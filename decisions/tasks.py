from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from decisions import services
from inventory.models import Repository

logger = logging.getLogger(__name__)


# Retries cover a database outage and duplicate deliveries that wait for a running scan
# (up to the hard time limit, checking once per heartbeat timeout).
@shared_task(bind=True, acks_late=True, max_retries=60)
def scan_repository_task(self, repository_id: int, scan_run_id: int | None = None) -> None:
    """Scan a repository and reconcile its decision records.

    Safe to run twice or concurrently (the run is claimed); retried when the database
    went away mid-scan, after the old claim's heartbeat has gone stale.
    """
    try:
        services.repository_scan(repository_id=repository_id, scan_run_id=scan_run_id)
    except (services.ScanInterrupted, services.ScanBusy) as exc:
        raise self.retry(exc=exc, countdown=settings.DEBTBOARD_SCAN_RETRY_SECONDS) from exc


@shared_task(acks_late=True)
def reap_stale_scans_task() -> int:
    """Take over the runs whose workers died: fail the hopeless ones, queue the others again
    at once (rather than when the broker redelivers their task). Returns how many."""
    return services.scans_reap()


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


@shared_task(acks_late=True)
def decision_rules_lapse_task() -> int:
    """Rules past their end date give what they decided back to triage (once per rule)."""
    from decisions.services import rules

    return rules.rules_lapse(today=timezone.localdate())


@shared_task(acks_late=True)
def weekly_digest_task() -> int:
    """Mail the weekly digest (once per person and week, whatever the redeliveries)."""
    from decisions.services import digests

    return digests.digests_send(on=timezone.localdate())


@shared_task(acks_late=True)
def inventory_artifact_store_task(run_id: int) -> None:
    """List an artifact store, match its versions, reconcile its records. Safe to run twice."""
    from decisions.services import artifacts

    artifacts.store_inventory(run_id=run_id)


@shared_task(acks_late=True)
def reevaluate_artifact_store_task(store_id: int) -> None:
    """Match a store's last inventory against the team's latest scans again."""
    from decisions.services import artifacts

    artifacts.store_reevaluate(store_id=store_id)


@shared_task(acks_late=True)
def inventory_due_artifact_stores_task() -> int:
    """Queue an inventory of every active artifact store whose next inventory time has come."""
    from decisions.services import artifacts
    from inventory.models import ArtifactStore

    queued = 0
    for store in ArtifactStore.objects.due():
        artifacts.inventory_request(store=store)
        queued += 1
    logger.info("inventories queued count=%s", queued)
    return queued
