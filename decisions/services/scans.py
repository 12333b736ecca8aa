"""Writes of the decisions app. Every change to a record writes a DecisionEvent."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from decisions.models import CLOSED_STATES, DecisionEvent, DecisionRecord, State
from inventory.models import Repository
from scanning import services as scanning_services
from scanning.models import ScanRun
from scanning.types import Finding

logger = logging.getLogger(__name__)

# Fields people may change on a record, with how each is shown in the history.
EDITABLE_FIELDS = ("owner", "next_action", "review_date")


def scan_request(*, repository: Repository, requested_by=None) -> ScanRun:
    """Queue a scan (and reconciliation) of ``repository``; reuses one already queued."""
    from decisions import tasks

    run, created = scanning_services.scan_run_create(
        repository=repository, requested_by=requested_by
    )
    if created:
        transaction.on_commit(
            lambda: tasks.scan_repository_task.delay(repository.pk, scan_run_id=run.pk)
        )
    return run


def repository_scan(*, repository_id: int, scan_run_id: int | None = None) -> ScanRun | None:
    """Run one queued scan to the end: read, then store and reconcile in one transaction.

    Without ``scan_run_id`` a run is created (or the active one reused) first.

    Idempotent: a run that is finished, or running elsewhere, is left alone (returns None), so
    a redelivered task does nothing twice. On any error the run is marked failed with the
    message and the repository's previous manifests, evidence and records stay as they were.
    """
    if scan_run_id is None:
        repository = Repository.objects.filter(pk=repository_id, is_active=True).first()
        if repository is None:
            return None
        scan_run_id = scanning_services.scan_run_create(repository=repository)[0].pk
    scan_run = scanning_services.scan_run_claim(scan_run_id=scan_run_id)
    if scan_run is None:
        return None
    try:
        tree, commit = scanning_services.scan_run_collect(scan_run=scan_run)
        scanning_services.scan_run_progress(scan_run=scan_run, percent=90, message="Saving")
        with transaction.atomic():
            scanning_services.scan_run_store(scan_run=scan_run, tree=tree, commit=commit)
            records_reconcile(scan_run=scan_run, findings=tree.findings)
    except Exception as exc:
        logger.exception(
            "scan error repository=%s scan_run=%s", scan_run.repository_id, scan_run.pk
        )
        scanning_services.scan_run_fail(scan_run=scan_run, error=f"{type(exc).__name__}: {exc}")
    scan_run.refresh_from_db()
    return scan_run


def _event(
    record: DecisionRecord, field: str, old: Any, new: Any, *, actor=None, comment=""
) -> None:
    DecisionEvent.objects.create(
        record=record,
        actor=actor,
        field=field,
        old_value="" if old is None else str(old),
        new_value="" if new is None else str(new),
        comment=comment,
    )


def records_reconcile(*, scan_run: ScanRun, findings: list[Finding]) -> None:
    """Turn a scan's findings into decision records (call inside the scan's transaction).

    New finding → a new unowned record. Still present → summary refreshed. Gone while still
    untouched (new) → closed as done, verified by this scan. Back after it was closed →
    reopened: the watch signal fired.
    """
    repository = scan_run.repository
    existing = {
        (r.subject, r.kind): r for r in DecisionRecord.objects.filter(repository=repository)
    }
    packages = {p.name: p for p in _packages(findings)}
    seen: set[tuple[str, str]] = set()
    for finding in findings:
        key = (finding.subject, finding.kind)
        seen.add(key)
        record = existing.get(key)
        if record is None:
            record = DecisionRecord.objects.create(
                repository=repository,
                package=packages.get(finding.subject),
                subject=finding.subject,
                kind=finding.kind,
                summary=finding.summary[:500],
                last_seen_scan=scan_run,
            )
            _event(record, "state", "", State.NEW, comment="Found by scan")
            continue
        record.summary = finding.summary[:500]
        record.last_seen_scan = scan_run
        if record.state in CLOSED_STATES:
            _event(
                record, "state", record.state, State.REOPENED, comment="Watch signal: found again"
            )
            record.state = State.REOPENED
        record.save(update_fields=["summary", "last_seen_scan", "state", "updated_at"])
    for key, record in existing.items():
        if key not in seen and record.state == State.NEW:
            _event(record, "state", record.state, State.DONE, comment="No longer found by scan")
            record.state = State.DONE
            record.save(update_fields=["state", "updated_at"])


def _packages(findings: list[Finding]):
    from inventory.models import Package

    return Package.objects.filter(name__in={f.subject for f in findings})


def record_update(
    *, record: DecisionRecord, actor, changes: dict[str, Any], comment: str = ""
) -> DecisionRecord:
    """Apply people's edits to ``record`` and write one history event per changed field."""
    if not DecisionRecord.objects.editable_by(actor).filter(pk=record.pk).exists():
        raise PermissionDenied("You cannot change this record.")
    with transaction.atomic():
        locked = DecisionRecord.objects.select_for_update().get(pk=record.pk)
        before = {name: getattr(locked, name) for name in changes}
        for name, value in changes.items():
            if name not in EDITABLE_FIELDS:
                raise ValueError(f"{name} cannot be edited here")
            setattr(locked, name, value)
        locked.full_clean()
        changed = {n: old for n, old in before.items() if old != getattr(locked, n)}
        if not changed:
            return locked
        if locked.state == State.NEW:
            _event(locked, "state", locked.state, State.TRIAGED, actor=actor, comment="Triaged")
            locked.state = State.TRIAGED
        locked.save()
        for name, old in changed.items():
            _event(
                locked,
                name,
                _shown(old),
                _shown(getattr(locked, name)),
                actor=actor,
                comment=comment,
            )
    return locked


def _shown(value: Any) -> str:
    if value is None:
        return ""
    return getattr(value, "username", None) or str(value)
