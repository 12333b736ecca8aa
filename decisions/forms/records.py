from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet
from django.forms.utils import flatatt
from django.utils.html import format_html

from decisions.models import (
    NOTE_FIELDS,
    REMOVAL_MODES,
    SCORE_FIELDS,
    DecisionRecord,
    Kind,
    NextAction,
    Severity,
    State,
    next_action_choices,
)
from inventory import text
from inventory.models import EDITOR_ROLES, Repository, Team


def members_of_teams_of(repositories: QuerySet[Repository], *, roles=None) -> QuerySet:
    """People who are members (in one of ``roles``, if given) of a team of ``repositories``,
    by username.

    Asked per membership whether its team has such a repository, not by joining every
    repository: a superuser's 10,000 repositories made that join 20,000 rows to de-duplicate.
    """
    has_repository = Exists(repositories.filter(team_id=OuterRef("memberships__team_id")))
    memberships = {"memberships__role__in": roles} if roles is not None else {}
    return (
        get_user_model()
        .objects.filter(has_repository, **memberships)
        .distinct()
        .order_by("username")
    )


class RecordFilterForm(forms.Form):
    """Filters and sort of the triage list, validated; every choice is limited to what the user
    may see. ``selectors.record_list`` applies them."""

    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, empty_label="Any team"
    )
    # Typed, not chosen from a list: a superuser's 10,000 repositories made a 480 kB page.
    # Suggestions come from ``views.repository_suggestions``.
    repository = forms.CharField(required=False, max_length=200)
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
        self.repositories = repositories
        # What the repository input shows: the name of a repository chosen by id.
        self.repository_shown = str(self.data.get("repository", "")) if self.is_bound else ""
        # Teams with a repository, asked per team (joining 10,000 repositories took longer).
        self.fields["team"].queryset = Team.objects.for_user(user).filter(
            Exists(Repository.objects.filter(team_id=OuterRef("pk")))
        )
        self.fields["owner"].queryset = members_of_teams_of(repositories)

    def clean_repository(self) -> list[int]:
        """The ids of the visible repositories the text names: the id links pass
        (``?repository=<id>``), else an exact name (any case when no name matches exactly).
        A name can be shared by repositories of several teams: it then names all of them."""
        value = self.cleaned_data["repository"].strip()
        if not value:
            return []
        visible = self.repositories.order_by()
        pk = text.as_id(value)
        if pk is not None:
            same_name = visible.filter(name__in=visible.filter(pk=pk).values("name"))
            found = dict(same_name.values_list("pk", "name")[:2])
            if pk in found:
                # A name shown must name this repository alone, or a resubmit would widen.
                self.repository_shown = found[pk] if len(found) == 1 else value
                return [pk]
        for lookup in ("name", "name__iexact"):
            found = list(visible.filter(**{lookup: value}).values_list("pk", flat=True))
            if found:
                return found
        raise forms.ValidationError(
            "No repository you can see is called “%(name)s”.", params={"name": value}
        )


def _team_members(record: DecisionRecord) -> QuerySet:
    """Who may own the record: members of its team who can approve (never a viewer)."""
    return (
        get_user_model()
        .objects.filter(
            memberships__team_id=record.repository.team_id, memberships__role__in=EDITOR_ROLES
        )
        .order_by("username")
    )


def _next_actions(record: DecisionRecord) -> list[tuple[str, str]]:
    return [("", "—"), *next_action_choices(record.kind, current=record.next_action)]


class LoadedValueInput(forms.HiddenInput):
    """The hidden input carrying a field's loaded value, rendered in Python.

    The record page has one per field; through the widget templates they cost as much as
    the visible fields. Same HTML as ``HiddenInput`` (a test compares them).
    """

    def render(self, name, value, attrs=None, renderer=None) -> str:
        value = self.format_value(value)
        return format_html(
            '<input type="hidden" name="{}"{}{}>',
            name,
            format_html(' value="{}"', value) if value is not None else "",
            flatatt(self.build_attrs(self.attrs, attrs)),
        )


