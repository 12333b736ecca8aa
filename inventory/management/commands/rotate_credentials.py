"""Re-encrypt every stored credential (repositories, artifact stores) with the first key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from inventory import secrets
from inventory.models import ArtifactStore, Repository

# What holds encrypted credentials (inventory.encrypted), and how the command names it.
STORED = ((Repository, "repositories"), (ArtifactStore, "artifact stores"))


class Command(BaseCommand):
    help = (
        "Re-encrypt repository and artifact-store credentials with the first key of "
        "DEBTBOARD_CREDENTIAL_KEYS (or the SECRET_KEY-derived key). Run after adding a new key "
        "in front; then the old key can be dropped."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts, unreadable = [], []
        with transaction.atomic():
            for model, label in STORED:
                rotated, lost = _rotate(model)
                counts.append(f"{rotated} {label}")
                if lost:
                    unreadable.append(f"{label}: {', '.join(sorted(lost))}")
        self.stdout.write(f"Re-encrypted the credentials of {' and '.join(counts)}.")
        if unreadable:
            raise CommandError(
                "No configured key opens the credentials of "
                + "; ".join(unreadable)
                + ". Enter them again on those."
            )


def _rotate(model: type[models.Model]) -> tuple[int, list[str]]:
    rotated, unreadable = 0, []
    empty = {field: "" for field in model.credential_fields}
    stored = model.objects.select_for_update().exclude(**empty).order_by("pk")
    for instance in stored:
        try:
            instance.rotate_credentials()
        except secrets.SecretUnreadable:
            unreadable.append(instance.name)
            continue
        instance.save(update_fields=model.credential_fields)
        rotated += 1
    return rotated, unreadable
