"""Portfolio pages: one subject across every visible repository, one decision for many records,
decision rules, vulnerability analyses, "are we keeping up" and the digest opt-out."""

from __future__ import annotations

import csv
import html
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from decisions import exports, vex
from decisions.forms.portfolio import AnalysisForm, ApplyForm, DigestPreferenceForm, RuleForm
from decisions.models import DecisionRecord, DecisionRule, DigestPreference, NextAction, Suppression
from decisions.selectors import keeping_up, portfolio
from decisions.selectors import records as selectors
from decisions.selectors.portfolio import PortfolioForm
from decisions.services import analyses, digests, rules
from decisions.services.portfolio import MAX_APPLY, Decision, decision_apply
from decisions.views.reports import DashboardForm
from inventory.models import Repository, Team
from inventory.text import reveal


def _teams(user):
    return Team.objects.filter(repositories__in=Repository.objects.for_user(user)).distinct()


def _messages(exc: Exception) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


def _counts_rows(result: portfolio.Portfolio, base: str) -> SafeString:
    """The rows of the counts table, rendered once here: a superuser's kind has 200 teams and
    nine states, 1,800 cells that cost the template ~60 ms (as selectors/triage.py does)."""
    rows = []
    for row in result.teams:
        team_url = html.escape(f"{base}&team={row.team_id}")
        cells = "".join(
            f'<td><a href="{team_url}&amp;state={html.escape(state)}">{n}</a></td>'
            if n
            else "<td>·</td>"
            for state, n in row.cells
        )
        rows.append(
            f'<tr><th scope="row"><a href="{team_url}">{html.escape(reveal(row.team))}</a></th>'
            f"{cells}<td>{row.total}</td></tr>"
        )
    return mark_safe("".join(rows))  # noqa: S308 (every value above is escaped)


def _context(request: HttpRequest, form: PortfolioForm) -> dict:
    result = portfolio.portfolio(user=request.user, form=form)
    page_ids = [r.pk for r in result.records]
    editable = (
        set(
            DecisionRecord.objects.editable_by(request.user)
            .filter(pk__in=page_ids)
            .values_list("pk", flat=True)
        )
        if page_ids
        else set()
    )
    # Owner pickers for the teams whose records on this page the user may change.
    names = {
        r.repository.team_id: r.repository.team.name for r in result.records if r.pk in editable
    }
    owners = selectors.owners_by_team(team_ids=set(names)) if names else {}
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "counts_rows": _counts_rows(
            result, f"{reverse('decisions:portfolio')}?{query.urlencode()}"
        ),
        "form": form,
        "result": result,
        "editable": editable,
        "owners": [
            (team_id, names[team_id], people)
            for team_id, people in sorted(owners.items(), key=lambda kv: names[kv[0]])
        ],
        "query": query.urlencode(),
        "next_actions": NextAction.choices,
        "suppressions": Suppression.choices,
        "analysis_form": AnalysisForm(initial={"advisory": result.subject.advisory}),
    }


@require_GET
def portfolio_view(request: HttpRequest) -> HttpResponse:
    form = PortfolioForm(request.GET or None, teams=_teams(request.user))
    context = _context(request, form)
    if request.htmx and request.htmx.target == "portfolio-results":
        return render(request, "decisions/_portfolio_results.html", context | {"oob": True})
    return render(request, "decisions/portfolio.html", context)


def _applied(request: HttpRequest, result, title: str) -> HttpResponse:
    records = {
        r.pk: r
        for r in DecisionRecord.objects.for_user(request.user)
        .filter(pk__in=[*result.applied, *result.skipped])
        .select_related("repository")
    }
    context = {
        "title": title,
        "applied": [records[pk] for pk in result.applied if pk in records],
        "skipped": [(pk, records.get(pk), why) for pk, why in result.skipped.items()],
    }
    template = "decisions/_apply_result.html" if request.htmx else "decisions/apply_result.html"
    response = render(request, template, context)
    if request.htmx and result.applied:
        trigger_client_event(response, "portfolio-applied")  # the list shows the new states
    return response


def _all_matching(request: HttpRequest) -> list[int]:
    """Ids of every record the portfolio lists for the posted subject and filters."""
    form = PortfolioForm(request.POST, teams=_teams(request.user))
    if not form.is_valid() or not form.subject():
        raise ValidationError("Name a package, an advisory or a kind to apply to all of it.")
    ids = list(
        portfolio.matching_records(user=request.user, form=form).values_list("pk", flat=True)[
            : MAX_APPLY + 1
        ]
    )
    if len(ids) > MAX_APPLY:
        raise ValidationError(
            f"More than {MAX_APPLY} records match: narrow the filters (team, state) first."
        )
    return ids


