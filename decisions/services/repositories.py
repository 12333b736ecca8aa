"""Adding repositories in the app (one or hundreds at once), pausing and archiving them."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from inventory import onboarding
from inventory.models import Repository, Team
from scanning.models import ScanRun

logger = logging.getLogger(__name__)

ADDED = "added"
REFUSED = "refused"
EXISTS = "exists"


@dataclass
class LineResult:
    line: onboarding.Line
    outcome: str  # added, refused or exists
    message: str = ""
    repository: Repository | None = None
    scan_run: ScanRun | None = None


def repositories_add(*, actor, text: str, default_team: Team | None = None) -> list[LineResult]:
    """Register every valid line of ``text`` and queue its first scan; one result per line.

    A line is refused (and nothing else is) when its location breaks the location rules, its
    team is not one the actor leads, or its name is taken in that team by another location; a
    location already registered in the team is reported as already there. The queries do not
    grow with the number of lines: validation is pure, then one read, two bulk inserts.
    """
    lines = onboarding.parse(text)
    teams = list(Team.objects.led_by(actor))
    by_name = {t.name.lower(): t for t in teams} | {t.slug.lower(): t for t in teams}
    led = {t.pk for t in teams}
    existing = {
        (team_id, name.lower()): location
        for team_id, name, location in Repository.objects.filter(team_id__in=led).values_list(
            "team_id", "name", "location"
        )
    }
    results: list[LineResult] = []
    to_create: list[tuple[LineResult, Repository]] = []
    for line in lines:
        if line.error:
            results.append(LineResult(line, REFUSED, line.error))
            continue
        team = by_name.get(line.team.lower()) if line.team else default_team
        if team is None or team.pk not in led:
            why = (
                f"You are not a lead or admin of a team called {line.team!r}."
                if line.team
                else "Choose a team (or give one in the line)."
            )
            results.append(LineResult(line, REFUSED, why))
            continue
        key = (team.pk, line.name.lower())
        if key in existing:
            if existing[key] == line.location:
                results.append(LineResult(line, EXISTS, f"Already registered in {team.name}."))
            else:
                results.append(
                    LineResult(
                        line,
                        REFUSED,
                        f"{team.name} already has a repository named {line.name} "
                        f"at another location ({existing[key]}).",
                    )
                )
            continue
        existing[key] = line.location
        repository = Repository(
            team=team,
            name=line.name,
            location=line.location,
            default_branch=line.default_branch,
            release_cycle_days=line.release_cycle_days or 14,
            scan_interval_hours=line.scan_interval_hours or 24,
        )
        result = LineResult(line, ADDED, f"Added to {team.name}; first scan queued.", repository)
        results.append(result)
        to_create.append((result, repository))
    if to_create:
        _create(actor, to_create)
    logger.info(
        "repositories added actor=%s added=%s lines=%s",
        getattr(actor, "pk", None),
        len(to_create),
        len(lines),
    )
    return results


def _create(actor, to_create: list[tuple[LineResult, Repository]]) -> None:
    from decisions import tasks

    with transaction.atomic():
        repositories = Repository.objects.bulk_create([r for _, r in to_create], batch_size=500)
        runs = ScanRun.objects.bulk_create(
            [ScanRun(repository=r, requested_by=actor) for r in repositories], batch_size=500
        )
        for (result, repository), run in zip(to_create, runs, strict=True):
            result.repository, result.scan_run = repository, run
        queued = [(run.repository_id, run.pk) for run in runs]
        transaction.on_commit(
            lambda: [tasks.scan_repository_task.delay(r, scan_run_id=s) for r, s in queued]
        )


def repository_set_state(*, repository: Repository, actor, state: str) -> Repository:
    """``active`` (scheduled scans), ``paused`` (none) or ``archived`` (none, and hidden).

    Records of a paused or archived repository stay readable; nothing is deleted.
    """
    if not Repository.objects.manageable_by(actor).filter(pk=repository.pk).exists():
        raise PermissionDenied("Only a lead or admin of the team pauses or archives it.")
    if state not in ("active", "paused", "archived"):
        raise ValueError(f"unknown repository state {state!r}")
    repository.is_active = state == "active"
    repository.archived_at = (
        (repository.archived_at or timezone.now()) if state == "archived" else None
    )
    if state == "active":
        repository.next_scan_at = None  # due at the next tick
    repository.save(update_fields=["is_active", "archived_at", "next_scan_at"])
    logger.info("repository state repository=%s state=%s actor=%s", repository.pk, state, actor.pk)
    return repository
