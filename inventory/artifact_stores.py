"""Artifact stores: where a team keeps model files (an S3-compatible bucket, or a directory)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from inventory.encrypted import EncryptedCredentials, encrypted_field

_BUCKET = r"^[a-z0-9][a-z0-9.\-_]{1,61}[a-z0-9]$"


class StoreKind(models.TextChoices):
    S3 = "s3", "S3-compatible bucket"
    DIRECTORY = "directory", "Directory on this server"


class ArtifactStoreQuerySet(models.QuerySet):
    def for_user(self, user) -> ArtifactStoreQuerySet:
        from inventory.models import Membership

        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(team__in=Membership.objects.filter(user=user).values("team"))

    def editable_by(self, user) -> ArtifactStoreQuerySet:
        """Stores whose inventories and records ``user`` may act on (team editors)."""
        from inventory.models import Membership

        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(team__in=Membership.objects.editors().filter(user=user).values("team"))

    def due(self, *, now=None) -> ArtifactStoreQuerySet:
        now = now or timezone.now()
        return self.filter(is_active=True).filter(
            Q(next_inventory_at__isnull=True) | Q(next_inventory_at__lte=now)
        )


class ArtifactStore(EncryptedCredentials, models.Model):
    """A bucket and prefix (or a directory) whose model versions a team's records track.

    Its decision records hang on ``records_repository``, a repository of the same team (the
    one that trains or serves the models, say), so they share that repository's people,
    access rules and pages.
    """

    team = models.ForeignKey(
        "inventory.Team", on_delete=models.PROTECT, related_name="artifact_stores"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=StoreKind.choices, default=StoreKind.S3)
    bucket = models.CharField(max_length=63, blank=True)
    prefix = models.CharField(max_length=1000, blank=True)
    endpoint_url = models.CharField(
        max_length=500,
        blank=True,
        help_text="For MinIO, Ceph, R2 and the like (https://…); empty for AWS S3.",
    )
    region = models.CharField(max_length=64, blank=True)
    directory = models.CharField(
        max_length=1000,
        blank=True,
        help_text="Absolute path; only where DEBTBOARD_ALLOW_LOCAL_REPOSITORIES is on.",
    )
    # Encrypted like repository credentials (inventory.encrypted); set via set_credentials().
    access_key_id = encrypted_field()
    secret_access_key = encrypted_field()
    credential_fields = ("access_key_id", "secret_access_key")
    records_repository = models.ForeignKey(
        "inventory.Repository",
        on_delete=models.PROTECT,
        related_name="artifact_stores",
        help_text="The team's repository whose records hold this store's candidates.",
    )
    inventory_interval_hours = models.PositiveIntegerField(
        default=24 * 7, validators=[MaxValueValidator(24 * 366)]
    )
    is_active = models.BooleanField(default=True)
    versioned = models.BooleanField(
        default=False, help_text="Seen versioned at the last inventory."
    )
    next_inventory_at = models.DateTimeField(null=True, blank=True)
    last_inventory_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ArtifactStoreQuerySet.as_manager()

    class Meta:
        app_label = "inventory"
        ordering = ["team__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="artifact_store_unique_team_name")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.records_repository_id
            and self.team_id
            and self.records_repository.team_id != self.team_id
        ):
            raise ValidationError("The records repository must belong to the store's team.")
        if self.kind == StoreKind.S3:
            self._clean_s3()
        else:
            self._clean_directory()
        self._clean_overlap()

    def _clean_overlap(self) -> None:
        # Records are told apart by the store's location: two stores of one records repository
        # where one holds the other would each take the other's records for their own.
        if not self.records_repository_id:
            return
        root = self.location.rstrip("/") + "/"
        others = ArtifactStore.objects.filter(records_repository_id=self.records_repository_id)
        for other in others.exclude(pk=self.pk):
            theirs = other.location.rstrip("/") + "/"
            if root.startswith(theirs) or theirs.startswith(root):
                raise ValidationError(
                    f"This store overlaps the store {other.name} ({other.location}) whose "
                    "records hang on the same repository: give it another records repository."
                )

    def _clean_s3(self) -> None:
        import re

        from inventory import locations

        if not re.match(_BUCKET, self.bucket or ""):
            raise ValidationError(
                "A bucket name is 3-63 lower-case letters, digits, dots or dashes."
            )
        self.prefix = self.prefix.lstrip("/")
        if self.prefix and not self.prefix.endswith("/"):
            self.prefix += "/"
        if self.directory:
            raise ValidationError("A bucket store has no directory.")
        if self.endpoint_url:
            parts = urlsplit(self.endpoint_url)
            if parts.scheme not in {"http", "https"} or not parts.hostname:
                raise ValidationError("The endpoint must be an http:// or https:// URL.")
            if parts.username or parts.password:
                raise ValidationError("The endpoint may not carry credentials; set the keys apart.")
            locations.validate_endpoint_host(parts.hostname)

    def _clean_directory(self) -> None:
        if not settings.DEBTBOARD_ALLOW_LOCAL_REPOSITORIES:
            raise ValidationError(
                "Directory stores need DEBTBOARD_ALLOW_LOCAL_REPOSITORIES on this installation."
            )
        path = PurePosixPath(self.directory or "")
        if not path.is_absolute() or ".." in path.parts:
            raise ValidationError("A directory store needs an absolute path without '..'.")
        if self.bucket or self.endpoint_url or self.has_credentials:
            raise ValidationError("A directory store has no bucket, endpoint or keys.")

    def credentials(self) -> tuple[str, str]:
        """(access key id, secret key), decrypted; raises ``secrets.SecretUnreadable``."""
        return self.decrypted_credentials()

    @property
    def location(self) -> str:
        if self.kind == StoreKind.S3:
            return f"s3://{self.bucket}/{self.prefix}"
        return self.directory

    @property
    def inventory_interval(self) -> timedelta:
        return timedelta(hours=self.inventory_interval_hours)
