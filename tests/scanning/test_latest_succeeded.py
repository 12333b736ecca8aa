"""``ScanRun.objects.latest_succeeded()``: the run a repository's records, gate and coverage are
read from."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from scanning.models import ScanRun, ScanStatus
from tests import factories


def test_the_latest_succeeded_scan_is_the_last_finished_successful_one(db):
    repository = factories.repository()
    assert repository.scan_runs.latest_succeeded() is None
    now = timezone.now()
    newer = ScanRun.objects.create(
        repository=repository, status=ScanStatus.SUCCEEDED, finished_at=now - timedelta(hours=1)
    )
    # Created later, finished earlier: finish time decides, not the id.
    older = ScanRun.objects.create(
        repository=repository, status=ScanStatus.SUCCEEDED, finished_at=now - timedelta(hours=2)
    )
    ScanRun.objects.create(repository=repository, status=ScanStatus.FAILED, finished_at=now)
    ScanRun.objects.create(
        repository=factories.repository(), status=ScanStatus.SUCCEEDED, finished_at=now
    )
    assert repository.scan_runs.latest_succeeded() == newer
    assert older.pk > newer.pk
