"""Writes of artifact-store inventories: runs, the objects and versions a run stores, and the
verdicts (candidate or not, and why) that the references in the team's scans give them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from inventory import locations, secrets
from inventory.models import ArtifactStore, Repository, StoreKind
from scanning.artifacts import layout, listing, matching, references
from scanning.artifacts.models import ArtifactVersion, InventoryRun, InventoryStatus
from scanning.models import Evidence, ScanRun, ScanStatus

logger = logging.getLogger(__name__)

# A run still "running" this long after it started belongs to a dead worker.
STALE_AFTER = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 300)
_REFERENCES_KEPT = 50


def inventory_run_create(*, store: ArtifactStore, requested_by=None) -> tuple[InventoryRun, bool]:
    """A queued run for ``store`` (an active one is reused). Returns (run, created)."""
    active = InventoryRun.objects.filter(
        store=store, status__in=[InventoryStatus.QUEUED, InventoryStatus.RUNNING]
    ).first()
    if active is not None:
        return active, False
    try:
        with transaction.atomic():
            return InventoryRun.objects.create(store=store, requested_by=requested_by), True
    except IntegrityError:
        return InventoryRun.objects.get(
            store=store, status__in=[InventoryStatus.QUEUED, InventoryStatus.RUNNING]
        ), False


def inventory_run_claim(*, run_id: int) -> InventoryRun | None:
    """Take a queued run (or one whose worker died); None when finished or running elsewhere."""
    now = timezone.now()
    claimable = Q(status=InventoryStatus.QUEUED) | Q(
        status=InventoryStatus.RUNNING, started_at__lt=now - STALE_AFTER
    )
    claimed = (
        InventoryRun.objects.filter(pk=run_id)
        .filter(claimable)
        .update(status=InventoryStatus.RUNNING, started_at=now, progress_message="Starting")
    )
    if not claimed:
        return None
    return InventoryRun.objects.select_related("store").get(pk=run_id)


def inventory_run_claimable(*, run: InventoryRun) -> bool:
    """Queued, or running so long its worker must have died."""
    if run.status == InventoryStatus.QUEUED:
        return True
    stale = timezone.now() - STALE_AFTER
    return run.status == InventoryStatus.RUNNING and (
        run.started_at is None or run.started_at < stale
    )


def inventory_run_progress(*, run: InventoryRun, pages: int, objects: int) -> None:
    InventoryRun.objects.filter(pk=run.pk).update(
        pages=pages,
        objects_seen=objects,
        progress_message=f"Listed {objects} objects ({pages} pages)",
    )


def inventory_run_collect(*, run: InventoryRun) -> listing.Listed:
    """List the store (no writes but progress). Raises ``listing.ListingError``."""
    store = run.store

    def progress(pages: int, objects: int) -> None:
        inventory_run_progress(run=run, pages=pages, objects=objects)

    max_objects = settings.DEBTBOARD_ARTIFACT_MAX_OBJECTS
    if store.kind == StoreKind.DIRECTORY:
        if not settings.DEBTBOARD_ALLOW_LOCAL_REPOSITORIES:
            raise listing.ListingError(
                "Directory stores are turned off (DEBTBOARD_ALLOW_LOCAL_REPOSITORIES)."
            )
        return listing.list_directory(
            Path(store.directory), max_objects=max_objects, progress=progress
        )
    return listing.list_s3(store_access(store), max_objects=max_objects, progress=progress)


def store_access(store: ArtifactStore) -> listing.S3Access:
    """How to reach ``store``'s bucket; the endpoint's host is checked as repository hosts are."""
    if store.endpoint_url:
        parts = urlsplit(store.endpoint_url)
        try:
            locations.check_host(
                locations.Location(
                    locations.HTTPS, store.endpoint_url, parts.hostname or "", parts.port
                )
            )
        except ValidationError as exc:
            raise listing.ListingError(" ".join(exc.messages)) from exc
    try:
        key_id, secret = store.credentials()
    except secrets.SecretUnreadable as exc:
        raise listing.ListingError(str(exc)) from exc
    return listing.S3Access(
        bucket=store.bucket,
        prefix=store.prefix,
        endpoint_url=store.endpoint_url,
        region=store.region,
        access_key_id=key_id,
        secret_access_key=secret,
        server_credentials=settings.DEBTBOARD_ARTIFACT_ALLOW_SERVER_CREDENTIALS,
    )


def inventory_run_store(*, run: InventoryRun, listed: listing.Listed) -> Evaluation:
    """Replace the store's versions with those ``listed`` forms, each with its verdict; mark
    the run succeeded with its counts.

    Must run inside the caller's transaction: a failure after it (reconciling records) rolls
    it back and the previous inventory stays.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("inventory_run_store must run inside transaction.atomic()")
    store = run.store
    grouping = layout.group(listed.objects)
    judged = _judge(store, grouping.versions)
    ArtifactVersion.objects.filter(store=store).delete()
    rows = []
    for version, verdict in zip(grouping.versions, judged.verdicts, strict=True):
        row = ArtifactVersion(
            store=store,
            inventory_run=run,
            model=version.model[:1000],
            version=version.version[:200],
            prefix=version.prefix[:1024],
            layout=version.layout,
            objects_count=len(version.objects),
            size_bytes=version.size,
            noncurrent_bytes=version.noncurrent_size,
            last_modified=version.last_modified,
            is_newest=verdict.is_newest,
            object_list=[
                [
                    o.key,
                    o.size,
                    o.last_modified.isoformat(),
                    o.version_id,
                    o.is_latest,
                    o.storage_class,
                ]
                for o in version.objects
            ],
        )
        judged.apply(row, verdict)
        rows.append(row)
    ArtifactVersion.objects.bulk_create(rows, batch_size=500)
    now = timezone.now()
    run.status = InventoryStatus.SUCCEEDED
    run.pages = listed.pages
    run.objects_seen = len(listed.objects)
    run.bytes_seen = sum(o.size for o in listed.objects)
    run.versioned = listed.versioned
    run.versions_count = len(rows)
    run.ungrouped_objects = grouping.ungrouped
    run.progress_message = "Done"
    run.error = ""
    run.finished_at = now
    _count_candidates(run, rows, judged.note)
    run.save()
    ArtifactStore.objects.filter(pk=store.pk).update(
        versioned=listed.versioned,
        last_inventory_at=now,
        next_inventory_at=now + store.inventory_interval,
    )
    return Evaluation(list(zip(rows, judged.verdicts, strict=True)), not judged.note, judged.note)


