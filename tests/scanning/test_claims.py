"""Claiming, heartbeats and takeover: how a scan runs exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import OperationalError, transaction
from django.utils import timezone

from decisions import services as decision_services
from decisions.services import scans
from scanning import heartbeat
from scanning import services as scanning_services
from scanning.models import ScanRun, ScanRunQuerySet, ScanStatus
from scanning.types import TreeScan
from tests import factories


@pytest.fixture
def run(repository):
    return scanning_services.scan_run_create(repository=repository)[0]


def _age(run, seconds):
    ScanRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - timedelta(seconds=seconds)
    )


def test_a_queued_run_is_claimed_once(run):
    first = scanning_services.scan_run_claim(scan_run_id=run.pk)
    assert first.status == ScanStatus.RUNNING
    assert first.claim_token
    assert first.attempts == 1
    assert scanning_services.scan_run_claim(scan_run_id=run.pk) is None


def test_a_run_with_a_stopped_heartbeat_is_taken_over(run, settings):
    first = scanning_services.scan_run_claim(scan_run_id=run.pk)
    _age(first, settings.DEBTBOARD_SCAN_HEARTBEAT_TIMEOUT_SECONDS + 1)
    second = scanning_services.scan_run_claim(scan_run_id=run.pk)
    assert second is not None
    assert second.claim_token != first.claim_token
    assert second.attempts == 2


def test_the_old_claim_cannot_store_after_a_takeover(run, settings):
    first = scanning_services.scan_run_claim(scan_run_id=run.pk)
    _age(first, settings.DEBTBOARD_SCAN_HEARTBEAT_TIMEOUT_SECONDS + 1)
    scanning_services.scan_run_claim(scan_run_id=run.pk)
    with pytest.raises(scanning_services.ScanTakenOver), transaction.atomic():
        scanning_services.scan_run_store(scan_run=first, tree=TreeScan(), commit="abc")
    assert heartbeat.beat(first.pk, first.claim_token) == 0


def test_a_beat_keeps_the_claim_alive(run, settings):
    claimed = scanning_services.scan_run_claim(scan_run_id=run.pk)
    _age(claimed, settings.DEBTBOARD_SCAN_HEARTBEAT_TIMEOUT_SECONDS + 1)
    assert heartbeat.beat(claimed.pk, claimed.claim_token) == 1
    assert scanning_services.scan_run_claim(scan_run_id=run.pk) is None


def test_two_requests_racing_make_one_run(repository, monkeypatch):
    existing = scanning_services.scan_run_create(repository=repository)[0]
    real_active = ScanRunQuerySet.active
    calls = []

    def blind_first_time(self):
        # The race: this request looked before the other one's run was committed.
        calls.append(1)
        return self.none() if len(calls) == 1 else real_active(self)

    monkeypatch.setattr(ScanRunQuerySet, "active", blind_first_time)
    run, created = scanning_services.scan_run_create(repository=repository)
    assert (run.pk, created) == (existing.pk, False)
    assert ScanRun.objects.filter(repository=repository).count() == 1


def test_reaper_fails_only_hopeless_runs(repository, settings):
    hopeless = scanning_services.scan_run_create(repository=repository)[0]
    scanning_services.scan_run_claim(scan_run_id=hopeless.pk)
    ScanRun.objects.filter(pk=hopeless.pk).update(attempts=settings.DEBTBOARD_SCAN_MAX_ATTEMPTS)
    _age(hopeless, settings.DEBTBOARD_SCAN_HEARTBEAT_TIMEOUT_SECONDS + 1)
    other = factories.repository(repository.team)
    retryable = scanning_services.scan_run_create(repository=other)[0]
    scanning_services.scan_run_claim(scan_run_id=retryable.pk)
    _age(retryable, settings.DEBTBOARD_SCAN_HEARTBEAT_TIMEOUT_SECONDS + 1)

    assert scanning_services.scan_runs_reap() == 1
    hopeless.refresh_from_db()
    retryable.refresh_from_db()
    assert hopeless.status == ScanStatus.FAILED
    assert "stopped responding" in hopeless.error
    assert retryable.status == ScanStatus.RUNNING


@pytest.mark.django_db(transaction=True)
def test_database_outage_releases_the_run_for_a_retry(tmp_path, monkeypatch):
    team = factories.team()
    path = factories.git_repository(tmp_path / "r", {"requirements.txt": "leftpad\n"})
    repository = factories.repository(team, location=str(path))
    run = scanning_services.scan_run_create(repository=repository)[0]

    def outage(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(scans, "records_reconcile", outage)
    with pytest.raises(decision_services.ScanInterrupted):
        decision_services.repository_scan(repository_id=repository.pk, scan_run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ScanStatus.QUEUED
    assert not run.claim_token
    monkeypatch.undo()
    done = decision_services.repository_scan(repository_id=repository.pk, scan_run_id=run.pk)
    assert done.status == ScanStatus.SUCCEEDED
    assert done.attempts == 2


def test_a_duplicate_delivery_of_a_live_run_asks_to_retry(run):
    scanning_services.scan_run_claim(scan_run_id=run.pk)
    with pytest.raises(decision_services.ScanBusy):
        decision_services.repository_scan(repository_id=run.repository_id, scan_run_id=run.pk)


def test_a_finished_run_is_left_alone(run):
    ScanRun.objects.filter(pk=run.pk).update(status=ScanStatus.SUCCEEDED)
    assert (
        decision_services.repository_scan(repository_id=run.repository_id, scan_run_id=run.pk)
        is None
    )
