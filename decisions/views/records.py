from __future__ import annotations

import copy

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh, trigger_client_event

from decisions import advice, exports, lifecycle, prevention, services
from decisions.forms import record_layout as record_form
from decisions.forms.records import BulkForm, MoveForm, RecordDetailForm, RecordTriageForm
from decisions.models import DecisionRecord, Kind, NextAction
from decisions.selectors import artifacts as artifact_selectors
from decisions.selectors import record_page, triage
from decisions.selectors import records as selectors
from inventory.models import EDITOR_ROLES, Repository


def _visible(request: HttpRequest, pk: int) -> DecisionRecord:
    return get_object_or_404(
        DecisionRecord.objects.for_user(request.user).select_related(
            "repository__team", "owner", "package", "proposed_by"
        ),
        pk=pk,
    )


def _messages_of(exc: Exception) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


@require_GET
def record_list(request: HttpRequest) -> HttpResponse:
    form, records = selectors.record_list(user=request.user, params=request.GET)
    paginator = triage.CappedPaginator(
        records.only(*triage.ROW_FIELDS),
        settings.DEBTBOARD_PAGE_SIZE,
        limit=settings.DEBTBOARD_COUNT_LIMIT,
    )
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # Who may edit which row, the rows' owner pickers, the owner filter and the bulk edit's
    # owners, from one query.
    people = selectors.TeamPeople(repositories=form.repositories)
    rows = triage.rows(page.object_list, user=request.user, people=people)
    context = {"page": page, "rows": rows, "query": query.urlencode()}
    if request.htmx and request.htmx.target == "record-table":
        # The form is not swapped: a filter it refused is named here instead.
        context["filter_errors"] = [e for errors in form.errors.values() for e in errors]
        return render(request, "decisions/_record_table.html", context)
    context |= {
        # A viewer gets no bulk bar or editing keys: they could only end in a refusal.
        "can_edit_any": any(row["can_edit"] for row in rows)
        or Repository.objects.editable_by(request.user).exists(),
        "filters": triage.filter_controls(form, selectors.filter_choices(form=form, people=people)),
        "repository_shown": form.repository_shown,
        "bulk_owner_options": triage.Options(people.editors()).render(),
        "bulk_action_options": triage.Options(NextAction.choices).render(),
    }
    return render(request, "decisions/record_list.html", context)


@require_GET
def repository_suggestions(request: HttpRequest) -> HttpResponse:
    """The triage filter's repository suggestions for what was typed (``?repository=``)."""
    suggestions = selectors.repository_suggestions(
        user=request.user, typed=request.GET.get("repository", "")
    )
    return render(request, "decisions/_repository_suggestions.html", {"suggestions": suggestions})


@require_POST
def record_triage(request: HttpRequest, pk: int) -> HttpResponse:
    # Only what the form and the row need (the service locks and reloads it anyway).
    record = get_object_or_404(
        DecisionRecord.objects.for_user(request.user).select_related("repository", "owner"), pk=pk
    )
    # The form writes into its instance while validating; the service reloads and locks.
    form = RecordTriageForm(request.POST, instance=copy.copy(record))
    error = ""
    if form.is_valid():
        try:
            record = services.record_update(
                record=record, actor=request.user, changes=form.changes(), expected=form.loaded()
            )
        except ValidationError as exc:
            error = _messages_of(exc)
    else:
        error = "; ".join(e for errors in form.errors.values() for e in errors)
    if not request.htmx:
        if error:
            messages.error(request, f"{record.subject}: {error}")
        return redirect(request.headers.get("referer") or "decisions:record-list")
    # can_edit: record_update already refused (403) anyone who may not edit.
    row = triage.Rows(team_ids={record.repository.team_id}).row(record, can_edit=True)
    triage.with_other_kinds([row])
    response = render(request, "decisions/_record_row.html", {"row": row, "error": error})
    if not error:
        trigger_client_event(response, "record-saved", {"id": pk})
    return response


@require_POST
def record_bulk(request: HttpRequest) -> HttpResponse:
    form = BulkForm(request.POST, user=request.user)
    if not Repository.objects.editable_by(request.user).exists():
        raise PermissionDenied("Viewers cannot change decision records.")
    if not form.is_valid():
        messages.error(request, "Select at least one row and one change.")
    elif not form.changes():
        messages.error(request, "Choose an owner, a next action or a review date to apply.")
    else:
        updated, errors = services.record_bulk_update(
            record_ids=form.cleaned_data["ids"], actor=request.user, changes=form.changes()
        )
        messages.success(request, f"Updated {len(updated)} record(s).")
        for pk, error in errors.items():
            messages.error(request, f"Record {pk}: {error}")
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect(request.headers.get("referer") or "decisions:record-list")


