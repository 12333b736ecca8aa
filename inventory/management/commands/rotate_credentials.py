"""Re-encrypt every stored repository credential with the first configured key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from inventory import secrets
from inventory.models import Repository

FIELDS = ("credential_username", "credential_secret")


class Command(BaseCommand):
    help = (
        "Re-encrypt repository credentials with the first key of DEBTBOARD_CREDENTIAL_KEYS "
        "(or the SECRET_KEY-derived key). Run after adding a new key in front; then the old "
        "key can be dropped."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        rotated, unreadable = 0, []
        with transaction.atomic():
            stored = Repository.objects.select_for_update().exclude(
                credential_username="", credential_secret=""
            )
            for repository in stored:
                try:
                    for field in FIELDS:
                        setattr(repository, field, secrets.rotate(getattr(repository, field)))
                except secrets.SecretUnreadable:
                    unreadable.append(repository.name)
                    continue
                repository.save(update_fields=FIELDS)
                rotated += 1
        self.stdout.write(f"Re-encrypted the credentials of {rotated} repositories.")
        if unreadable:
            raise CommandError(
                "No configured key opens the credentials of: "
                + ", ".join(sorted(unreadable))
                + ". Enter them again on those repositories."
            )
