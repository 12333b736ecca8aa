"""The API as django-ninja describes it: the read API, the CI gate's policy, and ingest.

The OpenAPI description is served at ``/api/openapi.json`` (no interactive docs page: it would
load its scripts from a CDN). The read endpoints are served by ``decisions.views.api`` (its URLs
come first); the operations here delegate to those same views, so the description names what is
served, and ``tests/decisions/test_openapi.py`` checks real answers against these schemas.
Ingest and the gate policy are served from here.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from ninja import NinjaAPI, Schema, Status
from ninja.security import HttpBearer
from pydantic import ValidationError

from decisions.models import ApiToken, DecisionRecord, State
from decisions.services import api_tokens
from decisions.services import ingest as ingest_services
from decisions.views import api as read_api
from inventory.models import Repository
from scanning import selectors as scanning_selectors
from scanning.gate import ingest, policy

MB = 1024 * 1024


class TokenAuth(HttpBearer):
    """``Authorization: Bearer dbt_…``: a person's token or a repository's CI token."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = api_tokens.api_token_lookup(secret=token)
        if found is not None:
            request.user = found.user
        return found


api = NinjaAPI(
    title="Debtboard API",
    version="1",
    description="Read decision records, repositories and scan runs; fetch the CI gate's "
    "policy; push a scan from a repository's own CI.",
    urls_namespace="api",
    docs_url=None,
)
bearer = TokenAuth()


class Error(Schema):
    error: Any


class Detail(Schema):
    detail: str


class RepositoryRef(Schema):
    id: int
    name: str


class Scores(Schema):
    impact: int
    confidence: int
    reversibility: int
    prevention: int


class Record(Schema):
    id: int
    repository: RepositoryRef
    subject: str
    kind: str
    state: str
    owner: str | None
    next_action: str | None
    review_date: date | None
    review_window_end: date | None
    severity: str | None
    priority: float | int | None
    scores: Scores
    summary: str
    unchecked_reason: str | None
    created_at: datetime | date | None
    updated_at: datetime | date | None


class RecordDetail(Record):
    history: list[dict[str, Any]]


class GateAnswer(Schema):
    result: str
    reasons: list[str]


class RepositoryOut(Schema):
    id: int
    name: str
    team: str
    default_branch: str
    last_scanned_commit: str | None
    last_scanned_at: datetime | None
    is_active: bool
    vulnerability_gate: GateAnswer
    archived_at: datetime | None


class ScanRunOut(Schema):
    id: int
    repository: RepositoryRef
    status: str
    commit: str | None
    files_seen: int
    findings: int
    errors: int
    error: str | None
    modes_seen: dict[str, int]
    vulnerability_gate: GateAnswer | None
    started_at: datetime | None
    finished_at: datetime | None


class Page(Schema):
    count: int
    page: int
    pages: int
    next: str | None
    previous: str | None


class RecordPage(Page):
    results: list[Record]


class RepositoryPage(Page):
    results: list[RepositoryOut]


class ScanRunPage(Page):
    results: list[ScanRunOut]


class PolicyOut(Schema):
    cvss_threshold: float
    unaudited: str
    unowned_requirement: str
    levels: dict[str, str]


class KeptFinding(Schema):
    kind: str
    subject: str


class GatePolicyOut(Schema):
    repository: RepositoryRef
    policy: PolicyOut
    kept: list[KeptFinding]


class IngestOut(Schema):
    scan_run: int
    created: bool
    repository: RepositoryRef
    commit: str


def _delegate(view, request: HttpRequest, **kwargs: Any) -> JsonResponse:
    return view(request, **kwargs)


_READ = {401: Error, 400: Error, 404: Error}


@api.get("/v1/records/", response={200: RecordPage, **_READ}, auth=bearer, tags=["read"])
def records(request: HttpRequest):
    """Decision records, filtered like the triage list (team, repository, owner, kind, state,
    severity, due, unowned, sort), paged with ``page`` and ``page_size``."""
    return _delegate(read_api.records, request)


@api.get("/v1/records/{pk}/", response={200: RecordDetail, **_READ}, auth=bearer, tags=["read"])
def record(request: HttpRequest, pk: int):
    """One record and its history."""
    return _delegate(read_api.record, request, pk=pk)


@api.get("/v1/repositories/", response={200: RepositoryPage, **_READ}, auth=bearer, tags=["read"])
def repositories(request: HttpRequest):
    """Repositories the token's user can see, with their vulnerability gate."""
    return _delegate(read_api.repositories, request)


