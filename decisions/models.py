from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from inventory.models import EDITOR_ROLES, Membership, Package, Repository
from scanning import kinds
from scanning.models import ScanRun

# The kinds of finding, from scanning's registry (``scanning.rules.kinds``): Kind.UNUSED ...
Kind = models.TextChoices("Kind", kinds.choices())


class State(models.TextChoices):
    NEW = "new", "New"
    TRIAGED = "triaged", "Triaged"
    AWAITING_APPROVAL = "awaiting-approval", "Awaiting approval"
    APPROVED = "approved", "Approved"
    IN_REVIEW_WINDOW = "in-review-window", "In review window"
    DONE = "done", "Done"
    REJECTED = "rejected", "Rejected"
    KEPT = "kept", "Kept"
    REOPENED = "reopened", "Reopened"


CLOSED_STATES = frozenset({State.DONE, State.REJECTED, State.KEPT})


class NextAction(models.TextChoices):
    KEEP = "keep", "Keep"
    REDUCE = "reduce", "Reduce"
    ARCHIVE = "archive", "Archive"
    DISABLE = "disable", "Disable"
    REMOVE = "remove", "Remove"
    DECLARE = "declare", "Declare it"
    UPGRADE = "upgrade", "Upgrade"
    INVESTIGATE = "investigate", "Investigate"


# Next actions that mean nothing for some kinds, so those records are not offered them: a
# missing or transitive import has no requirement line to take out (the fix is to declare
# it), and only an import lacking a proper declaration (those two, a dev tool production
# imports, an import whose distribution is not verified) has one to add.
UNDECLARED_KINDS = frozenset({Kind.MISSING, Kind.TRANSITIVE})
DECLARABLE_KINDS = UNDECLARED_KINDS | {Kind.MISPLACED_DEV, Kind.UNVERIFIED_MAPPING}


def next_action_offered(kind: str, action: str) -> bool:
    if action == NextAction.REMOVE:
        return kind not in UNDECLARED_KINDS
    if action == NextAction.DECLARE:
        return kind in DECLARABLE_KINDS
    return True


def next_action_choices(kind: str, *, current: str = "") -> list[tuple[str, str]]:
    """The next actions a record of ``kind`` is offered, with ``current`` (what it holds now)
    kept, so a page never silently changes it."""
    return [
        (value, label)
        for value, label in NextAction.choices
        if value == current or next_action_offered(kind, value)
    ]


class Suppression(models.TextChoices):
    """Why a vulnerability is kept: a decision with a reason and an expiry, never a deletion."""

    NOT_AFFECTED = "not-affected", "Not affected"
    FALSE_POSITIVE = "false-positive", "False positive"
    ACCEPTED_RISK = "accepted-risk", "Accepted risk"


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


# Ten years: longer windows are typing mistakes, and past the calendar's end they cannot be dated.
MAX_WINDOW_DAYS = 3650
_SCORE = [MinValueValidator(1), MaxValueValidator(5)]
# What people write on a record, beside owner, next action, dates and scores.
NOTE_FIELDS = (
    "current_purpose",
    "why_stale",
    "evidence_notes",
    "risk_if_wrong",
    "first_reversible_move",
    "watch_signal",
    "rollback_notes",
    "prevention_rule",
)
SCORE_FIELDS = ("impact", "confidence", "reversibility", "prevention")
# Execution modes a removal must have looked at (ci and docs never run the product).
REMOVAL_MODES = frozenset({"web", "worker", "cron", "migration", "test", "notebook", "script"})


# Records ``open()`` finds that have a review date (the rows of the due and overdue indexes).
_DATED_OPEN = Q(review_date__isnull=False) & ~Q(state__in=sorted(CLOSED_STATES))


class DecisionRecordQuerySet(models.QuerySet):
    def for_user(self, user) -> DecisionRecordQuerySet:
        """Every read of decision records goes through here: a user sees their teams' only."""
        if user.is_authenticated and user.is_superuser:
            return self.all()
        return self.filter(repository__in=Repository.objects.for_user(user))

    def editable_by(self, user) -> DecisionRecordQuerySet:
        return self.filter(repository__in=Repository.objects.editable_by(user))

    def open(self) -> DecisionRecordQuerySet:
        # Sorted, so the SQL is the same in every process and matches the indexes' condition
        # (SQLite uses a partial index only for the very same terms).
        return self.exclude(state__in=sorted(CLOSED_STATES))


