"""The admin form of artifact stores: keys are write-only, like repository credentials."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from inventory.models import ArtifactStore


class ArtifactStoreAdminForm(forms.ModelForm):
    access_key = forms.CharField(
        label="Access key id",
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Leave both empty to keep what is stored.",
    )
    secret_key = forms.CharField(
        label="Secret access key",
        required=False,
        max_length=1000,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Never shown again.",
    )
    clear_credentials = forms.BooleanField(label="Remove the stored keys", required=False)

    class Meta:
        model = ArtifactStore
        fields = [
            "team",
            "name",
            "kind",
            "bucket",
            "prefix",
            "endpoint_url",
            "region",
            "directory",
            "records_repository",
            "inventory_interval_hours",
            "is_active",
            "next_inventory_at",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        key_id = cleaned.get("access_key") or ""
        secret = cleaned.get("secret_key") or ""
        if cleaned.get("clear_credentials"):
            if key_id or secret:
                raise ValidationError("Either remove the stored keys or give new ones.")
            self.instance.set_credentials("", "")
        elif key_id or secret:
            if not (key_id and secret):
                raise ValidationError("Give both the access key id and the secret key.")
            self.instance.set_credentials(key_id, secret)
        elif self.instance.has_credentials and {"endpoint_url", "bucket"} & set(self.changed_data):
            # Stored keys go to the endpoint and bucket they were given for, not to new ones.
            raise ValidationError("The endpoint or bucket changed: give the keys again.")
        return cleaned
