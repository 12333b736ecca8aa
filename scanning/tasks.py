from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from scanning.advisories import store

logger = logging.getLogger(__name__)

_LOCK = "debtboard:sync-advisories"
_LOCK_SECONDS = 60 * 60


@shared_task(acks_late=True)
def sync_advisories_task() -> int | None:
    """Mirror ``DEBTBOARD_ADVISORY_SOURCE`` (skipped when unset). Safe to run twice.

    Returns the id of the sync, or None when skipped.
    """
    source = settings.DEBTBOARD_ADVISORY_SOURCE
    if not source:
        logger.info("advisory sync skipped: DEBTBOARD_ADVISORY_SOURCE is empty")
        return None
    if not cache.add(_LOCK, "1", _LOCK_SECONDS):
        logger.info("advisory sync skipped: another one is running source=%s", source)
        return None
    try:
        return store.advisories_sync(source=source).pk
    finally:
        cache.delete(_LOCK)
