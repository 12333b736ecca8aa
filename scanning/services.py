"""Writes of the scanning app: scan runs, and what a scan stores."""

from __future__ import annotations

import functools
import logging
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from inventory import locations
from inventory.models import Manifest, Package, Repository, Requirement, VulnerabilityService
from scanning import heartbeat, selectors
from scanning.advisories import live
from scanning.advisories import store as advisory_store
from scanning.artifacts import references as artifact_references
from scanning.distributions import mapping
from scanning.engine import pipeline, report
from scanning.git import checkout
from scanning.models import Evidence, GatePolicy, ScanRun, ScanStatus
from scanning.options import scan_options
from scanning.package_cache import importnames, metadata
from scanning.rules import licenses, vulnerable
from scanning.types import Declaration, Finding, TreeScan, Usage

logger = logging.getLogger(__name__)

# The repository could not be read (unreachable, refused location, bad credentials): an
# expected failure whose message is safe to show, not a bug.
CheckoutError = checkout.CheckoutError


class ScanTakenOver(Exception):
    """Another worker claimed this run (we were presumed dead); our results are discarded."""


# A run still "running" after the hard time limit (plus slack) belongs to a dead worker.
STALE_AFTER = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 300)
_MAX_STORED_ERRORS = 500


def scan_run_create(*, repository: Repository, requested_by=None) -> tuple[ScanRun, bool]:
    """A queued run for ``repository``; an already queued or running one is reused.

    Returns (run, created): created is True when the caller must queue a task for the run.
    A partial unique constraint allows one active run per repository, so two requests racing
    each other end with one run, not two. A run whose worker died (its heartbeat is older
    than the timeout) is not reused as it is: it is queued again at once, or failed when it
    used up its attempts and a new run made.
    """
    active = ScanRun.objects.filter(repository=repository).active().first()
    if active is not None and active.status == ScanStatus.RUNNING:
        scan_runs_reap(repository=repository)
        if active.pk in scan_runs_requeue_dead(repository=repository):
            return ScanRun.objects.get(pk=active.pk), True
        active = ScanRun.objects.filter(repository=repository).active().first()
    if active is not None:
        return active, False
    try:
        with transaction.atomic():
            return ScanRun.objects.create(repository=repository, requested_by=requested_by), True
    except IntegrityError:
        return ScanRun.objects.filter(repository=repository).active().get(), False


def _dead() -> Q:
    """Running, with a heartbeat older than the timeout: its worker is gone."""
    return Q(status=ScanStatus.RUNNING, heartbeat_at__lt=heartbeat.stale_before())


def scan_run_claim(*, scan_run_id: int) -> ScanRun | None:
    """Take the run if it is queued, or running with a stopped heartbeat (its worker died).

    Returns the run with a fresh ``claim_token``, or None when it is finished or alive
    elsewhere — which makes a redelivered or duplicated task a no-op.
    """
    now = timezone.now()
    claimable = Q(status=ScanStatus.QUEUED) | _dead()
    token = uuid.uuid4().hex
    claimed = (
        ScanRun.objects.filter(pk=scan_run_id)
        .filter(claimable)
        .update(
            status=ScanStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            claim_token=token,
            attempts=F("attempts") + 1,
            progress=5,
            progress_message="Starting",
        )
    )
    if not claimed:
        return None
    return ScanRun.objects.select_related("repository").get(pk=scan_run_id)


def scan_run_is_busy(*, scan_run_id: int) -> bool:
    """Running elsewhere with a live heartbeat: a duplicate delivery should check back later."""
    return ScanRun.objects.filter(
        pk=scan_run_id, status=ScanStatus.RUNNING, heartbeat_at__gte=heartbeat.stale_before()
    ).exists()


def scan_run_release(*, scan_run: ScanRun) -> None:
    """Give an interrupted run back to the queue (a database outage, say), to be retried."""
    ScanRun.objects.filter(pk=scan_run.pk, claim_token=scan_run.claim_token).update(
        status=ScanStatus.QUEUED, progress_message="Interrupted; will retry", claim_token=""
    )


