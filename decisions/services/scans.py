"""Scanning a repository and turning what the scan found into decision records."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, close_old_connections, transaction
from django.utils import timezone

from decisions import scoring
from decisions.models import CLOSED_STATES, DecisionRecord, Kind, Notification, State
from decisions.services import workflow
from decisions.services.history import event_write
from decisions.services.notifications import notify
from inventory.models import Package, Repository
from scanning import heartbeat
from scanning import services as scanning_services
from scanning.distributions.mapping import ImportMap
from scanning.models import ScanRun
from scanning.rules.unused import is_used, used_names
from scanning.types import Finding, TreeScan

logger = logging.getLogger(__name__)

# Kinds whose decided outcome is that the package leaves the repository.
REMOVAL_KINDS = frozenset({"unused", "dev-in-prod", "misplaced-dev", "typosquat"})
_WATCHED = frozenset({State.IN_REVIEW_WINDOW, State.DONE})


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
        if scanning_services.scan_run_is_busy(scan_run_id=scan_run_id):
            # Alive elsewhere, or dead with a heartbeat not yet stale: look again later, so
            # a run whose worker died is never left without a task to finish it.
            raise ScanBusy(f"scan run {scan_run_id} is running elsewhere")
        return None
    try:
        with heartbeat.beating(scan_run.pk, scan_run.claim_token):
            tree, commit = scanning_services.scan_run_collect(scan_run=scan_run)
            scanning_services.scan_run_progress(scan_run=scan_run, percent=90, message="Saving")
            with transaction.atomic():
                scanning_services.scan_run_store(scan_run=scan_run, tree=tree, commit=commit)
                records_reconcile(
                    scan_run=scan_run, findings=tree.findings, present=present_in(tree)
                )
                _artifact_stores_reevaluate_later(team_id=scan_run.repository.team_id)
    except scanning_services.ScanTakenOver:
        logger.warning("scan taken over repository=%s scan_run=%s", repository_id, scan_run.pk)
        return None
    except (OperationalError, InterfaceError) as exc:
        # The database went away mid-scan: nothing was stored (one transaction); give the
        # run back and let the task retry once the database is back.
        close_old_connections()
        try:
            scanning_services.scan_run_release(scan_run=scan_run)
        except (OperationalError, InterfaceError):
            close_old_connections()  # still down: the stale heartbeat lets the retry claim it
        raise ScanInterrupted(str(exc)) from exc
    except Exception as exc:
        logger.exception(
            "scan error repository=%s scan_run=%s", scan_run.repository_id, scan_run.pk
        )
        scanning_services.scan_run_fail(scan_run=scan_run, error=f"{type(exc).__name__}: {exc}")
    scan_run.refresh_from_db()
    return scan_run


def _artifact_stores_reevaluate_later(*, team_id: int) -> None:
    """After the scan commits, match the team's artifact stores against the new references
    (a reference that appeared again reopens its record)."""
    from decisions import tasks
    from inventory.models import ArtifactStore

    for store_id in ArtifactStore.objects.filter(team_id=team_id, is_active=True).values_list(
        "pk", flat=True
    ):
        transaction.on_commit(
            lambda store_id=store_id: tasks.reevaluate_artifact_store_task.delay(store_id)
        )


class ScanInterrupted(Exception):
    """The scan could not finish for a passing reason (database restart); retry it."""


class ScanBusy(Exception):
    """Another worker holds the run with a live heartbeat; check again after the timeout."""


def present_in(tree: TreeScan) -> Callable[[str], bool]:
    """Whether a distribution is still declared or used anywhere in the scanned tree."""
    declared = {d.name for d in tree.declarations}
    import_map = ImportMap(tree.provided)
    imports, distributions = used_names(tree.usages, import_map=import_map)
    return lambda name: (
        name in declared or is_used(name, imports, distributions, import_map=import_map)
    )


def records_reconcile(
    *,
    scan_run: ScanRun,
    findings: list[Finding],
    present: Callable[[str], bool] | None = None,
) -> None:
    """Turn a scan's findings into decision records (call inside the scan's transaction).

    - new finding → a new unowned record in ``new``;
    - still present → summary refreshed;
    - gone while untouched (``new``) → ``done``, verified by this scan;
    - a removal in its review window, gone and the window closed → ``done``;
    - a removed package declared or used again → watch signal: ``reopened``, owner notified.
    """
    present = present or (lambda name: False)
    repository = scan_run.repository
    today = timezone.localdate()
    existing = {
        (r.subject, r.kind): r
        for r in DecisionRecord.objects.filter(repository=repository)
        # Artifact versions are reconciled by their store's inventory (services.artifacts).
        .exclude(kind=Kind.ARTIFACT_VERSION)
        .select_related("owner")
    }
    packages = {p.name: p for p in Package.objects.filter(name__in={f.subject for f in findings})}
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
                severity=finding.severity,
                last_seen_scan=scan_run,
                **scoring.initial_scores(finding.kind, finding.severity),
            )
            event_write(record, "state", "", State.NEW, comment="Found by scan")
            continue
        record.summary = finding.summary[:500]
        record.last_seen_scan = scan_run
        if finding.severity and finding.severity != record.severity:
            # Kept as an event so charts show each day's severity, not today's.
            event_write(
                record,
                "severity",
                record.severity,
                finding.severity,
                comment="Severity changed with the advisories",
            )
            record.severity = finding.severity
        if record.state == State.KEPT:
            if record.review_date is not None and record.review_date <= today:
                _reopen(record, f"Kept until {record.review_date}; the review date has passed")
        elif record.state in CLOSED_STATES:
            _reopen(record, "Watch signal: found again by scan")
        elif record.state == State.IN_REVIEW_WINDOW and record.kind in REMOVAL_KINDS:
            workflow.record_change_not_made(record=record, scan_run=scan_run)
        record.save(
            update_fields=[
                "summary",
                "severity",
                "last_seen_scan",
                "state",
                "review_window_end",
                "updated_at",
            ]
        )
    for key, record in existing.items():
        if key in seen:
            continue
        if record.kind in REMOVAL_KINDS and record.state in _WATCHED and present(record.subject):
            if record.state != State.REOPENED:
                _reopen(record, f"Watch signal: {record.subject} is declared or used again")
                record.save(update_fields=["state", "review_window_end", "updated_at"])
        elif record.state == State.NEW:
            event_write(
                record, "state", record.state, State.DONE, comment="No longer found by scan"
            )
            record.state = State.DONE
            record.save(update_fields=["state", "updated_at"])
        elif record.state == State.IN_REVIEW_WINDOW and (
            record.review_window_end is not None and record.review_window_end <= today
        ):
            event_write(
                record,
                "state",
                record.state,
                State.DONE,
                comment=f"Window closed {record.review_window_end}; scan confirms it is gone",
            )
            record.state = State.DONE
            record.save(update_fields=["state", "updated_at"])


def _reopen(record: DecisionRecord, reason: str) -> None:
    event_write(record, "state", record.state, State.REOPENED, comment=reason)
    record.state = State.REOPENED
    record.review_window_end = None
    notify(
        user=record.owner,
        record=record,
        kind=Notification.Kind.WATCH_SIGNAL,
        message=f"{reason} in {record.repository}.",
    )
