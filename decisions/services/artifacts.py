"""Deep mode: inventories of artifact stores, their candidates as decision records, the plan.

The records are of kind ``artifact-version`` and hang on the store's ``records_repository``,
so they go through the usual workflow (owner, approval, review window) and access rules.
Debtboard never deletes anything from a store: the plan it exports is for the owner to apply.
"""

from __future__ import annotations

import csv
import io
import logging
from datetime import UTC

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from decisions import scoring
from decisions.exports import neutralise_formula
from decisions.models import CLOSED_STATES, DecisionRecord, Kind, State
from decisions.services.history import event_new, event_write, events_write
from decisions.services.scans import _reopen
from inventory.models import ArtifactStore
from inventory.text import reveal
from scanning.artifacts import listing, plan
from scanning.artifacts import services as artifact_services
from scanning.artifacts.models import ArtifactVersion, InventoryRun

logger = logging.getLogger(__name__)

# Approved or past: the owner has been told it may go, so a new reference must reopen it.
_WATCHED = frozenset({State.APPROVED, State.IN_REVIEW_WINDOW, State.DONE})
# States whose approval the exported plan carries out.
PLAN_STATES = frozenset({State.APPROVED, State.IN_REVIEW_WINDOW})


def inventory_request(*, store: ArtifactStore, requested_by=None) -> InventoryRun:
    """Queue an inventory of ``store`` (reuses one already queued or running)."""
    from decisions import tasks

    run, created = artifact_services.inventory_run_create(store=store, requested_by=requested_by)
    # A run still queued, or running with a dead worker, is queued again: whichever delivery
    # claims it first runs it, the others find it taken and do nothing.
    if created or artifact_services.inventory_run_claimable(run=run):
        transaction.on_commit(lambda: tasks.inventory_artifact_store_task.delay(run.pk))
    return run


def store_inventory(*, run_id: int) -> InventoryRun | None:
    """Run one queued inventory: list, then store, match and reconcile in one transaction.

    Idempotent: a finished run, or one running elsewhere, is left alone (None). A failure
    (access denied, endpoint unreachable, anything) is recorded on the run and the store's
    previous objects, versions and records stay as they were.
    """
    run = artifact_services.inventory_run_claim(run_id=run_id)
    if run is None:
        return None
    try:
        listed = artifact_services.inventory_run_collect(run=run)
        with transaction.atomic():
            evaluation = artifact_services.inventory_run_store(run=run, listed=listed)
            artifact_records_reconcile(store=run.store, evaluation=evaluation)
    except listing.ListingError as exc:
        artifact_services.inventory_run_fail(run=run, error=str(exc))
    except Exception as exc:
        logger.exception("inventory error store=%s run=%s", run.store_id, run.pk)
        artifact_services.inventory_run_fail(run=run, error=f"{type(exc).__name__}: {exc}")
    run.refresh_from_db()
    return run


def store_reevaluate(*, store_id: int) -> None:
    """Match the stored inventory against the team's latest scans again (after a scan)."""
    store = ArtifactStore.objects.filter(pk=store_id, is_active=True).first()
    if store is None or not store.inventory_runs.succeeded().exists():
        return
    with transaction.atomic():
        evaluation = artifact_services.store_evaluate(store=store)
        artifact_records_reconcile(store=store, evaluation=evaluation)


def subject_of(store: ArtifactStore, version: ArtifactVersion) -> str:
    return subject_root(store) + version.prefix


def subject_root(store: ArtifactStore) -> str:
    """What the subjects of the store's records start with (its location, ending in "/")."""
    return store.location if store.location.endswith("/") else store.location + "/"


def artifact_records_reconcile(
    *, store: ArtifactStore, evaluation: artifact_services.Evaluation
) -> None:
    """Turn a store's verdicts into decision records (inside the caller's transaction).

    - a new candidate → a new unowned record in ``new``;
    - still a candidate → summary refreshed; a candidate again whose record is ``done``
      (closed as used, or gone and back) → ``reopened``;
    - approved, in its window or done, and referenced again → watch signal: ``reopened``;
    - untouched (``new``) and no longer a candidate, or gone from the store → ``done``;
    - in its window, the window over and the version gone from the store → ``done``.
    With incomplete evidence (a repository never scanned) nothing is created or closed: only
    references that appeared again reopen records.
    """
    repository = store.records_repository
    root = subject_root(store)
    existing = {
        r.subject: r
        for r in DecisionRecord.objects.filter(
            repository=repository, kind=Kind.ARTIFACT_VERSION, subject__startswith=root
        ).select_related("owner", "repository")
    }
    today = timezone.localdate()
    seen: set[str] = set()
    created: list[DecisionRecord] = []
    for row, verdict in evaluation.verdicts:
        subject = subject_of(store, row)
        seen.add(subject)
        record = existing.get(subject)
        if verdict.is_candidate:
            if record is None:
                created.append(_new_record(repository, subject, row))
            else:
                record.summary = _summary(row)
                if (
                    record.state == State.KEPT
                    and record.review_date
                    and record.review_date <= today
                ):
                    _reopen(record, f"Kept until {record.review_date}; the review date has passed")
                elif record.state == State.DONE:
                    # Closed as used or gone, and now old and unused (again): back to triage.
                    _reopen(record, f"Candidate again: {row.reason}")
                record.save(update_fields=["summary", "state", "review_window_end", "updated_at"])
            continue
        if record is None:
            continue
        if verdict.references and record.state in _WATCHED:
            first = row.references[0]
            where = f"{first['repository']}:{first['path']}:{first['line']}".lstrip(":")
            _reopen(record, f"Watch signal: {subject} is referenced again at {where}")
            record.summary = _summary(row)
            record.save(update_fields=["summary", "state", "review_window_end", "updated_at"])
        elif evaluation.evidence_complete and record.state == State.NEW:
            _close(record, f"No longer a candidate: {row.reason}")
        elif record.state not in CLOSED_STATES:
            record.summary = _summary(row)
            record.save(update_fields=["summary", "updated_at"])
    # Thousands of new candidates on a first inventory: one query for them, one for their events.
    DecisionRecord.objects.bulk_create(created, batch_size=500)
    events_write(
        [
            event_new(record, "state", "", State.NEW, comment="Found by inventory")
            for record in created
        ]
    )
    if not evaluation.evidence_complete:
        return
    for subject, record in existing.items():
        if subject in seen:
            continue
        if record.state == State.NEW:
            _close(record, "No longer in the store")
        elif (
            record.state == State.IN_REVIEW_WINDOW
            and record.review_window_end is not None
            and record.review_window_end <= today
        ):
            _close(
                record,
                f"Window closed {record.review_window_end}; the inventory confirms it is gone",
            )


