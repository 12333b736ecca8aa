"""Deciding across the organisation: rules that keep deciding, advisory ids of records, the
vulnerability analyses people write, and who wants the weekly digest.

Imported by ``decisions.models`` so Django finds these models in the decisions app.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from decisions import vex
from decisions.models import Kind, NextAction, Suppression


class DecisionRuleQuerySet(models.QuerySet):
    def active(self, *, today=None) -> DecisionRuleQuerySet:
        """Not withdrawn, not lapsed, not past its end date (a rule ending today holds today)."""
        today = today or timezone.localdate()
        return self.filter(withdrawn_at__isnull=True, lapsed_at__isnull=True, ends_on__gte=today)

    def for_user(self, user) -> DecisionRuleQuerySet:
        """Rules whose author is ``user`` or that name a team or repository ``user`` can see."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        from inventory.models import Membership, Repository

        teams = Membership.objects.filter(user=user).values("team")
        repositories = Repository.objects.for_user(user).values("pk")
        return self.filter(
            Q(created_by=user) | Q(teams__in=teams) | Q(repositories__in=repositories)
        ).distinct()


class DecisionRule(models.Model):
    """One decision that applies itself to every matching record, now and in later scans.

    Scope: the records of the listed teams and repositories (either list empty: no limit from
    it, but never beyond what the author may change), of the listed kinds and packages (empty:
    any). A rule applies only as far as its author may change records, checked at each use.
    """

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decision_rules"
    )
    created_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(help_text="Why: written on every record the rule decides.")
    next_action = models.CharField(max_length=16, choices=NextAction.choices)
    suppression = models.CharField(max_length=16, choices=Suppression.choices, blank=True)
    review_date = models.DateField(null=True, blank=True)
    teams = models.ManyToManyField("inventory.Team", blank=True, related_name="+")
    repositories = models.ManyToManyField("inventory.Repository", blank=True, related_name="+")
    kinds = models.JSONField(default=list, blank=True, help_text="Finding kinds; empty: any.")
    packages = models.JSONField(default=list, blank=True, help_text="Subjects; empty: any.")
    ends_on = models.DateField(help_text="Last day the rule holds; then its decisions lapse.")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lapsed_at = models.DateTimeField(null=True, blank=True)

    objects = DecisionRuleQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["withdrawn_at", "ends_on"], name="rule_active_idx")]

    def __str__(self) -> str:
        return f"Rule {self.pk}: {self.get_next_action_display()} until {self.ends_on}"

    def clean(self) -> None:
        unknown = set(self.kinds or []) - set(Kind.values)
        if unknown:
            raise ValidationError(f"Unknown kind {', '.join(sorted(unknown))}.")
        if not str(self.reason).strip():
            raise ValidationError("A rule needs a reason: it is written on every record.")
        if self.ends_on and self.ends_on < timezone.localdate():
            raise ValidationError("The end date has passed.")
        keeps_vulnerabilities = self.next_action == NextAction.KEEP and "vulnerable" in (
            self.kinds or []
        )
        if keeps_vulnerabilities and not (self.suppression and self.review_date):
            raise ValidationError(
                "Keeping vulnerabilities needs a reason (not affected, false positive or "
                "accepted risk) and a review date."
            )


class RuleApplication(models.Model):
    """A record a rule decided, and what the record was before, so the rule can give it back."""

    rule = models.ForeignKey(DecisionRule, on_delete=models.CASCADE, related_name="applications")
    record = models.ForeignKey(
        "decisions.DecisionRecord", on_delete=models.CASCADE, related_name="rule_applications"
    )
    applied_at = models.DateTimeField(default=timezone.now)
    state_set = models.CharField(max_length=32, help_text="The state the rule left it in.")
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-applied_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "record"], name="rule_application_unique")
        ]

    def __str__(self) -> str:
        return f"Rule {self.rule_id} on record {self.record_id}"


class RecordAdvisory(models.Model):
    """One advisory id (an OSV id or one of its aliases) a vulnerable record was found under.

    Written from the scan's audit at reconciliation; ``osv_id`` groups a match's ids, so every
    alias of an advisory leads to the records found under any of them.
    """

    record = models.ForeignKey(
        "decisions.DecisionRecord", on_delete=models.CASCADE, related_name="advisory_ids"
    )
    advisory_id = models.CharField(max_length=100)
    osv_id = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record", "advisory_id", "osv_id"], name="record_advisory_unique"
            )
        ]
        indexes = [
            models.Index(fields=["advisory_id"], name="record_advisory_id_idx"),
            models.Index(fields=["osv_id"], name="record_advisory_osv_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.advisory_id} ({self.osv_id}) on record {self.record_id}"


class VulnerabilityAnalysis(models.Model):
    """A person's CycloneDX analysis of one advisory (and all its aliases) on one record."""

    record = models.ForeignKey(
        "decisions.DecisionRecord", on_delete=models.CASCADE, related_name="analyses"
    )
    advisory_id = models.CharField(max_length=100, help_text="The id the analysis was made on.")
    aliases = models.JSONField(default=list, blank=True, help_text="Every id it covers.")
    state = models.CharField(max_length=16, choices=vex.AnalysisState.choices)
    justification = models.CharField(max_length=40, choices=vex.Justification.choices, blank=True)
    responses = models.JSONField(default=list, blank=True)
    detail = models.TextField(blank=True)
    analysed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    analysed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-analysed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "advisory_id"], name="vulnerability_analysis_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.advisory_id}: {self.get_state_display()}"

    def clean(self) -> None:
        vex.next_step(state=self.state, responses=list(self.responses or []))
        if self.justification and self.state not in vex.JUSTIFIED_STATES:
            raise ValidationError("A justification explains “not affected” only.")


class DigestPreference(models.Model):
    """Whether someone gets the weekly digest (everyone does until they opt out)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_preference"
    )
    weekly_personal = models.BooleanField(
        default=True, help_text="What is due for you and waits for your approval."
    )
    weekly_team = models.BooleanField(
        default=True, help_text="Your teams' review agenda, for the teams you lead."
    )
    last_sent_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Digest preference of {self.user}"
