"""A credential pair kept in two encrypted text fields (repositories, artifact stores).

The fields hold ``inventory.secrets`` tokens; ``editable=False`` keeps them out of every
ModelForm, so forms and the admin only ever say whether they are set.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models


def encrypted_field() -> models.TextField:
    """A field holding one encrypted secret (empty: none)."""
    return models.TextField(blank=True, editable=False)


class EncryptedCredentials:
    """For a model whose ``credential_fields`` are two ``encrypted_field()``s."""

    credential_fields: ClassVar[tuple[str, str]]

    def set_credentials(self, first: str, second: str) -> None:
        """Replace the stored pair (encrypted); two empty strings remove it."""
        from inventory import secrets

        for name, value in zip(self.credential_fields, (first, second), strict=True):
            setattr(self, name, secrets.encrypt(value))

    @property
    def has_credentials(self) -> bool:
        return any(getattr(self, name) for name in self.credential_fields)

    def decrypted_credentials(self) -> tuple[str, str]:
        """The pair, decrypted (empty strings when unset); raises ``secrets.SecretUnreadable``
        when no configured key opens them."""
        from inventory import secrets

        first, second = (secrets.decrypt(getattr(self, name)) for name in self.credential_fields)
        return first, second

    def rotate_credentials(self) -> None:
        """Re-encrypt the pair with the first key; raises ``secrets.SecretUnreadable``."""
        from inventory import secrets

        rotated = [secrets.rotate(getattr(self, name)) for name in self.credential_fields]
        for name, token in zip(self.credential_fields, rotated, strict=True):
            setattr(self, name, token)
