from __future__ import annotations

from django.conf import settings
from django.db import models

from inventory.models import Package, Repository
from scanning.gate import policy

_LEVEL_CHOICES = [(level, level) for level in policy.LEVELS]


class ScanStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class AuditGate(models.TextChoices):
    PASS = "pass", "Pass"
    FAIL = "fail", "Fail"
    UNKNOWN = "unknown", "Unknown"


class ScanSource(models.TextChoices):
    SERVER = "server", "Scanned by the server"
    INGEST = "ingest", "Pushed from the repository's CI"


class ScanRunQuerySet(models.QuerySet):
    def for_user(self, user) -> ScanRunQuerySet:
        return self.filter(repository__in=Repository.objects.for_user(user))

    def active(self) -> ScanRunQuerySet:
        return self.filter(status__in=[ScanStatus.QUEUED, ScanStatus.RUNNING])

    def succeeded(self) -> ScanRunQuerySet:
        return self.filter(status=ScanStatus.SUCCEEDED)

    def latest_succeeded(self) -> ScanRun | None:
        """The most recently finished successful run of these, or None: what a repository's
        records, gate and coverage are read from."""
        return self.succeeded().order_by("-finished_at", "-id").first()


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
    audit_gate = models.CharField(
        max_length=8, choices=AuditGate.choices, blank=True, help_text="Vulnerability gate."
    )
    audit = models.JSONField(
        default=dict,
        blank=True,
        help_text="Vulnerability, licence and freshness audit: what was checked and what was not.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # Who runs the scan now: a token per claim, kept alive by heartbeats (scanning.heartbeat).
    claim_token = models.CharField(max_length=32, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    source = models.CharField(max_length=16, choices=ScanSource.choices, default=ScanSource.SERVER)
    pushed_digest = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the scan pushed from CI (ingest)."
    )

    objects = ScanRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["repository", "status"])]
        constraints = [
            # At most one queued or running scan per repository, whatever races happen.
            models.UniqueConstraint(
                fields=["repository"],
                condition=models.Q(status__in=["queued", "running"]),
                name="scanrun_one_active_per_repository",
            ),
            # A scan pushed from CI is stored once per commit, however often CI retries.
            models.UniqueConstraint(
                fields=["repository", "commit"],
                condition=models.Q(source="ingest", status="succeeded"),
                name="scanrun_one_ingest_per_commit",
            ),
        ]

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


class AdvisoryQuerySet(models.QuerySet):
    def live(self) -> AdvisoryQuerySet:
        """Neither withdrawn by its record nor retired because its source dropped it."""
        return self.filter(withdrawn__isnull=True, retired_at__isnull=True)

    def affecting(self, names: set[str]) -> AdvisoryQuerySet:
        return self.filter(packages__name__in=names).distinct()


class Advisory(models.Model):
    """One OSV record mirrored from an advisory source (PyPI ecosystem only)."""

    osv_id = models.CharField("OSV id", max_length=100, unique=True)
    aliases = models.JSONField(default=list, blank=True, help_text="CVE, GHSA, PYSEC ids.")
    summary = models.CharField(max_length=300, blank=True)
    details = models.TextField(blank=True)
    severity = models.JSONField(
        default=list, blank=True, help_text="Record-level CVSS vectors: [{kind, vector, score}]."
    )
    severity_vector = models.CharField(max_length=200, blank=True, help_text="Highest-scoring.")
    base_score = models.FloatField(null=True, blank=True)
    severity_label = models.CharField(max_length=16, blank=True)
    published = models.DateTimeField(null=True, blank=True)
    modified = models.DateTimeField()
    withdrawn = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=1000, help_text="File or archive member read.")
    # Set when a complete read of the source no longer finds the record; cleared when any
    # sync finds it again. Like ``withdrawn``, it stops the advisory from matching.
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_reason = models.CharField(max_length=300, blank=True)
    synced_at = models.DateTimeField(auto_now=True)

    objects = AdvisoryQuerySet.as_manager()

    class Meta:
        ordering = ["osv_id"]
        verbose_name_plural = "advisories"
        indexes = [models.Index(fields=["modified"])]

    def __str__(self) -> str:
        return self.osv_id

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn is not None

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class AdvisoryPackage(models.Model):
    """What one advisory says about one package: its ranges, explicit and fixed versions."""

    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="packages")
    name = models.CharField(max_length=200, help_text="PEP 503 canonical name.")
    ranges = models.JSONField(
        default=list, blank=True, help_text="ECOSYSTEM ranges: [[[event, version], ...], ...]."
    )
    versions = models.JSONField(default=list, blank=True, help_text="Explicit affected versions.")
    fixed_versions = models.JSONField(default=list, blank=True)
    severity = models.JSONField(default=list, blank=True, help_text="Per-package CVSS vectors.")

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return f"{self.advisory_id} {self.name}"


