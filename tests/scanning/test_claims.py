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


def test_reaper_fails_hopeless_runs_and_queues_the_others_again_at_once(
    repository, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from decisions import tasks

    hopeless = scanning_services.scan_run_create(repository=repository)[0]
    scanning_services.scan_run_claim(scan_run_id=hopeless.pk)
    ScanRun.objects.filter(pk=hopeless.pk).update(attempts=settings.DEBTBOARD_SCAN_MAX_ATTEMPTS)
    _age(hopeless, settings.DEBTBOARD_SCAN_HEARTBEAT_TIMEOUT_SECONDS + 1)
    other = factories.repository(repository.team)
    retryable = scanning_services.scan_run_create(repository=other)[0]
    scanning_services.scan_run_claim(scan_run_id=retryable.pk)
    _age(retryable, settings.DEBTBOARD_SCAN_HEARTBEAT_TIMEOUT_SECONDS + 1)
    alive = factories.repository(repository.team)
    running = scanning_services.scan_run_create(repository=alive)[0]
    scanning_services.scan_run_claim(scan_run_id=running.pk)
    queued = []
    monkeypatch.setattr(
        tasks.scan_repository_task, "delay", lambda *a, **kw: queued.append((a, kw))
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.reap_stale_scans_task() == 2
    hopeless.refresh_from_db()
    retryable.refresh_from_db()
    running.refresh_from_db()
    assert hopeless.status == ScanStatus.FAILED
    assert "stopped responding" in hopeless.error
    assert retryable.status == ScanStatus.QUEUED
    assert "stopped responding" in retryable.progress_message
    assert queued == [((other.pk,), {"scan_run_id": retryable.pk})]
    assert running.status == ScanStatus.RUNNING  # its heartbeat is alive: left alone
    # A second reap finds nothing to do.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.reap_stale_scans_task() == 0
    assert len(queued) == 1


def test_scan_now_takes_over_a_run_whose_heartbeat_stopped(
    run, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from decisions import tasks

    dead = scanning_services.scan_run_claim(scan_run_id=run.pk)
    _age(dead, settings.DEBTBOARD_SCAN_HEARTBEAT_TIMEOUT_SECONDS + 1)
    queued = []
    monkeypatch.setattr(
        tasks.scan_repository_task, "delay", lambda *a, **kw: queued.append((a, kw))
    )
    with django_capture_on_commit_callbacks(execute=True):
        answer = decision_services.scan_request(repository=dead.repository)
    assert answer.status == ScanStatus.QUEUED
    assert queued == [((dead.repository_id,), {"scan_run_id": answer.pk})]
    claimed = scanning_services.scan_run_claim(scan_run_id=answer.pk)
    assert claimed is not None and claimed.claim_token != dead.claim_token
    with pytest.raises(scanning_services.ScanTakenOver), transaction.atomic():
        scanning_services.scan_run_store(scan_run=dead, tree=TreeScan(), commit="abc")


def test_scan_now_on_a_dead_hopeless_run_fails_it_and_starts_afresh(
    run, settings, django_capture_on_commit_callbacks
):
    dead = scanning_services.scan_run_claim(scan_run_id=run.pk)
    ScanRun.objects.filter(pk=dead.pk).update(attempts=settings.DEBTBOARD_SCAN_MAX_ATTEMPTS)
    _age(dead, settings.DEBTBOARD_SCAN_HEARTBEAT_TIMEOUT_SECONDS + 1)
    with django_capture_on_commit_callbacks(execute=False):
        answer = decision_services.scan_request(repository=dead.repository)
    dead.refresh_from_db()
    assert dead.status == ScanStatus.FAILED
    assert answer.pk != dead.pk and answer.status == ScanStatus.QUEUED


def test_scan_now_leaves_a_live_run_alone(run, django_capture_on_commit_callbacks):
    live = scanning_services.scan_run_claim(scan_run_id=run.pk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        answer = decision_services.scan_request(repository=live.repository)
    assert answer.pk == live.pk and answer.status == ScanStatus.RUNNING
    assert callbacks == []


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
