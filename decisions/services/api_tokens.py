"""API tokens: created once (the secret is shown only then), stored as a hash, checked per call."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from decisions.models import ApiToken
from inventory.models import Repository

TOKEN_PREFIX = "dbt_"  # noqa: S105 (a public marker, not a secret)
# Writing last_used_at on every call would turn each read into a write; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# Enough for every script and CI job a person runs; more usually means forgotten tokens.
MAX_TOKENS_PER_USER = 20


class TooManyTokens(Exception):
    """The user already holds ``MAX_TOKENS_PER_USER`` tokens."""


def token_hash(secret: str) -> str:
    """The stored form of a token: tokens are long and random, so a fast hash is enough."""
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(*, user, name: str, repository=None) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns (token, secret). The secret is not stored anywhere.

    Every token needs a name saying what it is for (ValueError otherwise), so a list of
    tokens can be cleaned up without guessing. With ``repository`` the token is that
    repository's CI token (it pushes scans and reads the gate, nothing else); only someone
    who may edit the repository's records can create one (PermissionError otherwise).
    """
    name = (name or "").strip()
    if not name:
        raise ValueError("Say what the token is for.")
    if (
        repository is not None
        and not Repository.objects.editable_by(user).filter(pk=repository.pk).exists()
    ):
        raise PermissionError("Only someone who may change this repository's records can.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        active = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
        if active.count() >= MAX_TOKENS_PER_USER:
            raise TooManyTokens(
                f"You already have {MAX_TOKENS_PER_USER} tokens: revoke one you no longer use."
            )
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            prefix=secret[:12],
            token_hash=token_hash(secret),
            repository=repository,
        )
    return token, secret


def api_token_lookup(*, secret: str) -> ApiToken | None:
    """The active token ``secret`` is (its user active too), or None. Marks it used."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.filter(
            token_hash=token_hash(secret), user__is_active=True, revoked_at__isnull=True
        )
        .select_related("user", "repository")
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def api_token_authenticate(*, secret: str):
    """The active user an unscoped token belongs to, or None. Marks the token used.

    A repository's CI token (``repository`` set) is refused here: it opens the ingest and
    gate endpoints only, never the read API.
    """
    token = api_token_lookup(secret=secret)
    if token is None or token.repository_id is not None:
        return None
    return token.user


def api_token_revoke(*, user, token_id: int) -> bool:
    """Revoke ``user``'s own token ``token_id``, keeping it with who and when.

    False when they hold no such active token.
    """
    revoked = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=user
    )
    return bool(revoked)