def scan_runs_reap(*, repository: Repository | None = None) -> int:
    """Fail runs that nobody can finish: dead ones that used up their attempts.

    Dead runs with attempts left are for ``scan_runs_requeue_dead``. Returns how many runs
    were marked failed.
    """
    max_attempts = settings.DEBTBOARD_SCAN_MAX_ATTEMPTS
    hopeless = _dead() & (
        Q(attempts__gte=max_attempts) | Q(heartbeat_at__lt=timezone.now() - STALE_AFTER)
    )
    runs = ScanRun.objects.filter(hopeless)
    if repository is not None:
        runs = runs.filter(repository=repository)
    return runs.update(
        status=ScanStatus.FAILED,
        finished_at=timezone.now(),
        progress_message="Failed",
        claim_token="",
        error="The worker running this scan stopped responding; the previous results are kept.",
    )


def scan_runs_requeue_dead(*, repository: Repository | None = None) -> list[int]:
    """Queue again, at once, the runs whose worker died and that have attempts left.

    Their old claim is dropped (a worker that was only slow finds its run taken over and
    stores nothing). Returns the ids queued again: the caller queues a task for each.
    """
    dead = ScanRun.objects.filter(_dead(), attempts__lt=settings.DEBTBOARD_SCAN_MAX_ATTEMPTS)
    if repository is not None:
        dead = dead.filter(repository=repository)
    requeued = []
    for pk in dead.values_list("pk", flat=True):
        # One conditional update per run: of two callers racing, one queues it.
        if ScanRun.objects.filter(
            _dead(), pk=pk, attempts__lt=settings.DEBTBOARD_SCAN_MAX_ATTEMPTS
        ).update(
            status=ScanStatus.QUEUED,
            claim_token="",
            progress=0,
            progress_message="The worker running this scan stopped responding; queued again",
        ):
            requeued.append(pk)
    return requeued


def scan_run_progress(*, scan_run: ScanRun, percent: int, message: str) -> None:
    ScanRun.objects.filter(pk=scan_run.pk).update(progress=percent, progress_message=message[:200])


def scan_run_collect(*, scan_run: ScanRun) -> tuple[TreeScan, str]:
    """Check the repository out and read it. Returns (tree, commit).

    Writes nothing but progress and the package caches (metadata, import names); the audit
    (vulnerabilities, licences, freshness, where import names came from) is set on
    ``scan_run`` in memory and saved by ``scan_run_store``.
    """
    repository = scan_run.repository

    def progress(percent: int, message: str) -> None:
        scan_run_progress(scan_run=scan_run, percent=percent, message=message)

    progress(7, "Fetching the repository")
    with checkout.checkout(
        repository.location,
        credentials=repository.credentials,
        clone_dir=Path(settings.DEBTBOARD_CLONE_DIR),
        branch=repository.default_branch,
        timeout=settings.DEBTBOARD_GIT_TIMEOUT_SECONDS,
    ) as local:
        tree = pipeline.scan_checkout(
            local.path,
            scan_options(
                cache_key=f"{repository.pk}:{repository.location}",
                known_first_party=repository.known_first_party or (),
                note_shallow_clone=False,
            ),
            provided=importnames.provided_imports,
            audit=functools.partial(audit_declarations, repository=repository),
            progress=progress,
        )
        tree.artifact_references, reference_errors = artifact_references.collect(
            local.path, tree.paths
        )
        commit = local.commit
    tree.errors.extend(reference_errors)
    scan_run.audit = tree.audit
    scan_run.audit_gate = tree.audit["gate"]
    return report.printable_tree(tree), commit


