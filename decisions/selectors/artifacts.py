"""Reads for the artifact-store pages and the dashboard's reclaimable-storage charts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum

from decisions.selectors.dashboard import Series, Table
from decisions.selectors.meetings import day_end
from inventory.models import ArtifactStore, Repository, Team
from scanning.artifacts.models import ArtifactVersion, InventoryRun, InventoryStatus
from scanning.models import ScanRun, ScanStatus

GB = 1024**3
_OBJECTS_SHOWN = 10


def stores_for(*, user, team: Team | None = None) -> QuerySet[ArtifactStore]:
    """Stores ``user`` may see, each with its latest run and its current candidates."""
    latest = InventoryRun.objects.filter(store=OuterRef("pk")).order_by("-created_at", "-id")
    stores = ArtifactStore.objects.for_user(user).select_related("team", "records_repository")
    if team is not None:
        stores = stores.filter(team=team)
    candidates = ArtifactVersion.objects.filter(store=OuterRef("pk"), is_candidate=True)
    return stores.annotate(
        latest_run_id=Subquery(latest.values("pk")[:1]),
        latest_status=Subquery(latest.values("status")[:1]),
        candidates=Subquery(candidates.values("store").annotate(n=Count("pk")).values("n")[:1]),
        reclaimable_bytes=Subquery(
            candidates.values("store").annotate(total=Sum("size_bytes")).values("total")[:1]
        ),
    )


def reclaimable_by_team(*, user, team: Team | None = None) -> Table:
    """Per team: what the current candidates hold, in GB, and what it costs a month."""
    stores = ArtifactStore.objects.for_user(user)
    if team is not None:
        stores = stores.filter(team=team)
    rows = (
        ArtifactVersion.objects.filter(store__in=stores, is_candidate=True)
        .values_list("store__team__name")
        .annotate(size=Sum("size_bytes"), cost=Sum("monthly_cost"), n=Count("pk"))
        .order_by("store__team__name")
    )
    return Table(
        headers=["Team", "Reclaimable GB", "USD per month", "Versions"],
        rows=[[name, round(size / GB, 3), round(cost, 2), n] for name, size, cost, n in rows],
    )


def reclaimable_over_time(*, user, days: list[date], team: Team | None = None) -> Series:
    """Per team and day, the reclaimable GB its stores' last good inventory up to that day saw."""
    stores = ArtifactStore.objects.for_user(user)
    if team is not None:
        stores = stores.filter(team=team)
    runs = (
        InventoryRun.objects.filter(
            store__in=stores,
            status=InventoryStatus.SUCCEEDED,
            finished_at__lt=day_end(days[-1]),
        )
        .order_by("finished_at", "id")
        .values_list("store_id", "store__team__name", "finished_at", "reclaimable_bytes")
    )
    history: dict[int, list[tuple]] = defaultdict(list)
    team_of: dict[int, str] = {}
    for store_id, team_name, finished_at, reclaimable in runs:
        history[store_id].append((finished_at, reclaimable))
        team_of[store_id] = team_name
    series = Series(days=days)
    for name in sorted(set(team_of.values())):
        series.lines[name] = [0] * len(days)
    for store_id, entries in history.items():
        line = series.lines[team_of[store_id]]
        for index, day in enumerate(days):
            end = day_end(day)
            seen = [size for finished_at, size in entries if finished_at < end]
            if seen:
                line[index] = round(line[index] + seen[-1] / GB, 3)
    return series


@dataclass
class VersionChecks:
    """What an artifact-version record rests on: its store, the store's last good inventory,
    the version as that inventory saw it, and the scans its references were looked for in."""

    store: ArtifactStore | None = None
    run: InventoryRun | None = None
    version: ArtifactVersion | None = None
    objects: list[dict] = field(default_factory=list)  # the first few of the version's objects
    objects_total: int = 0
    scans: list[tuple[str, ScanRun | None]] = field(default_factory=list)


def version_checks(*, record) -> VersionChecks:
    """The checks behind ``record`` (of kind artifact-version), for its page."""
    from decisions.services.artifacts import subject_root

    stores = ArtifactStore.objects.filter(records_repository_id=record.repository_id)
    # Stores of one records repository never hold one another: at most one location fits.
    store = next((s for s in stores if record.subject.startswith(subject_root(s))), None)
    if store is None:
        return VersionChecks()
    found = VersionChecks(store=store, run=store.inventory_runs.succeeded().first())
    found.version = ArtifactVersion.objects.filter(
        store=store, prefix=record.subject[len(subject_root(store)) :]
    ).first()
    if found.version is not None:
        listed = found.version.object_list
        found.objects_total = len(listed)
        found.objects = [
            {"key": o[0], "size": o[1], "version_id": o[3], "latest": o[4], "class": o[5]}
            for o in listed[:_OBJECTS_SHOWN]
        ]
    latest = ScanRun.objects.filter(
        repository=OuterRef("pk"), status=ScanStatus.SUCCEEDED
    ).order_by("-finished_at", "-pk")
    repositories = (
        Repository.objects.filter(team_id=store.team_id, is_active=True)
        .annotate(scan_id=Subquery(latest.values("pk")[:1]))
        .order_by("name")
        .values_list("name", "scan_id")
    )
    scans = ScanRun.objects.in_bulk([pk for _, pk in repositories if pk])
    found.scans = [(name, scans.get(pk)) for name, pk in repositories]
    return found
