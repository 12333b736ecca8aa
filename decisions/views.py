from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from decisions import exports, selectors, services
from decisions.forms import RecordTriageForm
from decisions.models import DecisionRecord, NextAction
from inventory.models import Repository


def _rows(records, user) -> list[dict]:
    """One dict per record on the page with what its row needs (no query per row)."""
    records = list(records)
    editable = set(
        DecisionRecord.objects.editable_by(user)
        .filter(pk__in=[r.pk for r in records])
        .values_list("pk", flat=True)
    )
    owners = selectors.owners_by_team(team_ids={r.repository.team_id for r in records})
    return [
        {
            "record": r,
            "can_edit": r.pk in editable,
            "owners": owners[r.repository.team_id],
            "actions": NextAction.choices,
        }
        for r in records
    ]


@require_GET
def record_list(request: HttpRequest) -> HttpResponse:
    form, records = selectors.record_list(user=request.user, params=request.GET)
    page = Paginator(records, settings.DEBTBOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": _rows(page.object_list, request.user),
        "query": query.urlencode(),
    }
    template = "decisions/record_list.html"
    if request.htmx and request.htmx.target == "record-table":
        template = "decisions/_record_table.html"
    return render(request, template, context)


@require_POST
def record_triage(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(
        DecisionRecord.objects.for_user(request.user).select_related("repository"), pk=pk
    )
    if not DecisionRecord.objects.editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied("Viewers cannot change decision records.")
    form = RecordTriageForm(request.POST, instance=DecisionRecord.objects.get(pk=pk))
    error = ""
    if form.is_valid():
        try:
            record = services.record_update(
                record=record, actor=request.user, changes=form.cleaned_data
            )
        except Exception as exc:  # ValidationError from the model's rules
            error = " ".join(getattr(exc, "messages", [str(exc)]))
    else:
        error = "; ".join(e for errors in form.errors.values() for e in errors)
    if not request.htmx:
        return redirect(request.headers.get("referer") or "decisions:record-list")
    record = DecisionRecord.objects.select_related("repository__team", "owner").get(pk=pk)
    row = _rows([record], request.user)[0]
    response = render(request, "decisions/_record_row.html", {"row": row, "error": error})
    if error:
        response.status_code = 200  # the row shows the error in place
    else:
        trigger_client_event(response, "record-saved", {"id": pk})
    return response


@require_GET
def record_export(request: HttpRequest, fmt: str) -> StreamingHttpResponse:
    _, records = selectors.record_list(user=request.user, params=request.GET)
    records = records.iterator(chunk_size=2000)
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        response = StreamingHttpResponse(exports.csv_lines(records), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="debtboard-{stamp}.csv"'
    else:
        lines = exports.markdown_lines(records, title=f"Debtboard decision records ({stamp})")
        response = StreamingHttpResponse(lines, content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="debtboard-{stamp}.md"'
    return response


@require_POST
def repository_scan(request: HttpRequest, pk: int) -> HttpResponse:
    repository = get_object_or_404(Repository.objects.for_user(request.user), pk=pk)
    if not Repository.objects.editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied("Only triagers, owners and admins start scans.")
    run = services.scan_request(repository=repository, requested_by=request.user)
    return redirect("scanning:scan-detail", pk=run.pk)
