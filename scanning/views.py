from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from inventory.models import Repository
from scanning.models import ScanRun


@require_GET
def repository_list(request: HttpRequest) -> HttpResponse:
    latest = ScanRun.objects.filter(repository=OuterRef("pk")).order_by("-created_at", "-id")
    repositories = (
        Repository.objects.for_user(request.user)
        .select_related("team")
        .annotate(
            latest_run_id=Subquery(latest.values("pk")[:1]),
            latest_status=Subquery(latest.values("status")[:1]),
        )
    )
    editable = set(Repository.objects.editable_by(request.user).values_list("pk", flat=True))
    return render(
        request,
        "scanning/repository_list.html",
        {"repositories": repositories, "editable": editable},
    )


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