@api.get("/v1/scan-runs/", response={200: ScanRunPage, **_READ}, auth=bearer, tags=["read"])
def scan_runs(request: HttpRequest, repository: int | None = None):
    """Scan runs, newest first; ``repository`` (an id) narrows them."""
    return _delegate(read_api.scan_runs, request)


def _gate_repository(request: HttpRequest, name: str) -> Repository | JsonResponse:
    token: ApiToken = request.auth
    if token.repository_id is not None:
        if name and name != token.repository.name:
            return JsonResponse({"error": "This token is for another repository."}, status=403)
        return token.repository
    if not name:
        return JsonResponse({"error": "Give repository=NAME."}, status=400)
    found = list(Repository.objects.for_user(token.user).filter(name=name)[:2])
    if len(found) != 1:
        message = "No such repository." if not found else "Ambiguous name: use a CI token."
        return JsonResponse({"error": message}, status=404 if not found else 400)
    return found[0]


@api.get(
    "/v1/gate/",
    response={200: GatePolicyOut, 400: Error, 401: Detail, 403: Error, 404: Error, 500: Error},
    auth=bearer,
    tags=["gate"],
)
def gate_policy(request: HttpRequest, repository: str = ""):
    """What ``python -m scanning.cli gate --server`` needs: the organisation's policy and the
    findings kept on the server for this repository (they do not fail the build)."""
    found = _gate_repository(request, repository)
    if isinstance(found, JsonResponse):
        return found
    try:
        rules = scanning_selectors.gate_policy()
    except policy.PolicyError as exc:
        return JsonResponse({"error": f"The server's gate policy is unreadable: {exc}"}, status=500)
    kept = (
        DecisionRecord.objects.filter(repository=found, state=State.KEPT)
        .order_by("kind", "subject")
        .values("kind", "subject")
    )
    return {
        "repository": {"id": found.pk, "name": found.name},
        "policy": rules.as_dict(),
        "kept": list(kept),
    }


@api.post(
    "/v1/ingest/",
    response={
        200: IngestOut,
        201: IngestOut,
        400: Error,
        401: Detail,
        403: Error,
        409: Error,
        413: Error,
    },
    auth=bearer,
    tags=["ingest"],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ingest"}}},
        }
    },
)
def ingest_scan(request: HttpRequest):
    """A scan pushed from the repository's own CI, with that repository's CI token.

    Stored once per commit: pushing the same commit again answers 200 with the stored run, and
    the same commit with a different scan 409.
    """
    limit = settings.DEBTBOARD_INGEST_MAX_MB * MB
    too_large = JsonResponse(
        {"error": f"Larger than {settings.DEBTBOARD_INGEST_MAX_MB} MB."}, status=413
    )
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return JsonResponse({"error": "Bad Content-Length."}, status=400)
    if declared > limit:
        return too_large
    body = request.read(limit + 1)
    if len(body) > limit:
        return too_large
    try:
        payload = ingest.IngestPayload.model_validate_json(body)
    except ValidationError as exc:
        errors = [
            {"at": ".".join(str(p) for p in e["loc"]), "error": e["msg"]}
            for e in exc.errors(include_url=False, include_input=False)[:50]
        ]
        return JsonResponse({"error": errors}, status=400)
    try:
        run, created = ingest_services.scan_ingest(token=request.auth, payload=payload)
    except ingest_services.IngestRefused as exc:
        return JsonResponse({"error": str(exc)}, status=exc.status)
    answer = {
        "scan_run": run.pk,
        "created": created,
        "repository": {"id": run.repository_id, "name": run.repository.name},
        "commit": run.commit,
    }
    return Status(201 if created else 200, answer)


_base_schema = api.get_openapi_schema


def _with_ingest_schema(*args: Any, **kwargs: Any) -> dict:
    """The description, with the ingest body's schema taken from the model that validates it."""
    schema = _base_schema(*args, **kwargs)
    body = ingest.IngestPayload.model_json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(body.pop("$defs", {}))
    components["Ingest"] = body
    return schema


api.get_openapi_schema = _with_ingest_schema  # type: ignore[method-assign]


def urls() -> tuple:
    """The API's URL patterns, each open to requests without a session (tokens decide)."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback = login_not_required(pattern.callback)
    return patterns, app_name, namespace


def schema_json() -> str:
    return json.dumps(api.get_openapi_schema(), indent=2)
