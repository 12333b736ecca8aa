"""Inventories of artifact stores: runs, and the model versions the listed objects form."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class InventoryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class InventoryRunQuerySet(models.QuerySet):
    def for_user(self, user) -> InventoryRunQuerySet:
        from inventory.models import ArtifactStore

        return self.filter(store__in=ArtifactStore.objects.for_user(user))

    def succeeded(self) -> InventoryRunQuerySet:
        return self.filter(status=InventoryStatus.SUCCEEDED)


class InventoryRun(models.Model):
    """One listing of a store. A failed run keeps its error; the store's previous objects and
    versions (and the records made from them) stay as the last good run left them."""

    store = models.ForeignKey(
        "inventory.ArtifactStore", on_delete=models.CASCADE, related_name="inventory_runs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=InventoryStatus.choices, default=InventoryStatus.QUEUED
    )
    pages = models.PositiveIntegerField(default=0)
    objects_seen = models.PositiveIntegerField(default=0)
    bytes_seen = models.PositiveBigIntegerField(default=0)
    progress_message = models.CharField(max_length=200, blank=True)
    versioned = models.BooleanField(default=False)
    versions_count = models.PositiveIntegerField(default=0)
    ungrouped_objects = models.PositiveIntegerField(default=0)
    candidates_count = models.PositiveIntegerField(default=0)
    reclaimable_bytes = models.PositiveBigIntegerField(default=0)
    reclaimable_monthly_cost = models.FloatField(default=0)
    evidence_note = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = InventoryRunQuerySet.as_manager()

    class Meta:
        app_label = "scanning"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["store"],
                condition=models.Q(status__in=["queued", "running"]),
                name="inventoryrun_one_active_per_store",
            )
        ]

    def __str__(self) -> str:
        return f"Inventory #{self.pk} of {self.store} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (InventoryStatus.SUCCEEDED, InventoryStatus.FAILED)

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class ArtifactVersion(models.Model):
    """One model version of a store as of its last good inventory, and what uses it."""

    store = models.ForeignKey(
        "inventory.ArtifactStore", on_delete=models.CASCADE, related_name="artifact_versions"
    )
    inventory_run = models.ForeignKey(InventoryRun, on_delete=models.CASCADE, related_name="+")
    model = models.CharField(max_length=1000)
    version = models.CharField(max_length=200)
    prefix = models.CharField(max_length=1024, help_text="Key prefix below the store's prefix.")
    layout = models.CharField(max_length=16)
    objects_count = models.PositiveIntegerField(default=0)
    size_bytes = models.PositiveBigIntegerField(default=0)
    noncurrent_bytes = models.PositiveBigIntegerField(default=0)
    last_modified = models.DateTimeField()
    is_newest = models.BooleanField(default=False)
    is_candidate = models.BooleanField(default=False)
    serving = models.BooleanField(default=False)
    reason = models.CharField(max_length=500, blank=True)
    monthly_cost = models.FloatField(default=0)
    references = models.JSONField(
        default=list, blank=True, help_text="[{text, repository, path, line, mode}], first 50."
    )
    # One row per version, not per object: an inventory of 100,000 objects stores in seconds.
    object_list = models.JSONField(
        default=list,
        blank=True,
        help_text="Its objects: [key, size, last modified (ISO), version id, is latest, "
        "storage class] each; every object version on a versioned bucket.",
    )

    class Meta:
        app_label = "scanning"
        ordering = ["model", "-last_modified"]
        indexes = [models.Index(fields=["store", "is_candidate"])]

    def __str__(self) -> str:
        return f"{self.model} {self.version}"
