"""API tokens: a person creates, sees once and revokes their own read-only tokens, and the CI
tokens of repositories they may change."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from decisions import services
from inventory.models import Repository


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        required=True,
        label="What is it for?",
        help_text="E.g. “CI gate for payments-api”. Shown in the list; the token itself is not.",
    )
    repository = forms.ModelChoiceField(
        queryset=Repository.objects.none(),
        required=False,
        empty_label="None: a read-only token for me",
        label="For one repository's CI",
        help_text="It pushes that repository's scans and reads its gate policy, nothing else.",
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["repository"].queryset = Repository.objects.editable_by(user).order_by("name")


@never_cache  # the response carries the new secret: no cache may keep it
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None, user=request.user)
    new_secret = ""
    if request.method == "POST" and form.is_valid():
        try:
            _, new_secret = services.api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                repository=form.cleaned_data["repository"],
            )
        except (services.TooManyTokens, PermissionError) as exc:
            form.add_error(None, str(exc))
        else:
            form = TokenForm(user=request.user)
    tokens = request.user.api_tokens.select_related("revoked_by", "repository")
    context = {
        "form": form,
        "new_secret": new_secret,
        "tokens": tokens.filter(revoked_at__isnull=True),
        "revoked": tokens.filter(revoked_at__isnull=False).order_by("-revoked_at")[:50],
    }
    return render(request, "decisions/apitoken_list.html", context)


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    if not services.api_token_revoke(user=request.user, token_id=pk):
        raise Http404("No such token of yours.")
    messages.success(request, "Token revoked: calls with it are refused from now on.")
    return redirect("decisions:token-list")
