"""Dashboard (charts as HTMX fragments) and the reports people hand on."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from decisions import charts, exports, prevention, sbom
from decisions.models import DecisionRecord
from decisions.reports import audit, cleanup
from inventory.models import Repository, Team
from scanning import selectors as scanning_selectors

# Rows of the dashboard's reports table per page: a superuser's would list every repository
# of the organisation (10,000 rows took ~1.5 s of CPU to render).
REPORT_ROWS = 50


def _visible_teams(user):
    return Team.objects.for_user(user).filter(repositories__isnull=False).distinct()


class DashboardForm(forms.Form):
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, empty_label="Whole organisation"
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = _visible_teams(user)


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The dashboard page; with ``?chart=<slug>`` just that chart (the page loads each so)."""
    form = DashboardForm(request.GET or None, user=request.user)
    team = form.cleaned_data["team"] if form.is_bound and form.is_valid() else None
    query = f"team={team.pk}&" if team else ""
    slug = request.GET.get("chart", "")
    if slug:
        if slug not in charts.CHARTS:
            raise Http404("No such chart.")
        chart = charts.CHARTS[slug](user=request.user, team=team)
        template = "decisions/_chart.html" if request.htmx else "decisions/dashboard_chart.html"
        return render(request, template, {"chart": chart, "team": team})
    repositories = Repository.objects.for_user(request.user).select_related("team")
    if team:
        repositories = repositories.filter(team=team)
    page = Paginator(scanning_selectors.with_gates(repositories), REPORT_ROWS).get_page(
        request.GET.get("page")
    )
    repositories = [
        (repository, scanning_selectors.repository_gate(repository=repository))
        for repository in page.object_list
    ]
    context = {
        "form": form,
        "team": team,
        "query": query,
        "charts": charts.TITLES.items(),
        "repositories": repositories,
        "repositories_page": page,
        "teams": [team] if team else _visible_teams(request.user),
    }
    return render(request, "decisions/dashboard.html", context)


@require_GET
def audit_log(request: HttpRequest, scope: str, pk: int) -> StreamingHttpResponse:
    repositories = Repository.objects.for_user(request.user)
    if scope == "repository":
        subject = get_object_or_404(repositories, pk=pk)
        records = DecisionRecord.objects.for_user(request.user).filter(repository=subject)
        title = f"{subject.team.name} / {subject.name}"
        gate = scanning_selectors.repository_gate(repository=subject)
    else:
        subject = get_object_or_404(_visible_teams(request.user), pk=pk)
        records = DecisionRecord.objects.for_user(request.user).filter(repository__team=subject)
        title = subject.name
        gate = scanning_selectors.combined_gate(repositories=repositories.filter(team=subject))
    response = StreamingHttpResponse(
        audit.audit_lines(title=title, records=records, gate=gate),
        content_type="text/markdown; charset=utf-8",
    )
    filename = exports.safe_filename("audit", title, extension="md")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def cleanup_body(request: HttpRequest, pk: int, download: bool = False) -> HttpResponse:
    repository = get_object_or_404(
        Repository.objects.for_user(request.user).select_related("team"), pk=pk
    )
    body = cleanup.cleanup_body(user=request.user, repository=repository)
    if download:
        response = HttpResponse(body, content_type="text/markdown; charset=utf-8")
        filename = exports.safe_filename("cleanup", repository.name, extension="md")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return render(request, "decisions/cleanup_body.html", {"repository": repository, "body": body})


@require_GET
def prevention_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The configuration that keeps the repository's own tools quiet about what was kept."""
    repository = get_object_or_404(Repository.objects.for_user(request.user), pk=pk)
    items = prevention.repository_prevention(repository)
    body = prevention.as_text(items) if items else "# Nothing kept in this repository yet.\n"
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    filename = exports.safe_filename("prevention", repository.name, extension="txt")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def cyclonedx_download(request: HttpRequest, pk: int, document: str) -> HttpResponse:
    """The repository's CycloneDX SBOM or VEX (``document``: ``sbom`` or ``vex``)."""
    repository = get_object_or_404(Repository.objects.for_user(request.user), pk=pk)
    body = sbom.vex(repository) if document == "vex" else sbom.sbom(repository)
    response = HttpResponse(body, content_type="application/vnd.cyclonedx+json; version=1.6")
    filename = exports.safe_filename(document, repository.name, extension="cdx.json")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