class AdvisorySyncQuerySet(models.QuerySet):
    def succeeded(self) -> AdvisorySyncQuerySet:
        return self.filter(status=AdvisorySync.Status.SUCCEEDED)


class AdvisorySync(models.Model):
    """One run of ``sync_advisories``: its source, counts and the files it could not read."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    source = models.CharField(max_length=1000)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    full = models.BooleanField(default=False, help_text="Read every record, not only newer ones.")
    since = models.DateTimeField(null=True, blank=True, help_text="Incremental watermark used.")
    max_modified = models.DateTimeField(null=True, blank=True)
    records_seen = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    retired = models.PositiveIntegerField(default=0, help_text="Newly withdrawn by their record.")
    removed = models.PositiveIntegerField(
        default=0, help_text="Retired because the source no longer has them."
    )
    restored = models.PositiveIntegerField(
        default=0, help_text="Retired earlier, found in a source again."
    )
    removal_note = models.CharField(
        max_length=500, blank=True, help_text="Why advisories missing from the source were kept."
    )
    unchanged = models.PositiveIntegerField(default=0)
    malformed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="[{path, reason}]")
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = AdvisorySyncQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Advisory sync #{self.pk} of {self.source} ({self.status})"


class PackageMetadata(models.Model):
    """Cached licence and release facts about a distribution, by canonical name.

    Keyed by name rather than by ``inventory.Package`` so a scan can fill the cache while it
    reads, before its store step creates the package rows.
    """

    name = models.CharField(max_length=200, unique=True)
    license = models.CharField(max_length=200, blank=True)
    license_source = models.CharField(max_length=16, blank=True, help_text="installed or index.")
    latest_version = models.CharField(max_length=64, blank=True)
    latest_release_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True, help_text="Why the lookup failed.")
    fetched_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "package metadata"

    def __str__(self) -> str:
        return self.name


# Artifact-store inventories live in their own module; importing it registers the models.
from scanning.artifacts.models import (  # noqa: E402, F401
    ArtifactVersion,
    InventoryRun,
    InventoryStatus,
)


class GatePolicy(models.Model):
    """The organisation's gate policy (one row; the defaults when there is none).

    ``levels`` maps finding kinds to block / warn / monitor / ignore; kinds it leaves out keep
    their registry default. Read as a ``scanning.gate.policy.Policy`` by ``selectors.gate_policy``,
    the same object the command-line gate builds from a ``debtboard.toml``.
    """

    cvss_threshold = models.FloatField(
        default=7.0, help_text="A vulnerability scored at or above this blocks."
    )
    unaudited = models.CharField(
        max_length=8,
        choices=_LEVEL_CHOICES,
        default=policy.BLOCK,
        help_text="What an incomplete audit does.",
    )
    unowned_requirement = models.CharField(
        max_length=8,
        choices=_LEVEL_CHOICES,
        default=policy.BLOCK,
        help_text="What a requirement added without an owner and a reason does.",
    )
    levels = models.JSONField(default=dict, blank=True, help_text="kind -> level")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "gate policy"
        verbose_name_plural = "gate policy"

    def __str__(self) -> str:
        return "Gate policy"

    def as_mapping(self) -> dict:
        return {
            "cvss_threshold": self.cvss_threshold,
            "unaudited": self.unaudited,
            "unowned_requirement": self.unowned_requirement,
            "levels": self.levels or {},
        }

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        try:
            policy.from_mapping(self.as_mapping())
        except policy.PolicyError as exc:
            raise ValidationError(str(exc)) from exc