@require_http_methods(["GET", "POST"])
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = _visible(request, pk)
    # The person's role in the record's team answers both what they may edit and which
    # moves they are offered (one query); the services check again inside their lock.
    role = lifecycle.role_of(request.user, record)
    can_edit = role in EDITOR_ROLES
    saved = ""
    if request.method != "POST":
        form = RecordDetailForm(instance=record)
    else:
        if not can_edit:
            raise PermissionDenied("Viewers cannot change decision records.")
        form = RecordDetailForm(request.POST, instance=DecisionRecord.objects.get(pk=pk))
        if form.is_valid():
            try:
                state_before = record.state
                changes = form.changes()
                services.record_update(
                    record=record,
                    actor=request.user,
                    changes=changes,
                    expected=form.loaded(),
                )
                record = _visible(request, pk)
                saved = _saved_text(changes, record=record, state_before=state_before)
                form = RecordDetailForm(instance=record)
            except ValidationError as exc:
                form.add_error(None, exc)
    context = _record_page(request, record, form=form, role=role, saved=saved)
    template = "decisions/record_detail.html"
    if request.htmx and request.htmx.target == "record-body":
        # Saving refreshes the state, the decision panel and the history with the fields.
        template = "decisions/_record_body.html"
    return render(request, template, context)


def _saved_text(changes: dict, *, record: DecisionRecord, state_before: str) -> str:
    """What a save of the record page wrote: the fields by name, and a state it moved to."""
    if not changes:
        return "Nothing to save: no field changed."
    names = [str(DecisionRecord._meta.get_field(name).verbose_name) for name in changes]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    text = f"Saved {listed}"
    if record.state != state_before:
        text += f"; the record is now {record.get_state_display().lower()}"
    return text + "."


def _record_page(
    request: HttpRequest,
    record: DecisionRecord,
    *,
    form: RecordDetailForm,
    role: str | None,
    saved: str,
) -> dict:
    scan = record_page.latest_scan(record)
    found = record_page.checks(record, scan=scan)
    others = record_page.siblings(record)
    artifact = None
    if record.kind == Kind.ARTIFACT_VERSION:
        artifact = artifact_selectors.version_checks(record=record)
    facts = record_page.advice_facts(
        record, scan=scan, found=found, others=others, artifact=artifact
    )
    note_modes = record_page.modes_needing_notes(record, scan=scan)
    return {
        "record": record,
        "form": form,
        "groups": record_form.groups(form, record=record, note_modes=note_modes),
        "can_edit": role in EDITOR_ROLES,
        "saved": saved,
        "moves": lifecycle.allowed_moves(record=record, user=request.user, role=role),
        "checks": found,
        "artifact": artifact,
        "advice": advice.recommend(facts),
        "siblings": others,
        "savings": record_page.removal_savings(record),
        "events": record.events.select_related("actor"),
        "approvals": record.approvals.select_related("approver"),
        "window_days": services.review_window_days(record, latest=scan),
        "prevention": prevention.record_prevention(record),
    }


@require_POST
def record_move(request: HttpRequest, pk: int) -> HttpResponse:
    record = _visible(request, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an action.")
        return redirect("decisions:record-detail", pk=pk)
    try:
        moved = services.record_move(
            record=record,
            actor=request.user,
            move=form.cleaned_data["move"],
            comment=form.cleaned_data["comment"],
        )
        messages.success(
            request,
            lifecycle.done_text(form.cleaned_data["move"], record=moved, actor=request.user),
        )
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    except PermissionDenied as exc:
        if not request.htmx:
            raise
        messages.error(request, str(exc))
        response = HttpResponseClientRefresh()
        response.status_code = 403
        return response
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect("decisions:record-detail", pk=pk)


@require_GET
def my_work(request: HttpRequest) -> HttpResponse:
    return render(request, "decisions/my_work.html", selectors.my_work(user=request.user))


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("decisions:my-work")


@require_GET
def record_export(request: HttpRequest, fmt: str) -> StreamingHttpResponse:
    _, records = selectors.record_list(user=request.user, params=request.GET)
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        response = StreamingHttpResponse(exports.csv_stream(records), content_type="text/csv")
    else:
        lines = exports.markdown_stream(records, title=f"Debtboard decision records ({stamp})")
        response = StreamingHttpResponse(lines, content_type="text/markdown; charset=utf-8")
    filename = exports.safe_filename("debtboard", stamp, extension=fmt)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
def repository_scan(request: HttpRequest, pk: int) -> HttpResponse:
    repository = get_object_or_404(Repository.objects.for_user(request.user), pk=pk)
    if not Repository.objects.editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied("Only triagers, owners and admins start scans.")
    run = services.scan_request(repository=repository, requested_by=request.user)
    return redirect("scanning:scan-detail", pk=run.pk)
