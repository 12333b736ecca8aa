from __future__ import annotations

from django.conf import settings
from django.db import models

from inventory.models import Package, Repository


class ScanStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class ScanRunQuerySet(models.QuerySet):
    def for_user(self, user) -> ScanRunQuerySet:
        return self.filter(repository__in=Repository.objects.for_user(user))

    def active(self) -> ScanRunQuerySet:
        return self.filter(status__in=[ScanStatus.QUEUED, ScanStatus.RUNNING])

    def succeeded(self) -> ScanRunQuerySet:
        return self.filter(status=ScanStatus.SUCCEEDED)


class ScanRun(models.Model):
    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="scan_runs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField(max_length=16, choices=ScanStatus.choices, default=ScanStatus.QUEUED)
    commit = models.CharField(max_length=64, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    progress_message = models.CharField(max_length=200, blank=True)
    files_seen = models.PositiveIntegerField(default=0)
    file_errors = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    findings_count = models.PositiveIntegerField(default=0)
    modes_seen = models.JSONField(
        default=dict, blank=True, help_text="Execution mode -> files read in that mode."
    )
    modes_incomplete = models.JSONField(
        default=list, blank=True, help_text="Execution modes with files that could not be read."
    )
    longest_job_interval_days = models.PositiveIntegerField(
        default=0, help_text="Longest schedule (cron, beat, CronJob) found, in days."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScanRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["repository", "status"])]

    def __str__(self) -> str:
        return f"Scan #{self.pk} of {self.repository} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ScanStatus.SUCCEEDED, ScanStatus.FAILED)

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class Evidence(models.Model):
    """One observation a scan made: a manifest line, an import, a command, a string reference."""

    scan_run = models.ForeignKey(ScanRun, on_delete=models.CASCADE, related_name="evidence")
    package = models.ForeignKey(
        Package, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    name = models.CharField(max_length=200, help_text="Import or distribution name as seen.")
    kind = models.CharField(max_length=32)
    path = models.CharField(max_length=1000)
    line = models.PositiveIntegerField(default=0)
    mode = models.CharField(max_length=16, blank=True)
    optional = models.BooleanField(default=False)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name_plural = "evidence"
        ordering = ["path", "line"]
        indexes = [models.Index(fields=["scan_run", "package"])]

    def __str__(self) -> str:
        return f"{self.name} at {self.location}"

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path