class DecisionRecord(models.Model):
    """One candidate (repository, subject, kind) and the decision people make about it."""

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="records")
    package = models.ForeignKey(
        Package, null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )
    subject = models.CharField(max_length=1000, help_text="Package name or repository path.")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    state = models.CharField(max_length=32, choices=State.choices, default=State.NEW)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_records",
    )
    summary = models.CharField(max_length=500, blank=True, help_text="What the scan found.")
    current_purpose = models.TextField(blank=True)
    why_stale = models.TextField(blank=True)
    evidence_notes = models.TextField(blank=True)
    risk_if_wrong = models.TextField(blank=True)
    next_action = models.CharField(max_length=16, choices=NextAction.choices, blank=True)
    first_reversible_move = models.TextField(blank=True)
    watch_signal = models.TextField(blank=True)
    rollback_notes = models.TextField(blank=True)
    prevention_rule = models.TextField(blank=True)
    impact = models.PositiveSmallIntegerField(default=3, validators=_SCORE)
    confidence = models.PositiveSmallIntegerField(default=3, validators=_SCORE)
    reversibility = models.PositiveSmallIntegerField(default=3, validators=_SCORE)
    prevention = models.PositiveSmallIntegerField(default=3, validators=_SCORE)
    severity = models.CharField(max_length=16, choices=Severity.choices, blank=True)
    suppression = models.CharField(max_length=16, choices=Suppression.choices, blank=True)
    mode_notes = models.JSONField(
        default=dict, blank=True, help_text="Per execution mode: why no evidence is needed there."
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposed_records",
    )
    # Stored so the triage list can sort 100,000 records by it through an index.
    priority_score = models.GeneratedField(
        expression=F("impact") * F("confidence") + F("reversibility") + F("prevention"),
        output_field=models.IntegerField(),
        db_persist=True,
    )
    review_date = models.DateField(null=True, blank=True)
    review_window_days_override = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_WINDOW_DAYS, "A review window lasts at most 3650 days.")],
    )
    review_window_override_reason = models.TextField(blank=True)
    review_window_end = models.DateField(null=True, blank=True)
    last_seen_scan = models.ForeignKey(
        ScanRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The scan that found the package still declared while its removal was in the review window.
    change_not_made_scan = models.ForeignKey(
        ScanRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unchecked_reason = models.CharField(
        max_length=500,
        blank=True,
        help_text="Why the latest scan could not check this record again (left as it was).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DecisionRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["repository", "subject", "kind"], name="record_unique_candidate"
            )
        ]
        indexes = [
            models.Index(fields=["state", "kind"]),
            models.Index(fields=["owner"]),
            models.Index(fields=["-priority_score", "-id"], name="record_priority_idx"),
            models.Index(fields=["review_date", "id"], name="record_review_idx"),
            models.Index(fields=["created_at", "id"], name="record_age_idx"),
            models.Index(fields=["repository", "-priority_score"], name="record_repo_priority_idx"),
            # The portfolio view finds one package's records across every repository.
            models.Index(fields=["subject", "kind"], name="record_subject_idx"),
            # ... and counts one kind's records per team and state from the index alone.
            models.Index(fields=["kind", "repository", "state"], name="record_kind_repo_idx"),
            # "Due" and "overdue" (open, with a review date up to a day): counted from an index
            # alone, with a kind or without. Without them a superuser's overdue vulnerable
            # records were counted from the table (70 ms at a million records; now 1-2 ms).
            models.Index(
                fields=["review_date"], condition=_DATED_OPEN, name="record_open_review_idx"
            ),
            models.Index(
                fields=["kind", "review_date"],
                condition=_DATED_OPEN,
                name="record_open_kind_review_idx",
            ),
            # A severity filter, counted from the tenth of records that have one (13 -> 1 ms).
            models.Index(
                fields=["severity"], condition=~Q(severity=""), name="record_severity_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject} in {self.repository}"

    @property
    def priority(self) -> int:
        """Higher first: impact and confidence raise it, easy reversal and prevention value too.

        Computed here too, so a record whose scores were just edited shows the new value.
        """
        return self.impact * self.confidence + self.reversibility + self.prevention

    @property
    def change_not_made(self) -> bool:
        """In the review window, and the latest scan that saw the finding is the repository's
        latest scan: the change the window waits for was not made (or not merged)."""
        if self.state != State.IN_REVIEW_WINDOW or self.change_not_made_scan_id is None:
            return False
        latest = self.repository.scan_runs.latest_succeeded()
        return latest is not None and latest.pk == self.change_not_made_scan_id

    @property
    def is_overdue(self) -> bool:
        return self.review_date is not None and self.review_date < timezone.localdate()

    def uncovered_modes(self) -> list[str]:
        """Execution modes the repository has where no scan evidence and no note rules out use.

        A mode is covered when the latest successful scan read every file of that mode. Modes
        an admin declared on the repository (a cron host outside the repository, say) that no
        scan can see always need a note.
        """
        return self.uncovered_modes_after(self.repository.scan_runs.latest_succeeded())

    def uncovered_modes_after(self, latest: ScanRun | None) -> list[str]:
        """``uncovered_modes`` as the scan ``latest`` (the latest successful one) leaves them."""
        seen = dict(latest.modes_seen) if latest else {}
        incomplete = set(latest.modes_incomplete) if latest else set()
        required = (set(seen) | set(self.repository.execution_modes)) & REMOVAL_MODES
        covered = set(seen) - incomplete
        noted = {mode for mode, note in (self.mode_notes or {}).items() if str(note).strip()}
        return sorted(required - covered - noted)

    def clean(self) -> None:
        self.check_rules(RecordFacts())

    def check_rules(self, facts: RecordFacts) -> None:
        """The rules of ``clean``, reading the other tables through ``facts`` (so many records
        can be checked with what was read once for all of them)."""
        if self.owner_id and not facts.owner_can_approve(self):
            # The owner decides on removals: a viewer (or an outsider) could approve nothing.
            raise ValidationError(
                "The owner must be a member of the repository's team who can approve "
                "(a triager, owner or admin)."
            )
        if self.next_action and not next_action_offered(self.kind, self.next_action):
            raise ValidationError(
                f"“{self.get_next_action_display()}” is not a next action for a "
                f"{self.get_kind_display().lower()} record: "
                + (
                    "nothing declares the package, so there is nothing to remove; declare it."
                    if self.kind in UNDECLARED_KINDS
                    else "the package is already declared."
                )
            )
        if self.next_action == NextAction.INVESTIGATE and not (self.owner_id and self.review_date):
            raise ValidationError("“Investigate” needs an owner and a review date.")
        if self.next_action == NextAction.REMOVE and self.package_id:
            latest = facts.latest_scan(self)
            if latest is None:
                raise ValidationError("“Remove” needs a successful scan of the repository first.")
            uncovered = self.uncovered_modes_after(latest)
            if uncovered:
                raise ValidationError(
                    "“Remove” needs evidence or a note for every execution mode; missing: "
                    + ", ".join(uncovered)
                    + "."
                )


class RecordFacts:
    """What a record's rules read beyond the record itself, asked of the database each time.

    ``decisions.services.batch`` answers the same questions for a whole selection from what it
    read once (a roster of the teams, the repositories' latest scans).
    """

    def owner_can_approve(self, record: DecisionRecord) -> bool:
        return Membership.objects.filter(
            team_id=record.repository.team_id, user_id=record.owner_id, role__in=EDITOR_ROLES
        ).exists()

    def latest_scan(self, record: DecisionRecord) -> ScanRun | None:
        return record.repository.scan_runs.latest_succeeded()


class DecisionEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Decision history is append-only.")

    def delete(self):
        raise TypeError("Decision history is append-only.")


class DecisionEvent(models.Model):
    """Append-only history: who changed what on a record, when, from what to what."""

    record = models.ForeignKey(DecisionRecord, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)
    field = models.CharField(max_length=64)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    comment = models.TextField(blank=True)

    objects = DecisionEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value!r} → {self.new_value!r}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise TypeError("Decision history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Decision history is append-only.")


class Approval(models.Model):
    """An owner's answer to a removal proposal."""

    class Decision(models.TextChoices):
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    record = models.ForeignKey(DecisionRecord, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    decision = models.CharField(max_length=16, choices=Decision.choices)
    # The next action as it stood when decided: an approval of "archive" never approves "remove".
    next_action = models.CharField(max_length=16, choices=NextAction.choices, blank=True)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.approver} on {self.record}"


class Notification(models.Model):
    """What someone should look at: shown on "my work" and sent by e-mail."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", "Assigned to you"
        APPROVAL_REQUESTED = "approval-requested", "Approval requested"
        REVIEW_DUE = "review-due", "Review date reached"
        WATCH_SIGNAL = "watch-signal", "Watch signal fired"
        DECIDED = "decided", "Proposal decided"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    record = models.ForeignKey(
        DecisionRecord, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    message = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.record}"


class MeetingSection(models.TextChoices):
    NOT_MADE = "not-made", "Change not made"
    DUE = "due", "Due or overdue"
    UNCLEAR = "unclear", "Unclear"
    UNCLAIMED = "unclaimed", "Unclaimed"
    FIRED = "fired", "Watch signal fired"
    APPROVAL = "approval", "Approval waiting"
    APPROVED = "approved", "Approved, change not made yet"


class ReviewMeetingQuerySet(models.QuerySet):
    def for_user(self, user) -> ReviewMeetingQuerySet:
        """Meetings of the teams ``user`` belongs to (every team for a superuser)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(team__in=Membership.objects.filter(user=user).values("team"))

    def editable_by(self, user) -> ReviewMeetingQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(team__in=Membership.objects.editors().filter(user=user).values("team"))


class ReviewMeeting(models.Model):
    """One weekly review of a team: the agenda as built when it started, attendees, minutes."""

    team = models.ForeignKey(
        "inventory.Team", on_delete=models.CASCADE, related_name="review_meetings"
    )
    date = models.DateField()
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="review_meetings"
    )
    minutes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ReviewMeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "date"], name="meeting_unique_team_date")
        ]

    def __str__(self) -> str:
        return f"Review of {self.team} on {self.date.isoformat()}"

    def previous(self) -> ReviewMeeting | None:
        return (
            ReviewMeeting.objects.filter(team_id=self.team_id, date__lt=self.date)
            .order_by("-date", "-id")
            .first()
        )


