"""Scanning a repository and turning what the scan found into decision records."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, close_old_connections, transaction
from django.utils import timezone

from decisions import scoring
from decisions.models import CLOSED_STATES, DecisionRecord, Kind, NextAction, State
from decisions.services import rules, workflow
from decisions.services.history import event_write
from inventory.models import Package, Repository
from scanning import heartbeat, kinds, results
from scanning import selectors as scanning_selectors
from scanning import services as scanning_services
from scanning.models import Evidence, ScanRun
from scanning.results import Unread
from scanning.types import Finding

logger = logging.getLogger(__name__)

# Kinds whose decided outcome is that the package leaves the repository.
REMOVAL_KINDS = kinds.REMOVAL_KINDS
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


def scans_reap() -> int:
    """Fail the dead runs that used up their attempts and queue the other dead ones again."""
    from decisions import tasks

    failed = scanning_services.scan_runs_reap()
    requeued = scanning_services.scan_runs_requeue_dead()
    for run in ScanRun.objects.filter(pk__in=requeued).only("pk", "repository_id"):
        transaction.on_commit(
            lambda run=run: tasks.scan_repository_task.delay(run.repository_id, scan_run_id=run.pk)
        )
    return failed + len(requeued)


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
                    scan_run=scan_run,
                    findings=tree.findings,
                    present=results.present_in(tree),
                    unread=results.unread_of(tree),
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
    except scanning_services.CheckoutError as exc:
        # Not a bug: the run's page says why; scan_run_fail logs it on one line.
        scanning_services.scan_run_fail(scan_run=scan_run, error=f"{type(exc).__name__}: {exc}")
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


def records_reconcile(
    *,
    scan_run: ScanRun,
    findings: list[Finding],
    present: Callable[[str], bool] | None = None,
    unread: Unread | None = None,
) -> None:
    """Turn a scan's findings into decision records (call inside the scan's transaction).

    - a record not found again whose evidence lies in a file this scan could not read
      (``unread``) → left as it was, marked "not re-checked" with the file and why;
    - new finding → a new unowned record in ``new``;
    - still present → summary refreshed;
    - gone while untouched (``new``) → ``done``, verified by this scan;
    - a removal in its review window, gone and the window closed → ``done``;
    - a removed package declared or used again → watch signal: ``reopened``, owner notified.
    """
    present = present or (lambda name: False)
    unread = unread or Unread()
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
    savings = None  # what a removal takes out, from the packages' metadata: read when needed

    def removal_bytes(finding: Finding) -> int:
        nonlocal savings
        if finding.kind not in REMOVAL_KINDS:
            return 0
        if savings is None:
            savings = scanning_selectors.removal_calculator(repository=repository)
        found = savings(finding.subject)
        return found.known_bytes if found is not None else 0

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
                state=State.KEPT if finding.kept else State.NEW,
                **scoring.initial_scores(
                    finding.kind,
                    finding.severity,
                    finding.confidence,
                    removal_bytes=removal_bytes(finding),
                ),
            )
            if finding.kept:
                event_write(record, "state", "", State.KEPT, comment=_kept_comment(finding))
            else:
                event_write(record, "state", "", State.NEW, comment="Found by scan")
            continue
        record.summary = finding.summary[:500]
        record.last_seen_scan = scan_run
        record.unchecked_reason = ""
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
        if finding.kept and (
            record.state == State.NEW
            or (record.state == State.TRIAGED and record.next_action == NextAction.KEEP)
        ):
            # New, or decided "keep" and now written into the repository's configuration
            # (the prevention patch applied): the repository keeps it from here on.
            event_write(record, "state", record.state, State.KEPT, comment=_kept_comment(finding))
            record.state = State.KEPT
        elif record.state == State.KEPT:
            if record.review_date is not None and record.review_date <= today:
                _reopen(record, f"Kept until {record.review_date}; the review date has passed")
            elif not finding.kept and _kept_by_configuration(record):
                _reopen(record, "The repository's configuration no longer keeps it")
        elif record.state in CLOSED_STATES:
            _reopen(record, "Watch signal: found again by scan")
        elif record.state == State.IN_REVIEW_WINDOW and record.kind in REMOVAL_KINDS:
            workflow.record_change_not_made(record=record, scan_run=scan_run)
        record.save(
            update_fields=[
                "summary",
                "severity",
                "last_seen_scan",
                "unchecked_reason",
                "state",
                "review_window_end",
                "updated_at",
            ]
        )
    unseen = [record for key, record in existing.items() if key not in seen]
    evidence_paths = _evidence_paths(unseen)
    for record in unseen:
        reason = unread.why_unchecked(record.kind, evidence_paths.get(record.pk, ()))
        if reason != record.unchecked_reason:
            if reason:
                event_write(record, "re-check", "", reason, comment="Left as it was")
            record.unchecked_reason = reason
            record.save(update_fields=["unchecked_reason", "updated_at"])
        if reason:
            continue  # nothing is known about it this time: it stays as it was
        if record.kind in REMOVAL_KINDS and record.state in _WATCHED and present(record.subject):
            if record.state != State.REOPENED:
                _reopen(record, f"Watch signal: {record.subject} is declared or used again")
                record.save(update_fields=["state", "review_window_end", "updated_at"])
        elif record.state == State.NEW:
            _confirm_gone(record, "No longer found by scan")
        elif record.state == State.IN_REVIEW_WINDOW and (
            record.review_window_end is not None and record.review_window_end <= today
        ):
            _confirm_gone(
                record, f"Window closed {record.review_window_end}; scan confirms it is gone"
            )
    rules.records_after_scan(scan_run=scan_run)


def _kept_comment(finding: Finding) -> str:
    return finding.kept[:1].upper() + finding.kept[1:]


def _kept_by_configuration(record: DecisionRecord) -> bool:
    """Whether the record was last kept because the repository's tool settings said so."""
    last = record.events.filter(field="state").order_by("-created_at", "-id").first()
    return last is not None and last.comment.lower().startswith(results.KEPT)


def _evidence_paths(records: list[DecisionRecord]) -> dict[int, set[str]]:
    """The files each record's evidence came from when a scan last found it.

    A record about a file (a weight file) is its own evidence.
    """
    paths: dict[int, set[str]] = {
        r.pk: ({r.subject} if r.package_id is None else set()) for r in records
    }
    wanted: dict[tuple[int, int], list[int]] = {}
    for record in records:
        if record.package_id is not None and record.last_seen_scan_id is not None:
            wanted.setdefault((record.last_seen_scan_id, record.package_id), []).append(record.pk)
    if wanted:
        rows = Evidence.objects.filter(
            scan_run_id__in={scan for scan, _ in wanted},
            package_id__in={package for _, package in wanted},
        ).values_list("scan_run_id", "package_id", "path")
        for scan_id, package_id, path in rows.distinct():
            for pk in wanted.get((scan_id, package_id), ()):
                paths[pk].add(path)
    return paths


def _reopen(record: DecisionRecord, reason: str) -> None:
    workflow.record_system_move(record=record, move="watch-signal", reason=reason)


def _confirm_gone(record: DecisionRecord, reason: str) -> None:
    workflow.record_system_move(record=record, move="confirm-gone", reason=reason)
    record.save(update_fields=["state", "updated_at"])
