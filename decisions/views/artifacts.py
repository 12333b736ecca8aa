"""Artifact stores: their list, one store's versions, inventory runs and the deletion plan."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from decisions.models import DecisionRecord, Kind, State
from decisions.selectors import artifacts as artifact_selectors
from decisions.services import artifacts
from inventory.models import ArtifactStore
from scanning.artifacts.models import ArtifactVersion, InventoryRun

_VERSIONS_SHOWN = 500


@require_GET
def store_list(request: HttpRequest) -> HttpResponse:
    stores = artifact_selectors.stores_for(user=request.user)
    editable = set(ArtifactStore.objects.editable_by(request.user).values_list("pk", flat=True))
    return render(
        request, "decisions/artifactstore_list.html", {"stores": stores, "editable": editable}
    )


@require_GET
def store_detail(request: HttpRequest, pk: int) -> HttpResponse:
    store = get_object_or_404(artifact_selectors.stores_for(user=request.user), pk=pk)
    versions = ArtifactVersion.objects.filter(store=store).order_by(
        "-is_candidate", "model", "-last_modified"
    )
    root = artifacts.subject_root(store)
    records = {
        subject: (pk, State(state).label)
        for subject, pk, state in DecisionRecord.objects.filter(
            repository=store.records_repository,
            kind=Kind.ARTIFACT_VERSION,
            subject__startswith=root,
        ).values_list("subject", "pk", "state")
    }
    shown = list(versions[:_VERSIONS_SHOWN])
    for version in shown:
        version.record_id, version.record_state = records.get(root + version.prefix, (None, ""))
    return render(
        request,
        "decisions/artifactstore_detail.html",
        {
            "store": store,
            "versions": shown,
            "versions_total": versions.count(),
            "runs": store.inventory_runs.all()[:10],
            "can_edit": ArtifactStore.objects.editable_by(request.user).filter(pk=pk).exists(),
        },
    )


@require_POST
def store_inventory(request: HttpRequest, pk: int) -> HttpResponse:
    store = get_object_or_404(ArtifactStore.objects.for_user(request.user), pk=pk)
    if not ArtifactStore.objects.editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied("Only triagers, owners and admins start inventories.")
    run = artifacts.inventory_request(store=store, requested_by=request.user)
    return redirect("decisions:inventory-run", pk=run.pk)


@require_GET
def inventory_run(request: HttpRequest, pk: int) -> HttpResponse:
    """The run page; while the run is unfinished its status panel polls itself."""
    run = get_object_or_404(
        InventoryRun.objects.for_user(request.user).select_related("store__team", "requested_by"),
        pk=pk,
    )
    template = "decisions/inventoryrun_detail.html"
    if request.htmx:
        template = "decisions/_inventory_status.html"
    return render(request, template, {"run": run})


@require_GET
def store_plan(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The deletion plan of approved versions: CSV, an S3 lifecycle configuration, or the
    object tags its tag-filtered rules need (``tags.csv``)."""
    store = get_object_or_404(ArtifactStore.objects.for_user(request.user), pk=pk)
    name = slugify(store.name) or f"store-{store.pk}"
    if fmt == "csv":
        response = HttpResponse(artifacts.plan_csv(store=store), content_type="text/csv")
    elif fmt == "json":
        response = HttpResponse(
            artifacts.plan_lifecycle_json(store=store), content_type="application/json"
        )
    elif fmt == "tags.csv":
        response = HttpResponse(artifacts.plan_tagging_csv(store=store), content_type="text/csv")
    else:
        raise Http404("No such format.")
    response["Content-Disposition"] = f'attachment; filename="{name}-deletion-plan.{fmt}"'
    return response
