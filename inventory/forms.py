"""Forms of the inventory app: registering a repository without ever showing its credentials."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from inventory import locations
from inventory.models import Repository


class CredentialFreeInput(forms.TextInput):
    """A location input that never renders credentials back, whatever the value holds (an
    http or ssh URL with a password, a URL too broken to split): after a validation error the
    page shows the location without them."""

    def format_value(self, value: Any) -> str | None:
        shown = super().format_value(value)
        return None if shown is None else locations.without_secrets(shown)


class CredentialFreeTextarea(forms.Textarea):
    """A text area of locations, one a line, that never renders their credentials back."""

    def format_value(self, value: Any) -> str | None:
        shown = super().format_value(value)
        return None if shown is None else locations.text_without_secrets(shown)


class RepositoryAdminForm(forms.ModelForm):
    """The repository form of the admin. Credentials are write-only.

    They can be typed into the URL (``https://user:token@host/…``) or the two password fields;
    either way they are stored apart from the location and never rendered back, not even when
    the form comes back with errors.
    """

    git_username = forms.CharField(
        label="Git user name",
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="For https locations. Leave empty to keep what is stored.",
    )
    git_secret = forms.CharField(
        label="Git token or password",
        required=False,
        max_length=1000,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Never shown again. Leave empty to keep what is stored.",
    )
    clear_credentials = forms.BooleanField(label="Remove the stored credentials", required=False)

    class Meta:
        model = Repository
        fields = [
            "team",
            "name",
            "location",
            "default_branch",
            "is_active",
            "release_cycle_days",
            "scan_interval_hours",
            "execution_modes",
            "known_first_party",
            "vulnerability_service",
            "next_scan_at",
        ]
        widgets = {"location": CredentialFreeInput(attrs={"class": "vTextField"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._url_credentials: locations.Credentials | None = None
        key = self.add_prefix("location")
        if self.is_bound and key in self.data:
            # Take the credentials out before anything can echo the submitted value back.
            bare, self._url_credentials = locations.split_credentials(self.data[key].strip())
            data = self.data.copy()
            data[key] = bare
            self.data = data
        elif "location" in self.initial:
            self.initial["location"], _ = locations.split_credentials(self.initial["location"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        username = cleaned.get("git_username") or ""
        secret = cleaned.get("git_secret") or ""
        typed = locations.Credentials(username, secret) if username or secret else None
        given = [c for c in (self._url_credentials, typed) if c is not None]
        if cleaned.get("clear_credentials"):
            if given:
                raise ValidationError("Either remove the stored credentials or give new ones.")
            self.instance.set_credentials("", "")
        elif len(given) > 1:
            raise ValidationError("Give the credentials in the URL or in the fields, not both.")
        elif given:
            self.instance.set_credentials(given[0].username, given[0].password)
        elif self.instance.has_credentials and "location" in self.changed_data:
            # Stored credentials are sent to the host they were given for, not to a new one.
            raise ValidationError(
                "The location changed: give the credentials again or remove them."
            )
        return cleaned