def inventory_run_fail(*, run: InventoryRun, error: str) -> None:
    """Record why a run failed; the store's previous objects, versions and records stay."""
    now = timezone.now()
    InventoryRun.objects.filter(pk=run.pk).update(
        status=InventoryStatus.FAILED,
        error=locations.redact(error)[:5000],
        finished_at=now,
        progress_message="Failed",
    )
    ArtifactStore.objects.filter(pk=run.store_id).update(
        next_inventory_at=now + run.store.inventory_interval
    )
    logger.warning("inventory failed store=%s run=%s", run.store_id, run.pk)


@dataclass
class Evaluation:
    verdicts: list[tuple[ArtifactVersion, matching.Verdict]]
    evidence_complete: bool
    note: str  # why the evidence is incomplete ("" when complete)


def team_references(*, team_id: int) -> tuple[list[tuple[str, references.Reference]], str]:
    """(repository name, reference) from each active repository's latest succeeded scan, and
    a note naming repositories that have none ("" when every one has)."""
    latest: dict[int, int] = {}
    repositories = {
        r.pk: r.name for r in Repository.objects.filter(team_id=team_id, is_active=True)
    }
    rows = (
        ScanRun.objects.filter(repository_id__in=repositories, status=ScanStatus.SUCCEEDED)
        .values("repository_id")
        .annotate(last=Max("finished_at"))
    )
    last_at = {row["repository_id"]: row["last"] for row in rows}
    for run in ScanRun.objects.filter(
        repository_id__in=last_at, status=ScanStatus.SUCCEEDED
    ).values("pk", "repository_id", "finished_at"):
        if run["finished_at"] == last_at[run["repository_id"]]:
            latest[run["repository_id"]] = max(run["pk"], latest.get(run["repository_id"], 0))
    unscanned = sorted(name for pk, name in repositories.items() if pk not in latest)
    note = ""
    if unscanned:
        note = "No successful scan yet of " + ", ".join(unscanned)[:400]
    found = []
    evidence = Evidence.objects.filter(
        scan_run_id__in=latest.values(), kind=references.KIND
    ).values_list("scan_run__repository_id", "detail", "path", "line", "mode")
    for repository_id, text, path, line, mode in evidence.iterator(chunk_size=5000):
        reference = references.parse(text, path=path, line=line, mode=mode)
        if reference is not None:
            found.append((repositories[repository_id], reference))
    return found, note


