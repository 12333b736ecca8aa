"""Repository credentials encrypted at rest (Fernet: AES-128-CBC with an HMAC-SHA256 tag).

Keys: every Fernet key in ``DEBTBOARD_CREDENTIAL_KEYS`` (the first encrypts), then one derived
from ``SECRET_KEY`` and one from each of ``SECRET_KEY_FALLBACKS``. With no dedicated key the
derived one is used, so a fresh install encrypts without extra set-up; to rotate, put the new
key first and keep the old one after it until ``manage.py rotate_credentials`` has run.
"""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_CONTEXT = b"debtboard repository credentials"


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted with any configured key."""


def encrypt(plain: str) -> str:
    """The token for ``plain``; the empty string stays empty (nothing stored)."""
    if not plain:
        return ""
    return _fernet().encrypt(plain.encode()).decode("ascii")


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as exc:
        raise SecretUnreadable(
            "The stored credentials cannot be decrypted with the configured keys "
            "(DEBTBOARD_CREDENTIAL_KEYS / SECRET_KEY changed?): enter them again."
        ) from exc


def rotate(token: str) -> str:
    """``token`` re-encrypted with the first key (unchanged when empty)."""
    if not token:
        return ""
    try:
        return _fernet().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError) as exc:
        raise SecretUnreadable("The stored credentials cannot be decrypted to rotate.") from exc


def is_token(value: str) -> bool:
    """Whether ``value`` decrypts with a configured key (used to tell old plain text apart)."""
    try:
        decrypt(value)
    except SecretUnreadable:
        return False
    return bool(value)


def _fernet() -> MultiFernet:
    dedicated = tuple(settings.DEBTBOARD_CREDENTIAL_KEYS)
    secrets = (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ()))
    return _multi(dedicated, secrets)


@functools.lru_cache(maxsize=8)
def _multi(dedicated: tuple[str, ...], secrets: tuple[str, ...]) -> MultiFernet:
    keys = [Fernet(key) for key in dedicated]
    keys += [Fernet(_derive(secret)) for secret in secrets]
    return MultiFernet(keys)


def _derive(secret: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_CONTEXT)
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode()))
