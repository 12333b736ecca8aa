"""Read-only JSON API for other tools: records, repositories, scan runs.

Token-authenticated (``Authorization: Bearer dbt_…``), never by session, so a browser tab cannot be
used to read it cross-site; every list goes through the same ``for_user`` querysets as the pages.
Because no cookie ever authenticates it, CSRF does not apply: any other method than GET gets a
JSON 405, never Django's HTML CSRF page.

``/api/v1/records/`` filters like the triage list: ``team`` (id, slug or name), ``repository``
(id or name; a name two visible teams share needs the id), ``owner`` (id or username), ``kind``,
``state`` (a state or ``open``), ``severity``, ``due`` (``due`` or ``overdue``), ``unowned``,
``sort``; ``page`` and ``page_size`` page through the results.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import EmptyPage, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt

from decisions import services
from decisions.forms.records import RecordFilterForm
from decisions.models import DecisionRecord
from decisions.selectors import records as selectors
from inventory import text
from inventory.models import Repository
from scanning import selectors as scanning_selectors
from scanning.models import ScanRun, ScanStatus

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500


def _unauthorised(message: str) -> JsonResponse:
    response = JsonResponse({"error": message}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="debtboard"'
    return response


def token_required(view: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
    """Authenticate by bearer token (sets ``request.user``) or answer 401."""

    @csrf_exempt  # authenticated by token only, never by a cookie
    @login_not_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        if request.method not in ("GET", "HEAD"):
            response = JsonResponse({"error": "The API is read-only: use GET."}, status=405)
            response["Allow"] = "GET, HEAD"
            return response
        scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            return _unauthorised("Send Authorization: Bearer <token>.")
        user = services.api_token_authenticate(secret=secret.strip())
        if user is None:
            return _unauthorised("Unknown or revoked token.")
        request.user = user
        return view(request, *args, **kwargs)

    return wrapper


def _page(request: HttpRequest, items: QuerySet, serialise: Callable[[Any], dict]) -> JsonResponse:
    try:
        size = min(max(int(request.GET.get("page_size", DEFAULT_PAGE_SIZE)), 1), MAX_PAGE_SIZE)
        number = max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        return JsonResponse({"error": "page and page_size must be whole numbers."}, status=400)
    paginator = Paginator(items, size)
    try:
        page = paginator.page(number)
    except EmptyPage:
        return JsonResponse({"error": "No such page."}, status=404)

    def link(n: int | None) -> str | None:
        if n is None:
            return None
        query = request.GET.copy()
        query["page"] = str(n)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return JsonResponse(
        {
            "count": paginator.count,
            "page": page.number,
            "pages": paginator.num_pages,
            "next": link(page.next_page_number() if page.has_next() else None),
            "previous": link(page.previous_page_number() if page.has_previous() else None),
            "results": [serialise(item) for item in page.object_list],
        }
    )


def _date(value) -> str | None:
    return value.isoformat() if value else None


def record_data(record: DecisionRecord) -> dict:
    return {
        "id": record.pk,
        "repository": {"id": record.repository_id, "name": record.repository.name},
        "subject": record.subject,
        "kind": record.kind,
        "state": record.state,
        "owner": record.owner.username if record.owner else None,
        "next_action": record.next_action or None,
        "review_date": _date(record.review_date),
        "review_window_end": _date(record.review_window_end),
        "severity": record.severity or None,
        "priority": record.priority,
        "scores": {
            "impact": record.impact,
            "confidence": record.confidence,
            "reversibility": record.reversibility,
            "prevention": record.prevention,
        },
        "summary": record.summary,
        "unchecked_reason": record.unchecked_reason or None,
        "created_at": _date(record.created_at),
        "updated_at": _date(record.updated_at),
    }


def repository_data(repository: Repository) -> dict:
    return {
        "id": repository.pk,
        "name": repository.name,
        "team": repository.team.name,
        "default_branch": repository.default_branch,
        "last_scanned_commit": repository.last_scanned_commit or None,
        "last_scanned_at": _date(repository.last_scanned_at),
        "is_active": repository.is_active,
        "vulnerability_gate": scanning_selectors.repository_gate(repository=repository).as_dict(),
        "archived_at": _date(repository.archived_at),
    }


def scan_run_data(run: ScanRun) -> dict:
    return {
        "id": run.pk,
        "repository": {"id": run.repository_id, "name": run.repository.name},
        "status": run.status,
        "commit": run.commit or None,
        "files_seen": run.files_seen,
        "findings": run.findings_count,
        "errors": len(run.file_errors or []),
        "error": run.error or None,
        "modes_seen": run.modes_seen,
        "vulnerability_gate": (
            scanning_selectors.run_gate(run).as_dict()
            if run.status == ScanStatus.SUCCEEDED
            else None
        ),
        "started_at": _date(run.started_at),
        "finished_at": _date(run.finished_at),
    }


def _by_name(params, user) -> tuple[Any, str]:
    """``params`` with team, repository and owner names turned into the ids the form takes."""
    form = RecordFilterForm(user=user)
    lookups = {
        "owner": (form.fields["owner"].queryset, ("username",)),
        "team": (form.fields["team"].queryset, ("slug", "name")),
        "repository": (form.repositories, ("name",)),
    }
    params = params.copy()
    for key, (queryset, names) in lookups.items():
        value = params.get(key, "").strip()
        if not value or text.as_id(value) is not None:
            continue
        if "\x00" in value or len(value) > 200:
            return params, f"{key}: not a name or an id."
        found: set[int] = set()
        for name in names:
            found |= set(queryset.filter(**{name: value}).values_list("pk", flat=True))
        if len(found) > 1:
            return params, f"{key} {value!r} is ambiguous: give its id."
        # Unknown names stay as they are: the form refuses them like an unknown id.
        if found:
            params[key] = str(found.pop())
    return params, ""


@token_required
def records(request: HttpRequest) -> JsonResponse:
    """Filtered like the triage list: team, repository, kind, state, owner, severity, due, sort."""
    params, error = _by_name(request.GET, request.user)
    if error:
        return JsonResponse({"error": error}, status=400)
    form, found = selectors.record_list(user=request.user, params=params)
    if not form.is_valid():
        return JsonResponse({"error": form.errors.get_json_data()}, status=400)
    return _page(request, found, record_data)


@token_required
def record(request: HttpRequest, pk: int) -> JsonResponse:
    found = get_object_or_404(
        DecisionRecord.objects.for_user(request.user).select_related("repository", "owner"), pk=pk
    )
    data = record_data(found)
    data["history"] = [
        {
            "at": _date(e.created_at),
            "actor": e.actor.username if e.actor else None,
            "field": e.field,
            "from": e.old_value,
            "to": e.new_value,
            "comment": e.comment,
        }
        for e in found.events.select_related("actor")
    ]
    return JsonResponse(data)


@token_required
def repositories(request: HttpRequest) -> JsonResponse:
    found = Repository.objects.for_user(request.user).select_related("team").order_by("id")
    return _page(request, scanning_selectors.with_gates(found), repository_data)


@token_required
def scan_runs(request: HttpRequest) -> JsonResponse:
    found = ScanRun.objects.for_user(request.user).select_related("repository").order_by("-id")
    repository = request.GET.get("repository", "")
    if repository:
        repository_id = text.as_id(repository)
        if repository_id is None:
            return JsonResponse({"error": "repository must be an id."}, status=400)
        found = found.filter(repository_id=repository_id)
    return _page(request, found, scan_run_data)