class LoadedValuesMixin:
    """A form that knows what the person changed.

    Each tracked field carries the value the page was loaded with (Django's hidden
    ``initial-<name>`` input), so ``changes()`` holds only the fields the person edited and
    ``loaded()`` what they held then: the service refuses a change to a field someone else
    changed since (lost update). A submit without the loaded values is compared with the record
    as it is now.
    """

    def _track_loaded_values(self, names: Iterable[str] | None = None) -> None:
        prefix = self.add_initial_prefix("")
        self.has_loaded_values = any(str(key).startswith(prefix) for key in self.data)
        tracking = not self.is_bound or self.has_loaded_values
        for name in self.fields if names is None else names:
            field = self.fields[name]
            field.show_hidden_initial = tracking
            if field.hidden_widget is forms.HiddenInput:
                field.hidden_widget = LoadedValueInput

    def _loaded_value(self, name: str) -> Any:
        field = self.fields[name]
        raw = field.hidden_widget().value_from_datadict(
            self.data, self.files, self.add_initial_prefix(name)
        )
        try:
            return field.clean(raw)
        except forms.ValidationError:
            return _UNKNOWN

    def changed_among(self, names: Iterable[str]) -> dict[str, Any]:
        changed = set(self.changed_data)
        return {name: self.cleaned_data[name] for name in names if name in changed}

    def loaded(self) -> dict[str, Any]:
        """Loaded value of each changed field (none when the submit did not carry them)."""
        if not self.has_loaded_values:
            return {}
        values = {name: self._loaded_value(name) for name in self.changes()}
        return {name: value for name, value in values.items() if value is not _UNKNOWN}


class LoadedRecordFormMixin(LoadedValuesMixin):
    """A record ModelForm whose model validation sees the record as it will be saved."""

    def _keep_unchanged(self, cleaned: dict[str, Any]) -> dict[str, Any]:
        """Fields the person did not change take the record's current values, so the model's
        rules judge the record as it will be saved, not as it was when the page was loaded."""
        if self.has_loaded_values:
            changed = set(self.changed_data)
            for name in self._meta.fields:
                if name in cleaned and name not in changed:
                    cleaned[name] = getattr(self.instance, name)
        return cleaned

    def clean(self) -> dict[str, Any]:
        return self._keep_unchanged(super().clean())

    def model_changes(self) -> dict[str, Any]:
        return self.changed_among(self._meta.fields)


# A loaded value that does not parse (a deleted owner): not compared.
_UNKNOWN = object()


class RecordTriageForm(LoadedRecordFormMixin, forms.ModelForm):
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
        self.fields["next_action"].choices = _next_actions(self.instance)
        self._track_loaded_values()

    def changes(self) -> dict[str, Any]:
        return self.model_changes()


def takes_suppression(record: DecisionRecord) -> bool:
    """Why a vulnerability is kept is asked of vulnerability records only (and of a record
    that already holds one, so it can be cleared)."""
    return record.kind == Kind.VULNERABLE or bool(record.suppression)


class RecordDetailForm(LoadedRecordFormMixin, forms.ModelForm):
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
        owner = self.fields["owner"]
        owner.queryset = _team_members(self.instance)
        owner.required = False
        # The options read once, as a list: iterating the queryset would open a server-side
        # cursor on PostgreSQL (three round trips) for a handful of people.
        owner.choices = [("", "Nobody yet"), *((u.pk, str(u)) for u in owner.queryset)]
        self.fields["next_action"].choices = _next_actions(self.instance)
        if not takes_suppression(self.instance):
            del self.fields["suppression"]
        notes = self.instance.mode_notes or {}
        for mode in sorted(REMOVAL_MODES):
            self.fields[f"mode_note_{mode}"] = forms.CharField(
                required=False,
                max_length=500,
                initial=notes.get(mode, ""),
                label=f"Why {mode} needs no evidence",
            )
        self._track_loaded_values()

    @staticmethod
    def _notes(values: dict[str, Any]) -> dict[str, str]:
        return {
            mode: note
            for mode in sorted(REMOVAL_MODES)
            if (note := (values.get(f"mode_note_{mode}") or "").strip())
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # The model's rules ("remove" needs a note per uncovered mode) see the submitted notes.
        self.instance.mode_notes = self._notes(cleaned)
        return cleaned

    def changes(self) -> dict[str, Any]:
        data = self.model_changes()
        if any(name.startswith("mode_note_") for name in self.changed_data):
            data["mode_notes"] = self._notes(self.cleaned_data)
        return data

    def _loaded_value(self, name: str) -> Any:
        if name != "mode_notes":
            return super()._loaded_value(name)
        loaded = {}
        for mode in REMOVAL_MODES:
            loaded[f"mode_note_{mode}"] = super()._loaded_value(f"mode_note_{mode}")
        if _UNKNOWN in loaded.values():
            return _UNKNOWN
        return self._notes(loaded)


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
        # Only people who can approve may own a record (the service checks each record's team).
        self.fields["owner"].queryset = members_of_teams_of(
            Repository.objects.for_user(user), roles=EDITOR_ROLES
        )

    def changes(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in ("owner", "next_action", "review_date") if data[name]}