def audit_declarations(
    declarations: list[Declaration],
    *,
    repository: Repository | None = None,
    write_cache: bool = True,
    unread_manifests: dict[str, str] | None = None,
) -> tuple[list[Finding], dict]:
    """Vulnerability, licence and freshness findings, and the run's audit summary.

    Vulnerabilities come from the advisory mirror, or from the live service ``repository``
    opted in to when the installation allows live services. ``write_cache=False`` leaves the
    package-metadata cache as it was (``manage.py scan``).
    """
    names = {d.name for d in declarations if d.name}
    lookup, service = _advisory_lookup(repository, names)
    findings, audit = vulnerable.vulnerability_findings(
        declarations,
        lookup,
        unread_manifests=unread_manifests,
        unscored_policy=settings.DEBTBOARD_UNSCORED_ADVISORY_POLICY,
        # The organisation's threshold; a stored policy that does not read fails the scan
        # loudly rather than auditing against a laxer default.
        cvss_threshold=selectors.gate_policy().cvss_threshold,
    )
    audit.update(service)
    license_found, audit["licenses"] = licenses.license_findings(
        declarations,
        metadata.package_facts(names, write_cache=write_cache),
        denylist=settings.DEBTBOARD_LICENSE_DENYLIST,
        abandoned_after=timedelta(days=365 * settings.DEBTBOARD_ABANDONED_AFTER_YEARS),
        now=timezone.now(),
    )
    return [*findings, *license_found], audit


def _advisory_lookup(
    repository: Repository | None, names: set[str]
) -> tuple[vulnerable.AdvisoryLookup, dict[str, str]]:
    """Where this audit's vulnerabilities come from, and what the audit says about it."""
    wanted = repository.vulnerability_service if repository else VulnerabilityService.MIRROR
    note = ""
    if wanted != VulnerabilityService.MIRROR:
        label = live.LABELS[wanted]
        if settings.DEBTBOARD_ALLOW_LIVE_VULNERABILITY_SERVICES is True:
            service = live.live_service(
                wanted,
                timeout=settings.DEBTBOARD_LIVE_VULNERABILITY_TIMEOUT_SECONDS,
                cache_dir=Path(settings.DEBTBOARD_LIVE_VULNERABILITY_CACHE_DIR),
            )
            lookup = live.LiveLookup(
                service, label=label, severities=advisory_store.severities_by_id()
            )
            return lookup, {
                "service": wanted,
                "checked_against": f"{label} (live)",
                "service_note": "",
            }
        note = (
            f"the repository asks for {label}, but live services are off in this installation "
            "(DEBTBOARD_ALLOW_LIVE_VULNERABILITY_SERVICES): checked against the mirror instead"
        )
    index = advisory_store.index_from_database(names=names)
    return index, {
        "service": VulnerabilityService.MIRROR.value,
        "checked_against": "the local advisory mirror",
        "advisory_freshness": advisory_store.mirror_freshness().text(),
        "service_note": note,
    }


def _packages_by_name(names: set[str]) -> dict[str, Package]:
    Package.objects.bulk_create([Package(name=n) for n in sorted(names)], ignore_conflicts=True)
    return {p.name: p for p in Package.objects.filter(name__in=names)}


def _usage_distribution(usage: Usage, import_map: mapping.ImportMap) -> str:
    if usage.is_distribution:
        return usage.name
    return import_map.resolve(usage.name.split(".")[0]).distribution


