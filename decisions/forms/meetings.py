"""Forms of the weekly review pages."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from decisions import lifecycle
from decisions.forms.records import LoadedValuesMixin
from decisions.models import DecisionRecord, NextAction, next_action_choices
from decisions.selectors import meetings
from inventory.models import EDITOR_ROLES, Team


def _members(team: Team):
    return get_user_model().objects.filter(memberships__team=team).order_by("username")


def _possible_owners(team: Team):
    """Members who can approve, so an owner chosen in a meeting can decide on the record."""
    return (
        get_user_model()
        .objects.filter(memberships__team=team, memberships__role__in=EDITOR_ROLES)
        .order_by("username")
    )


class AgendaForm(forms.Form):
    """Which team and day to build (or start) a review for; teams limited to the user's."""

    team = forms.ModelChoiceField(queryset=Team.objects.none(), empty_label=None)
    date = forms.DateField(widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))

    def __init__(self, *args, user, editable_only: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.editable_by(user) if editable_only else Team.objects.for_user(user)
        self.fields["team"].queryset = teams
        self.fields["date"].initial = timezone.localdate()

    def clean_date(self):
        day = self.cleaned_data["date"]
        meetings.check_day(day)
        return day


# What the meeting may change on the record itself.
RECORD_FIELDS = ("owner", "next_action", "review_date")


class MeetingItemForm(LoadedValuesMixin, forms.Form):
    """What the meeting decides on one item: a move, new owner / action / review date, a note."""

    move = forms.ChoiceField(required=False, label="Decision")
    comment = forms.CharField(
        required=False,
        max_length=2000,
        label="Comment (required to reject or keep)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    owner = forms.ModelChoiceField(queryset=None, required=False, empty_label="(nobody)")
    next_action = forms.ChoiceField(
        choices=[("", "—"), *NextAction.choices], required=False, label="Next action"
    )
    review_date = forms.DateField(
        required=False,
        label="Review date",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    note = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, record: DecisionRecord, user, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "owner": record.owner_id,
                "next_action": record.next_action,
                "review_date": record.review_date,
            },
        )
        super().__init__(*args, **kwargs)
        self.record = record
        self.fields["owner"].queryset = _possible_owners(record.repository.team)
        self.fields["next_action"].choices = [
            ("", "—"),
            *next_action_choices(record.kind, current=record.next_action),
        ]
        moves = lifecycle.allowed_moves(record=record, user=user)
        self.fields["move"].choices = [("", "No decision now"), *((m.name, m.label) for m in moves)]
        self._track_loaded_values(RECORD_FIELDS)

    def changes(self) -> dict:
        """The record fields the person changed (from what the page was loaded with)."""
        if self.has_loaded_values:
            return self.changed_among(RECORD_FIELDS)
        data = self.cleaned_data
        return {
            name: data[name] for name in RECORD_FIELDS if data[name] != getattr(self.record, name)
        }


class MinutesForm(forms.Form):
    attendees = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    minutes = forms.CharField(
        required=False, max_length=50_000, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args, team: Team, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = _members(team)