def store_evaluate(*, store: ArtifactStore) -> Evaluation:
    """Match the store's last inventory against the team's latest references again; save the
    verdicts that changed (after a scan of one of the team's repositories), and that
    inventory's counts with them, so the dashboard's history shows what the store holds now."""
    rows = list(ArtifactVersion.objects.filter(store=store).defer("object_list"))
    judged = _judge(store, [_as_model_version(row) for row in rows])
    changed = [
        row
        for row, verdict in zip(rows, judged.verdicts, strict=True)
        if judged.apply(row, verdict)
    ]
    ArtifactVersion.objects.bulk_update(changed, _VERDICT_FIELDS, batch_size=500)
    if rows:
        run = InventoryRun.objects.get(pk=rows[0].inventory_run_id)
        _count_candidates(run, rows, judged.note)
        run.save(
            update_fields=[
                "candidates_count",
                "reclaimable_bytes",
                "reclaimable_monthly_cost",
                "evidence_note",
            ]
        )
    return Evaluation(list(zip(rows, judged.verdicts, strict=True)), not judged.note, judged.note)


_VERDICT_FIELDS = ["is_newest", "is_candidate", "serving", "reason", "monthly_cost", "references"]


@dataclass
class _Judged:
    verdicts: list[matching.Verdict]
    note: str
    repository_of: dict[int, str]
    price: float

    def apply(self, row: ArtifactVersion, verdict: matching.Verdict) -> bool:
        """Copy ``verdict`` onto ``row``; whether anything changed."""
        before = [getattr(row, name) for name in _VERDICT_FIELDS]
        row.is_newest = verdict.is_newest
        row.is_candidate = verdict.is_candidate
        row.serving = verdict.serving
        row.reason = verdict.reason[:500]
        row.monthly_cost = matching.monthly_cost(row.size_bytes, self.price)
        row.references = [
            {
                "text": r.text[:500],
                "repository": self.repository_of.get(id(r), ""),
                "path": r.path,
                "line": r.line,
                "mode": r.mode,
            }
            for r in verdict.references[:_REFERENCES_KEPT]
        ]
        return before != [getattr(row, name) for name in _VERDICT_FIELDS]


def _judge(store: ArtifactStore, versions: list[layout.ModelVersion]) -> _Judged:
    found, note = team_references(team_id=store.team_id)
    space = matching.StoreSpace(bucket=store.bucket, prefix=store.prefix, directory=store.directory)
    matches = matching.match(versions, (r for _, r in found), space)
    verdicts = matching.judge(
        versions,
        matches,
        now=timezone.now(),
        min_age_days=settings.DEBTBOARD_ARTIFACT_MIN_AGE_DAYS,
        evidence_complete=not note,
    )
    repository_of = {id(reference): name for name, reference in found}
    return _Judged(verdicts, note, repository_of, settings.DEBTBOARD_ARTIFACT_PRICE_PER_GB_MONTH)


def _count_candidates(run: InventoryRun, rows: list[ArtifactVersion], note: str) -> None:
    candidates = [row for row in rows if row.is_candidate]
    run.candidates_count = len(candidates)
    run.reclaimable_bytes = sum(row.size_bytes for row in candidates)
    run.reclaimable_monthly_cost = round(sum(row.monthly_cost for row in candidates), 4)
    run.evidence_note = note[:500]


def _as_model_version(row: ArtifactVersion) -> layout.ModelVersion:
    """A stored version in the shape the matcher reads (one summary object stands for all)."""
    summary = layout.StoredObject(row.prefix, row.size_bytes, row.last_modified)
    return layout.ModelVersion(row.model, row.version, row.prefix, row.layout, [summary])
