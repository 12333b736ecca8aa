"""Forms of the portfolio pages: one decision for a selection, an analysis, a rule."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from decisions import vex
from decisions.models import Kind, NextAction, Suppression
from inventory import text
from inventory.models import EDITOR_ROLES, Repository, Team

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _ids(data) -> list[int]:
    return [pk for raw in data.getlist("ids") if (pk := text.as_id(raw)) is not None]


class ApplyForm(forms.Form):
    """One decision for the selected records; ``owner_<team id>`` fields name each team's owner."""

    next_action = forms.ChoiceField(choices=NextAction.choices)
    justification = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    review_date = forms.DateField(required=False, widget=_DATE)
    suppression = forms.ChoiceField(
        choices=[("", "—"), *Suppression.choices],
        required=False,
        help_text="For vulnerabilities kept.",
    )
    all_matching = forms.BooleanField(required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.record_ids = _ids(self.data) if self.is_bound else []
        self.owner_fields: dict[int, str] = {}
        if not self.is_bound:
            return
        for key in self.data:
            team_id = text.as_id(key.removeprefix("owner_")) if key.startswith("owner_") else None
            if team_id is None:
                continue
            self.owner_fields[team_id] = key
            self.fields[key] = forms.ModelChoiceField(
                queryset=get_user_model().objects.filter(
                    memberships__team_id=team_id, memberships__role__in=EDITOR_ROLES
                ),
                required=False,
            )

    def clean(self) -> dict:
        cleaned = super().clean()
        if not self.record_ids and not cleaned.get("all_matching"):
            raise forms.ValidationError("Select at least one record.")
        return cleaned

    def owners(self) -> dict[int, object]:
        return {
            team_id: self.cleaned_data[key]
            for team_id, key in self.owner_fields.items()
            if self.cleaned_data.get(key)
        }


class AnalysisForm(forms.Form):
    """A CycloneDX analysis of one advisory, for every record found under it or an alias."""

    advisory = forms.CharField(max_length=100)
    state = forms.ChoiceField(choices=vex.AnalysisState.choices)
    justification = forms.ChoiceField(
        choices=[("", "—"), *vex.Justification.choices], required=False
    )
    responses = forms.MultipleChoiceField(
        choices=vex.Response.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    detail = forms.CharField(max_length=2000, required=False, widget=forms.Textarea({"rows": 2}))
    review_date = forms.DateField(required=False, widget=_DATE)


class RuleForm(forms.Form):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    next_action = forms.ChoiceField(choices=NextAction.choices)
    suppression = forms.ChoiceField(choices=[("", "—"), *Suppression.choices], required=False)
    review_date = forms.DateField(required=False, widget=_DATE)
    ends_on = forms.DateField(widget=_DATE, label="Ends on")
    teams = forms.ModelMultipleChoiceField(queryset=Team.objects.none(), required=False)
    repositories = forms.ModelMultipleChoiceField(
        queryset=Repository.objects.none(), required=False
    )
    kinds = forms.MultipleChoiceField(choices=Kind.choices, required=False)
    packages = forms.CharField(
        max_length=2000, required=False, help_text="Package names, separated by commas."
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        editable = Repository.objects.editable_by(user)
        self.fields["repositories"].queryset = editable.select_related("team")
        self.fields["teams"].queryset = Team.objects.filter(repositories__in=editable).distinct()

    def package_names(self) -> list[str]:
        return [p.strip() for p in self.cleaned_data["packages"].split(",") if p.strip()]


class DigestPreferenceForm(forms.Form):
    weekly_personal = forms.BooleanField(
        required=False, label="Weekly: what is due for me and waits for my approval"
    )
    weekly_team = forms.BooleanField(
        required=False, label="Weekly: the review agenda of the teams I lead"
    )