def scan_run_store(*, scan_run: ScanRun, tree: TreeScan, commit: str) -> dict[str, Package]:
    """Replace the repository's manifests and store this run's evidence; mark the run succeeded.

    Must run inside the caller's transaction, so a later failure (reconciling decisions, say)
    rolls everything back and the previous results stay intact. Returns packages by name.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("scan_run_store must run inside transaction.atomic()")
    still_ours = ScanRun.objects.select_for_update().filter(
        pk=scan_run.pk, status=ScanStatus.RUNNING, claim_token=scan_run.claim_token
    )
    if not still_ours.exists():
        raise ScanTakenOver(f"scan run {scan_run.pk} was taken over by another worker")
    repository = scan_run.repository
    third_party = [
        u for u in tree.usages if u.is_distribution or u.name.split(".")[0] not in tree.first_party
    ]
    import_map = mapping.ImportMap(tree.provided)
    by_usage = {u: _usage_distribution(u, import_map) for u in third_party}
    names = {d.name for d in tree.declarations} | {f.subject for f in tree.findings}
    names |= set(by_usage.values())
    packages = _packages_by_name({n for n in names if n})

    Manifest.objects.filter(repository=repository).delete()
    requirements: list[Requirement] = []
    for found in tree.manifests:
        manifest = Manifest.objects.create(
            repository=repository,
            path=found.path[:1000],
            kind=found.kind,
            purpose=found.purpose,
            content_hash=found.content_hash,
        )
        requirements += [_requirement(manifest, d, packages) for d in found.declarations]
    Requirement.objects.bulk_create(requirements, batch_size=1000)

    evidence = [_declaration_evidence(scan_run, d, packages) for d in tree.declarations]
    evidence += [_usage_evidence(scan_run, u, packages.get(by_usage[u])) for u in third_party]
    evidence += [_reference_evidence(scan_run, r) for r in tree.artifact_references]
    Evidence.objects.bulk_create(evidence, batch_size=1000)

    now = timezone.now()
    scan_run.status = ScanStatus.SUCCEEDED
    scan_run.commit = commit
    scan_run.progress = 100
    scan_run.progress_message = "Done"
    scan_run.files_seen = tree.files_seen
    scan_run.file_errors = [
        {"path": e.path, "line": e.line, "message": locations.redact(e.message)}
        for e in tree.errors[:_MAX_STORED_ERRORS]
    ]
    scan_run.findings_count = len(tree.findings)
    scan_run.modes_seen = tree.modes_seen
    scan_run.modes_incomplete = tree.modes_incomplete
    scan_run.longest_job_interval_days = tree.longest_job_interval_days
    scan_run.error = ""
    scan_run.finished_at = now
    scan_run.save()
    Repository.objects.filter(pk=repository.pk).update(
        last_scanned_commit=commit,
        last_scanned_at=now,
        next_scan_at=now + repository.scan_interval,
    )
    return packages


def scan_run_fail(*, scan_run: ScanRun, error: str) -> None:
    """Record why a run failed; the repository's previous results are left as they were."""
    now = timezone.now()
    ScanRun.objects.filter(pk=scan_run.pk, claim_token=scan_run.claim_token).update(
        status=ScanStatus.FAILED,
        error=locations.redact(error)[:5000],
        finished_at=now,
        progress_message="Failed",
    )
    # Try again at the next regular interval rather than on every beat tick.
    Repository.objects.filter(pk=scan_run.repository_id).update(
        next_scan_at=now + scan_run.repository.scan_interval
    )
    logger.warning(
        "scan failed repository=%s scan_run=%s error=%s",
        scan_run.repository_id,
        scan_run.pk,
        locations.redact(error)[:300],
    )


def _requirement(manifest: Manifest, d: Declaration, packages: dict[str, Package]) -> Requirement:
    return Requirement(
        manifest=manifest,
        package=packages[d.name],
        line=d.line,
        purpose=d.purpose,
        specifier=d.specifier[:500],
        extras=list(d.extras),
        markers=d.marker[:500],
        pinned_version=d.pinned_version[:64],
        pin_level=d.pin_level,
        raw=d.raw,
    )


def _declaration_evidence(run: ScanRun, d: Declaration, packages: dict[str, Package]) -> Evidence:
    return Evidence(
        scan_run=run,
        package=packages.get(d.name),
        name=d.name[:200],
        kind="manifest-line",
        path=d.path[:1000],
        line=d.line,
        mode=d.purpose,
        detail=d.raw[:500],
    )


def _reference_evidence(run: ScanRun, r: artifact_references.Reference) -> Evidence:
    return Evidence(
        scan_run=run,
        name=r.text[:200],
        kind=artifact_references.KIND,
        path=r.path[:1000],
        line=r.line,
        mode=r.mode,
        detail=r.text[:500],
    )


def _usage_evidence(run: ScanRun, u: Usage, package: Package | None) -> Evidence:
    return Evidence(
        scan_run=run,
        package=package,
        name=u.name[:200],
        kind=u.kind,
        path=u.path[:1000],
        line=u.line,
        mode=u.mode,
        optional=u.optional,
        detail=u.detail[:500],
    )


def gate_policy_update(*, actor, policy: GatePolicy | None = None, **values: object) -> GatePolicy:
    """Save the organisation's gate policy (the one row), validated as the gate reads it."""
    with transaction.atomic():
        if policy is None:
            policy = GatePolicy.objects.select_for_update().order_by("pk").first() or GatePolicy()
        for name, value in values.items():
            setattr(policy, name, value)
        policy.updated_by = actor if getattr(actor, "pk", None) else None
        policy.full_clean()
        policy.save()
    return policy
