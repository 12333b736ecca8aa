from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import F, QuerySet

from decisions.models import (
    NOTE_FIELDS,
    REMOVAL_MODES,
    SCORE_FIELDS,
    DecisionRecord,
    Kind,
    NextAction,
    Severity,
    State,
)
from inventory import text
from inventory.models import EDITOR_ROLES, Repository, Team

# Each order ends in a unique column and has an index, so pages are stable and cheap.
SORTS = {
    "": ("-priority_score", "-id"),
    "review": (F("review_date").asc(nulls_last=True), "id"),
    "age": ("created_at", "id"),
    "newest": ("-created_at", "-id"),
    "repository": ("repository__name", "kind", "subject"),
}


class RecordFilterForm(forms.Form):
    """Filters and sort of the triage list; every choice is limited to what the user may see."""

    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, empty_label="Any team"
    )
    repository = forms.ModelChoiceField(
        queryset=Repository.objects.none(), required=False, empty_label="Any repository"
    )
    kind = forms.ChoiceField(choices=[("", "Any kind"), *Kind.choices], required=False)
    state = forms.ChoiceField(
        choices=[("", "Any state"), ("open", "Open (not closed)"), *State.choices], required=False
    )
    owner = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), required=False, empty_label="Any owner"
    )
    severity = forms.ChoiceField(choices=[("", "Any severity"), *Severity.choices], required=False)
    due = forms.ChoiceField(
        choices=[("", "Any review date"), ("due", "Due by today"), ("overdue", "Overdue")],
        required=False,
    )
    unowned = forms.BooleanField(required=False, label="Unowned only")
    sort = forms.ChoiceField(
        choices=[
            ("", "Priority"),
            ("repository", "Repository"),
            ("review", "Review date"),
            ("age", "Oldest first"),
            ("newest", "Newest first"),
        ],
        required=False,
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        repositories = Repository.objects.for_user(user)
        self.fields["repository"].queryset = repositories
        self.fields["team"].queryset = Team.objects.filter(repositories__in=repositories).distinct()
        self.fields["owner"].queryset = (
            get_user_model()
            .objects.filter(memberships__team__repositories__in=repositories)
            .distinct()
            .order_by("username")
        )

    def filter(self, records: QuerySet, *, today) -> QuerySet:
        if not self.is_valid():
            return records.none()
        data = self.cleaned_data
        for name in ("team", "repository", "kind", "owner", "severity"):
            if data[name]:
                records = records.filter(
                    **{"repository__team" if name == "team" else name: data[name]}
                )
        if data["state"] == "open":
            records = records.open()
        elif data["state"]:
            records = records.filter(state=data["state"])
        if data["due"] == "due":
            records = records.open().filter(review_date__lte=today)
        elif data["due"] == "overdue":
            records = records.open().filter(review_date__lt=today)
        if data["unowned"]:
            records = records.filter(owner__isnull=True)
        return records.order_by(*SORTS[data["sort"]])


def _team_members(record: DecisionRecord) -> QuerySet:
    """Who may own the record: members of its team who can approve (never a viewer)."""
    return (
        get_user_model()
        .objects.filter(
            memberships__team_id=record.repository.team_id, memberships__role__in=EDITOR_ROLES
        )
        .order_by("username")
    )


class RecordTriageForm(forms.ModelForm):
    """The inline row edit: owner, next action, review date (explicit fields only)."""

    next_action = forms.ChoiceField(choices=[("", "—"), *NextAction.choices], required=False)

    class Meta:
        model = DecisionRecord
        fields = ["owner", "next_action", "review_date"]
        widgets = {"review_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _team_members(self.instance)
        self.fields["owner"].required = False


class RecordDetailForm(forms.ModelForm):
    """Every field people write on the record page, plus one note per execution mode."""

    next_action = forms.ChoiceField(choices=[("", "—"), *NextAction.choices], required=False)

    class Meta:
        model = DecisionRecord
        fields = [
            "owner",
            "next_action",
            "review_date",
            "suppression",
            *NOTE_FIELDS,
            *SCORE_FIELDS,
            "review_window_days_override",
            "review_window_override_reason",
        ]
        widgets = {
            "review_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            **{
                name: forms.Textarea(attrs={"rows": 2})
                for name in (*NOTE_FIELDS, "review_window_override_reason")
            },
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _team_members(self.instance)
        self.fields["owner"].required = False
        notes = self.instance.mode_notes or {}
        for mode in sorted(REMOVAL_MODES):
            self.fields[f"mode_note_{mode}"] = forms.CharField(
                required=False,
                max_length=500,
                initial=notes.get(mode, ""),
                label=f"Why {mode} needs no evidence",
            )

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        data["mode_notes"] = {
            mode: note
            for mode in sorted(REMOVAL_MODES)
            if (note := data.pop(f"mode_note_{mode}", "").strip())
        }
        return data


class MoveForm(forms.Form):
    move = forms.CharField(max_length=32)
    comment = forms.CharField(required=False, max_length=2000, widget=forms.Textarea)


class BulkForm(forms.Form):
    """The same change on many selected rows."""

    ids = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=True)
    owner = forms.ModelChoiceField(queryset=get_user_model().objects.none(), required=False)
    next_action = forms.ChoiceField(choices=[("", "—"), *NextAction.choices], required=False)
    review_date = forms.DateField(required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Any id parses; the service refuses (and reports) the ones the user may not change.
        ids = [pk for pk in self.data.getlist("ids") if text.as_id(pk) is not None]
        self.fields["ids"].choices = [(pk, pk) for pk in ids]
        self.fields["owner"].queryset = (
            get_user_model()
            .objects.filter(memberships__team__repositories__in=Repository.objects.for_user(user))
            .distinct()
        )

    def changes(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in ("owner", "next_action", "review_date") if data[name]}