def _new_record(repository, subject: str, row: ArtifactVersion) -> DecisionRecord:
    cold = settings.DEBTBOARD_ARTIFACT_COLD_STORAGE_CLASS
    return DecisionRecord(
        repository=repository,
        subject=subject[:1000],
        kind=Kind.ARTIFACT_VERSION,
        summary=_summary(row),
        first_reversible_move=(
            f"Transition the version's objects to {cold} by the exported lifecycle rule "
            f"(where the plan selects by tag, apply its {plan.TAG_KEY} tags first); "
            "nothing is deleted before the review window ends."
        ),
        watch_signal=(
            "A reference to this version appears again in a scan of the team's repositories."
        ),
        rollback_notes=(
            f"Remove the version's lifecycle rule (or its objects' {plan.TAG_KEY} tag) and "
            f"restore the objects from {cold}."
        ),
        **scoring.initial_scores(Kind.ARTIFACT_VERSION),
    )


def _close(record: DecisionRecord, reason: str) -> None:
    event_write(record, "state", record.state, State.DONE, comment=reason)
    record.state = State.DONE
    record.save(update_fields=["state", "updated_at"])


def _summary(row: ArtifactVersion) -> str:
    size = _human_size(row.size_bytes)
    text = (
        f"{row.model or '(root)'} {row.version}: {row.objects_count} objects, {size}, "
        f"~${row.monthly_cost:.2f}/month, last written {row.last_modified.date()}; {row.reason}"
    )
    return text[:500]


def _human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{value:.1f} {unit}" if unit != "B" else f"{size} B"
        value /= 1024
    return f"{size} B"


def plan_items(*, store: ArtifactStore) -> list[plan.PlanItem]:
    """The versions of ``store`` whose records an owner approved, for the deletion plan."""
    return _plan(store=store)[0]


def _plan(*, store: ArtifactStore) -> tuple[list[plan.PlanItem], list[str]]:
    """The plan's items, and every key the store's last inventory grouped (full keys)."""
    root = subject_root(store)
    records = {
        r.subject: r
        for r in DecisionRecord.objects.filter(
            repository=store.records_repository,
            kind=Kind.ARTIFACT_VERSION,
            subject__startswith=root,
            state__in=PLAN_STATES,
        ).select_related("owner")
    }
    items = []
    known: list[str] = []
    for row in ArtifactVersion.objects.filter(store=store).order_by("model", "version"):
        keys = [(store.prefix + o[0], o[3]) for o in row.object_list]
        known.extend(key for key, _ in keys)
        record = records.get(subject_of(store, row))
        if record is None:
            continue
        items.append(
            plan.PlanItem(
                store=store.name,
                location=store.location,
                model=row.model,
                version=row.version,
                prefix=store.prefix + row.prefix,
                objects=row.objects_count,
                size_bytes=row.size_bytes,
                monthly_cost=row.monthly_cost,
                last_modified=row.last_modified.date(),
                state=record.state,
                owner=str(record.owner or ""),
                expire_on=record.review_window_end,
                layout=row.layout,
                keys=tuple(keys),
            )
        )
    return items, known


def plan_csv(*, store: ArtifactStore) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(plan.CSV_COLUMNS)
    cold = settings.DEBTBOARD_ARTIFACT_COLD_STORAGE_CLASS
    for row in plan.plan_rows(plan_items(store=store), cold_storage_class=cold):
        writer.writerow([neutralise_formula(reveal(cell)) for cell in row])
    return out.getvalue()


def plan_lifecycle(*, store: ArtifactStore) -> plan.LifecyclePlan:
    """The lifecycle rules of the plan, and the object tags the owner applies before them
    (none while every version has an exact prefix rule and there are at most 1,000)."""
    items, known = _plan(store=store)
    return plan.lifecycle_plan(
        items,
        cold_storage_class=settings.DEBTBOARD_ARTIFACT_COLD_STORAGE_CLASS,
        versioned=store.versioned,
        today=timezone.now().astimezone(UTC).date(),
        known_keys=known,
    )


def plan_lifecycle_json(*, store: ArtifactStore) -> str:
    return plan.plan_json(plan_lifecycle(store=store))


def plan_tagging_csv(*, store: ArtifactStore) -> str:
    """bucket, key, version id, tag (``key=value``) per object version the rules select by tag.

    Input for the owner's tagging script, so keys are written exactly as stored (no formula
    quote, which would name another object)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(plan.TAGGING_COLUMNS)
    for key, version_id, tag in plan_lifecycle(store=store).tagging:
        writer.writerow([store.bucket, key, version_id, tag])
    return out.getvalue()
