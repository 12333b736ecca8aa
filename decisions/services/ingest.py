"""A scan pushed from a repository's own CI, stored and reconciled like one the server ran.

So a repository the server cannot clone is tracked too: its CI runs
``python -m scanning.cli gate . --scan-output scan.json`` and posts the file with that
repository's CI token. The run is stored through ``scanning.services.scan_run_store`` and the
records through ``records_reconcile``, in one transaction, exactly as after a server scan.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from decisions.models import ApiToken
from decisions.services.scans import records_reconcile
from inventory.models import Repository
from scanning import results
from scanning import services as scanning_services
from scanning.gate import ingest
from scanning.models import AuditGate, ScanRun, ScanSource, ScanStatus


class IngestRefused(Exception):
    """The push is not accepted; ``status`` is the HTTP status that says why."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


def _stored(repository: Repository, commit: str) -> ScanRun | None:
    return ScanRun.objects.filter(
        repository=repository,
        commit=commit,
        source=ScanSource.INGEST,
        status=ScanStatus.SUCCEEDED,
    ).first()


def _same_scan(run: ScanRun, digest: str) -> ScanRun:
    """``run``, stored for this commit, when it holds the scan pushed again; refused when the
    commit was pushed with another scan (the first is kept: one run per commit)."""
    if run.pushed_digest and run.pushed_digest != digest:
        raise IngestRefused(
            f"Commit {run.commit} was already pushed with a different scan (scan run {run.pk}); "
            "a commit's scan is stored once. Push the new scan with its own commit.",
            status=409,
        )
    return run


def scan_ingest(*, token: ApiToken, payload: ingest.IngestPayload) -> tuple[ScanRun, bool]:
    """Store a pushed scan; returns (run, created). Idempotent per (repository, commit).

    Refused (``IngestRefused``) when the token is not that repository's CI token, its owner
    may no longer change the repository's records, the repository is archived or inactive, a
    server scan of it is running now (409: push again later), or the commit was already
    pushed with a different scan (409).
    """
    repository = token.repository
    if repository is None:
        raise IngestRefused("This token is not a repository's CI token.", status=403)
    if payload.repository != repository.name:
        raise IngestRefused(
            f"This token pushes scans of {repository.name!r} only, not {payload.repository!r}.",
            status=403,
        )
    if not Repository.objects.editable_by(token.user).filter(pk=repository.pk).exists():
        raise IngestRefused("The token's owner may no longer change this repository.", status=403)
    if not repository.is_active or repository.archived_at is not None:
        raise IngestRefused("This repository is archived or inactive.", status=409)
    digest = hashlib.sha256(payload.scan.model_dump_json().encode()).hexdigest()
    existing = _stored(repository, payload.commit)
    if existing is not None:
        return _same_scan(existing, digest), False
    tree = ingest.tree_from_scan(payload.scan)
    gate = tree.audit.get("gate")
    try:
        with transaction.atomic():
            run = ScanRun.objects.create(
                repository=repository,
                requested_by=token.user,
                status=ScanStatus.RUNNING,
                source=ScanSource.INGEST,
                pushed_digest=digest,
                claim_token=secrets.token_hex(16),
                started_at=timezone.now(),
                audit=tree.audit,
                audit_gate=gate if gate in AuditGate.values else AuditGate.UNKNOWN,
            )
            scanning_services.scan_run_store(scan_run=run, tree=tree, commit=payload.commit)
            records_reconcile(
                scan_run=run,
                findings=tree.findings,
                present=results.present_in(tree),
                unread=results.unread_of(tree),
            )
    except IntegrityError as exc:
        # The same commit pushed twice at once (the other push stored it), or a server scan
        # of this repository running right now.
        existing = _stored(repository, payload.commit)
        if existing is not None:
            return _same_scan(existing, digest), False
        raise IngestRefused(
            "A scan of this repository is running on the server; push again later.", status=409
        ) from exc
    return run, True