@require_POST
def portfolio_apply(request: HttpRequest) -> HttpResponse:
    form = ApplyForm(request.POST, user=request.user)
    if not form.is_valid():
        error = "; ".join(e for errors in form.errors.values() for e in errors)
        return render(
            request,
            "decisions/_apply_result.html" if request.htmx else "decisions/apply_result.html",
            {"title": "Nothing applied", "error": error},
            status=400,
        )
    data = form.cleaned_data
    try:
        decision = Decision(
            next_action=data["next_action"],
            justification=data["justification"],
            review_date=data["review_date"],
            owners=form.owners(),
            suppression=data["suppression"],
        )
        record_ids = form.record_ids
        if data["all_matching"]:
            record_ids = _all_matching(request)
        result = decision_apply(actor=request.user, record_ids=record_ids, decision=decision)
    except ValidationError as exc:
        return render(
            request,
            "decisions/_apply_result.html" if request.htmx else "decisions/apply_result.html",
            {"title": "Nothing applied", "error": _messages(exc)},
            status=400,
        )
    label = NextAction(data["next_action"]).label
    return _applied(request, result, f"{label}: {len(result.applied)} record(s) decided")


@require_POST
def analysis_apply(request: HttpRequest) -> HttpResponse:
    form = AnalysisForm(request.POST)
    error = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            ids, result = analyses.analysis_apply(
                actor=request.user,
                advisory_id=data["advisory"].strip(),
                analysis=analyses.Analysis(
                    state=data["state"],
                    justification=data["justification"],
                    responses=tuple(data["responses"]),
                    detail=data["detail"],
                ),
                review_date=data["review_date"],
            )
        except (ValidationError, ValueError) as exc:
            error = _messages(exc)
        else:
            state = vex.AnalysisState(data["state"]).label
            return _applied(request, result, f"{state}: analysis of {', '.join(sorted(ids))}")
    else:
        error = "; ".join(e for errors in form.errors.values() for e in errors)
    template = "decisions/_apply_result.html" if request.htmx else "decisions/apply_result.html"
    return render(request, template, {"title": "Nothing applied", "error": error}, status=400)


@require_http_methods(["GET", "POST"])
def rule_list(request: HttpRequest) -> HttpResponse:
    # A rule decides only what its author may change: without such a repository the form
    # could only end in a refusal.
    can_create = Repository.objects.editable_by(request.user).exists()
    if request.method == "POST" and not can_create:
        raise PermissionDenied("Your role in your teams does not change records.")
    form = RuleForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rule, result = rules.rule_create(
                actor=request.user,
                reason=data["reason"],
                next_action=data["next_action"],
                ends_on=data["ends_on"],
                suppression=data["suppression"],
                review_date=data["review_date"],
                teams=data["teams"],
                repositories=data["repositories"],
                kinds=data["kinds"],
                packages=form.package_names(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            # Redirect, so reloading the page does not create the rule a second time.
            left = f", {len(result.skipped)} left unchanged" if result.skipped else ""
            messages.success(
                request,
                f"Rule {rule.pk} created: {len(result.applied)} record(s) decided now{left}.",
            )
            return redirect("decisions:rule-list")
    rule_rows = (
        DecisionRule.objects.for_user(request.user)
        .select_related("created_by", "withdrawn_by")
        .prefetch_related("teams", "repositories")
    )
    return render(
        request,
        "decisions/rule_list.html",
        {
            "form": form,
            "rules": rule_rows,
            "today": timezone.localdate(),
            "can_create": can_create,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def rule_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(DecisionRule.objects.for_user(request.user), pk=pk)
    try:
        count = rules.rule_withdraw(
            rule=rule, actor=request.user, reason=request.POST.get("reason", "")[:500]
        )
        messages.success(request, f"Rule {pk} withdrawn; {count} record(s) back in triage.")
    except ValidationError as exc:
        messages.error(request, _messages(exc))
    return redirect("decisions:rule-list")


@require_GET
def keeping_up_csv(request: HttpRequest) -> HttpResponse:
    form = DashboardForm(request.GET or None, user=request.user)
    team = form.cleaned_data["team"] if form.is_bound and form.is_valid() else None
    records = DecisionRecord.objects.for_user(request.user)
    if team is not None:
        records = records.filter(repository__team=team)
    table = keeping_up.keeping_up(records=records, today=timezone.localdate())
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([exports.neutralise_formula(str(value)) for value in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv")
    filename = exports.safe_filename("keeping-up", team.name if team else "all", extension="csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
def digest_preference(request: HttpRequest) -> HttpResponse:
    preference = DigestPreference.objects.filter(user=request.user).first()
    initial = {
        "weekly_personal": preference.weekly_personal if preference else True,
        "weekly_team": preference.weekly_team if preference else True,
    }
    form = DigestPreferenceForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        digests.digest_preference_save(user=request.user, **form.cleaned_data)
        messages.success(request, "Saved.")
        return redirect("decisions:digest-preference")
    return render(request, "decisions/digest_preference.html", {"form": form})
