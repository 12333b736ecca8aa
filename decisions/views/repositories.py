"""Adding repositories in the app, and pausing or archiving them (no Django admin needed)."""

from __future__ import annotations

import csv
import io

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from decisions import services
from decisions.services.repositories import ADDED, REFUSED
from inventory import forms as inventory_forms
from inventory.models import Repository, Team

MAX_UPLOAD_BYTES = 1024 * 1024
FOLD_ADDED_OVER = 20


class RepositoryAddForm(forms.Form):
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, empty_label="Choose a team"
    )
    # Submitted again after a refusal: credentials typed into a location are never shown back.
    location = forms.CharField(
        required=False, max_length=1000, widget=inventory_forms.CredentialFreeInput
    )
    default_branch = forms.CharField(required=False, max_length=200)
    release_cycle = forms.IntegerField(
        required=False, min_value=1, max_value=10_000, label="Release cycle (days)"
    )
    schedule = forms.IntegerField(
        required=False, min_value=1, max_value=10_000, label="Schedule (hours between scans)"
    )
    lines = forms.CharField(
        required=False,
        widget=inventory_forms.CredentialFreeTextarea(attrs={"rows": 8}),
        label="Or many at once, one a line",
        help_text="location, team, default branch, release cycle (days), schedule (hours); "
        "only the location is required.",
    )
    csv_file = forms.FileField(required=False, label="Or a CSV file with the same columns")

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.led_by(user)
        self.fields["team"].queryset = teams
        only = list(teams[:2])
        if len(only) == 1:
            self.fields["team"].initial = only[0].pk

    def clean_csv_file(self):
        upload = self.cleaned_data.get("csv_file")
        if upload is None:
            return ""
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The CSV file is larger than 1 MB.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("The CSV file is not UTF-8 text.") from None

    def text(self) -> str:
        """Every line given, the single-repository fields first, as CSV."""
        data = self.cleaned_data
        parts = []
        if data["location"].strip():
            single = io.StringIO()
            csv.writer(single).writerow(
                [
                    data["location"].strip(),
                    "",
                    data["default_branch"],
                    data["release_cycle"] or "",
                    data["schedule"] or "",
                ]
            )
            parts.append(single.getvalue())
        parts += [data["lines"], data["csv_file"]]
        return "\n".join(p for p in parts if p)


@require_http_methods(["GET", "POST"])
def repository_add(request: HttpRequest) -> HttpResponse:
    if not Team.objects.led_by(request.user).exists():
        raise PermissionDenied("Only team leads and admins add repositories.")
    form = RepositoryAddForm(request.POST or None, request.FILES or None, user=request.user)
    results = None
    if request.method == "POST" and form.is_valid():
        text = form.text()
        if not text.strip():
            form.add_error(None, "Give a location, a list of lines or a CSV file.")
        else:
            results = services.repositories_add(
                actor=request.user, text=text, default_team=form.cleaned_data["team"]
            )
    counts = {}
    for result in results or []:
        counts[result.outcome] = counts.get(result.outcome, 0) + 1
    context = {"form": form, "results": results, "counts": counts}
    if results is not None:
        # What needs a look first (refused, then already there); the added lines after,
        # folded when there are many (an organisation's 300 repositories).
        context["to_check"] = [r for r in results if r.outcome != ADDED]
        context["to_check"].sort(key=lambda r: r.outcome != REFUSED)
        context["added"] = [r for r in results if r.outcome == ADDED]
        context["fold_added"] = len(context["added"]) > FOLD_ADDED_OVER
    return render(request, "decisions/repository_add.html", context)


@require_POST
def repository_state(request: HttpRequest, pk: int) -> HttpResponse:
    repository = get_object_or_404(Repository.objects.for_user(request.user), pk=pk)
    state = request.POST.get("state", "")
    if state not in ("active", "paused", "archived"):
        messages.error(request, "Choose resume, pause or archive.")
    else:
        services.repository_set_state(repository=repository, actor=request.user, state=state)
        messages.success(request, f"{repository.name}: {state}.")
    return redirect("scanning:repository-list")
