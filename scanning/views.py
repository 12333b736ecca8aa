from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from inventory.models import Repository, Team
from scanning.models import ScanRun, ScanStatus


@require_GET
def repository_list(request: HttpRequest) -> HttpResponse:
    """Repositories with their latest scan; the table polls itself while scans are active."""
    latest = ScanRun.objects.filter(repository=OuterRef("pk")).order_by("-created_at", "-id")
    archived = request.GET.get("archived") == "1"
    visible = Repository.objects.for_user(request.user)
    repositories = list(
        visible.filter(archived_at__isnull=not archived)
        .select_related("team")
        .annotate(
            latest_run_id=Subquery(latest.values("pk")[:1]),
            latest_status=Subquery(latest.values("status")[:1]),
            latest_progress=Subquery(latest.values("progress")[:1]),
        )
    )
    editable = set(Repository.objects.editable_by(request.user).values_list("pk", flat=True))
    manageable = set(Repository.objects.manageable_by(request.user).values_list("pk", flat=True))
    active = ScanRun.objects.filter(repository__in=visible).active()
    context = {
        "repositories": repositories,
        "latest_counts": _latest_counts(repositories),
        "editable": editable,
        "manageable": manageable,
        "archived": archived,
        "can_add": Team.objects.led_by(request.user).exists(),
        "scans_active": active.count(),
        "archived_count": visible.filter(archived_at__isnull=False).count(),
    }
    template = "scanning/repository_list.html"
    if request.htmx and request.htmx.target == "repository-table":
        template = "scanning/_repository_table.html"
    return render(request, template, context)


def _latest_counts(repositories: list[Repository]) -> str:
    """How the listed repositories' latest scans stand, e.g. after adding 300 at once."""
    counts = {"succeeded": 0, "failed": 0, "queued or running": 0, "never scanned": 0}
    for repository in repositories:
        status = repository.latest_status
        if status in (ScanStatus.QUEUED, ScanStatus.RUNNING):
            status = "queued or running"
        counts[status or "never scanned"] += 1
    return ", ".join(f"{n} {label}" for label, n in counts.items() if n)


@require_GET
def scan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The scan page; while the run is unfinished its status panel polls itself."""
    scan_run = get_object_or_404(
        ScanRun.objects.for_user(request.user).select_related("repository__team"), pk=pk
    )
    template = "scanning/scan_detail.html"
    if request.htmx:
        template = "scanning/_scan_status.html"
    return render(request, template, {"run": scan_run})