class MeetingItem(models.Model):
    """One record on a meeting's agenda and what the meeting did about it."""

    meeting = models.ForeignKey(ReviewMeeting, on_delete=models.CASCADE, related_name="items")
    record = models.ForeignKey(
        DecisionRecord, on_delete=models.CASCADE, related_name="meeting_items"
    )
    section = models.CharField(max_length=16, choices=MeetingSection.choices)
    position = models.PositiveIntegerField()
    note = models.TextField(blank=True)
    outcome = models.CharField(max_length=500, blank=True, help_text="What was decided, in brief.")
    discussed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    discussed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "record"], name="meeting_item_unique"),
            models.UniqueConstraint(
                fields=["meeting", "position"], name="meeting_item_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.record.subject} ({self.section})"


class ApiToken(models.Model):
    """A read-only API credential; only a hash of the secret is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What it is for.")
    prefix = models.CharField(max_length=12, help_text="First characters, to recognise it.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # A token for one repository's CI: it pushes that repository's scans and reads its gate
    # policy, and nothing else (the read API refuses it).
    repository = models.ForeignKey(
        Repository,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text="Only this repository: for its CI to push scans and read its gate.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # A revoked token is kept (and refused): who revoked it and when stay on record.
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


# Models of the portfolio features live beside these; importing them here registers them.
from decisions.models_portfolio import (  # noqa: E402, F401
    DecisionRule,
    DigestPreference,
    RecordAdvisory,
    RuleApplication,
    VulnerabilityAnalysis,
)
