"""Advisory freshness: from the last sync and from the data's own newest record (issue 13.3)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from scanning.advisories import store
from scanning.models import Advisory, AdvisorySync
from tests.scanning.advisories.support import PYPA_FIXTURE

pytestmark = pytest.mark.django_db


@pytest.fixture
def synced(tmp_path: Path, settings) -> None:
    settings.DEBTBOARD_ADVISORY_MAX_AGE_DAYS = 14
    settings.DEBTBOARD_ADVISORY_MAX_DATA_AGE_DAYS = 30
    shutil.copytree(PYPA_FIXTURE, tmp_path / "db")
    store.advisories_sync(source=str(tmp_path / "db"))


def _newest(when: datetime) -> None:
    Advisory.objects.update(modified=when - timedelta(days=1))
    Advisory.objects.filter(pk=Advisory.objects.order_by("pk").first().pk).update(modified=when)


def test_a_fresh_sync_of_data_two_years_old_is_not_current(synced):
    _newest(timezone.now() - timedelta(days=730))
    reason = store.mirror_unavailable_reason()
    assert reason is not None
    assert "newest advisory modified" in reason and "730 days ago" in reason
    assert "last synced" in reason and "0 days ago" in reason
    assert store.index_from_database().unavailable_reason == reason


def test_fresh_data_freshly_synced_is_current_and_says_both_times(synced):
    _newest(timezone.now() - timedelta(days=2))
    assert store.mirror_unavailable_reason() is None
    freshness = store.mirror_freshness()
    assert freshness.newest_modified is not None and freshness.synced_at is not None
    assert "last synced" in freshness.text() and "newest advisory modified" in freshness.text()
    assert "2 days ago" in freshness.text()


def test_an_old_sync_of_fresh_data_is_not_current_either(synced):
    _newest(timezone.now())
    AdvisorySync.objects.update(finished_at=datetime(2000, 1, 1, tzinfo=UTC))
    reason = store.mirror_unavailable_reason()
    assert "last synced 2000-01-01" in reason


def test_the_data_age_limit_can_be_switched_off(synced, settings):
    settings.DEBTBOARD_ADVISORY_MAX_DATA_AGE_DAYS = 0
    _newest(timezone.now() - timedelta(days=3000))
    assert store.mirror_unavailable_reason() is None


def test_the_scan_audit_says_both_times(tmp_path, synced, team):
    from decisions import services
    from scanning import services as scanning_services
    from tests import factories

    _newest(timezone.now() - timedelta(days=3))
    path = factories.git_repository(tmp_path / "app", {"requirements.txt": "django==4.2.0\n"})
    repository = factories.repository(team, location=str(path))
    run, _ = scanning_services.scan_run_create(repository=repository)
    run = services.repository_scan(repository_id=repository.pk, scan_run_id=run.pk)
    assert "newest advisory modified" in run.audit["advisory_freshness"]
    assert "last synced" in run.audit["advisory_freshness"]
