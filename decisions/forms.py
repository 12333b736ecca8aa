from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from decisions.models import DecisionRecord, Kind, NextAction, State
from inventory.models import Repository, Team


class RecordFilterForm(forms.Form):
    """Filters of the triage list; every choice is limited to what the user may see."""

    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, empty_label="Any team"
    )
    repository = forms.ModelChoiceField(
        queryset=Repository.objects.none(), required=False, empty_label="Any repository"
    )
    kind = forms.ChoiceField(choices=[("", "Any kind"), *Kind.choices], required=False)
    state = forms.ChoiceField(choices=[("", "Any state"), *State.choices], required=False)
    owner = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), required=False, empty_label="Any owner"
    )
    unowned = forms.BooleanField(required=False, label="Unowned only")

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        repositories = Repository.objects.for_user(user)
        self.fields["repository"].queryset = repositories
        self.fields["team"].queryset = Team.objects.filter(repositories__in=repositories).distinct()
        self.fields["owner"].queryset = (
            get_user_model()
            .objects.filter(owned_records__repository__in=repositories)
            .distinct()
            .order_by("username")
        )

    def filter(self, records):
        if not self.is_valid():
            return records.none()
        data = self.cleaned_data
        if data["team"]:
            records = records.filter(repository__team=data["team"])
        if data["repository"]:
            records = records.filter(repository=data["repository"])
        if data["kind"]:
            records = records.filter(kind=data["kind"])
        if data["state"]:
            records = records.filter(state=data["state"])
        if data["owner"]:
            records = records.filter(owner=data["owner"])
        if data["unowned"]:
            records = records.filter(owner__isnull=True)
        return records


class RecordTriageForm(forms.ModelForm):
    """The inline row edit: owner and next action (explicit fields only)."""

    next_action = forms.ChoiceField(choices=[("", "—"), *NextAction.choices], required=False)

    class Meta:
        model = DecisionRecord
        fields = ["owner", "next_action"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices(self.instance)
        self.fields["owner"].required = False


def owner_choices(record: DecisionRecord):
    """People who can own a record: members of its repository's team."""
    return (
        get_user_model()
        .objects.filter(memberships__team_id=record.repository.team_id)
        .order_by("username")
    )
