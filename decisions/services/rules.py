"""Decision rules: one decision that keeps deciding the matching records later scans find, and
gives them back to triage when it lapses or is withdrawn."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from packaging.utils import canonicalize_name

from decisions.models import (
    DecisionRecord,
    DecisionRule,
    Notification,
    RecordAdvisory,
    RuleApplication,
    State,
)
from decisions.services.history import event_new, events_write
from decisions.services.notifications import notify
from decisions.services.portfolio import ApplyResult, Decision, decision_apply
from inventory.models import Repository, Role, Team
from scanning.models import ScanRun

logger = logging.getLogger(__name__)

# A rule decides records nobody has decided yet.
UNDECIDED = frozenset({State.NEW, State.REOPENED})


def _decision(rule: DecisionRule) -> Decision:
    return Decision(
        next_action=rule.next_action,
        justification=f"Decision rule {rule.pk}: {rule.reason}",
        review_date=rule.review_date,
        suppression=rule.suppression,
    )


def rule_records(*, rule: DecisionRule, repository: Repository | None = None) -> QuerySet:
    """Undecided records in the rule's scope that its author may change (and it has not
    decided before)."""
    records = DecisionRecord.objects.editable_by(rule.created_by).filter(state__in=UNDECIDED)
    if repository is not None:
        records = records.filter(repository=repository)
    team_ids = [t.pk for t in rule.teams.all()]
    repository_ids = [r.pk for r in rule.repositories.all()]
    if team_ids or repository_ids:
        records = records.filter(
            Q(repository__team_id__in=team_ids) | Q(repository_id__in=repository_ids)
        )
    if rule.kinds:
        records = records.filter(kind__in=rule.kinds)
    if rule.packages:
        records = records.filter(subject__in=rule.packages)
    return records.exclude(rule_applications__rule=rule)


def _apply(rule: DecisionRule, records: QuerySet) -> ApplyResult:
    result = decision_apply(
        actor=rule.created_by,
        record_ids=list(records.values_list("pk", flat=True)),
        decision=_decision(rule),
    )
    states = dict(DecisionRecord.objects.filter(pk__in=result.applied).values_list("pk", "state"))
    RuleApplication.objects.bulk_create(
        RuleApplication(rule=rule, record_id=pk, state_set=states[pk]) for pk in result.applied
    )
    return result


def rule_create(
    *,
    actor,
    reason: str,
    next_action: str,
    ends_on: date,
    suppression: str = "",
    review_date: date | None = None,
    teams: Iterable[Team] = (),
    repositories: Iterable[Repository] = (),
    kinds: Iterable[str] = (),
    packages: Iterable[str] = (),
) -> tuple[DecisionRule, ApplyResult]:
    """Create a rule and apply it to the matching records there are now.

    The author must be able to change records of every team and repository named: a rule never
    reaches further than its author.
    """
    teams, repositories = list(teams), list(repositories)
    editable = Repository.objects.editable_by(actor)
    if not editable.exists():
        raise PermissionDenied("Viewers cannot make decision rules.")
    for team in teams:
        if not editable.filter(team=team).exists():
            raise PermissionDenied(f"You cannot change records of {team}.")
    for repository in repositories:
        if not editable.filter(pk=repository.pk).exists():
            raise PermissionDenied(f"You cannot change records of {repository}.")
    rule = DecisionRule(
        created_by=actor,
        reason=reason.strip(),
        next_action=next_action,
        suppression=suppression,
        review_date=review_date,
        kinds=sorted(set(kinds)),
        packages=sorted({canonicalize_name(p.strip()) for p in packages if p.strip()}),
        ends_on=ends_on,
    )
    with transaction.atomic():
        rule.full_clean()
        _decision(rule)  # refuses an empty reason or an unknown action before saving
        rule.save()
        rule.teams.set(teams)
        rule.repositories.set(repositories)
        result = _apply(rule, rule_records(rule=rule))
    logger.info("rule created rule=%s applied=%s", rule.pk, len(result.applied))
    return rule, result


def records_after_scan(*, scan_run: ScanRun) -> None:
    """After reconciliation (inside the scan's transaction): note the advisory ids of the
    repository's vulnerable records, then let the active rules decide what is undecided."""
    _advisory_ids_store(scan_run)
    repository = scan_run.repository
    rules = (
        DecisionRule.objects.active()
        .filter(Q(teams__isnull=True) | Q(teams=repository.team_id))
        .filter(Q(repositories__isnull=True) | Q(repositories=repository))
        .select_related("created_by")
        .prefetch_related("teams", "repositories")
        .distinct()
        .order_by("created_at", "id")
    )
    for rule in rules:
        if not rule.created_by.is_active:
            continue
        result = _apply(rule, rule_records(rule=rule, repository=repository))
        if result.applied or result.skipped:
            logger.info(
                "rule applied after scan rule=%s scan_run=%s applied=%s skipped=%s",
                rule.pk,
                scan_run.pk,
                len(result.applied),
                len(result.skipped),
            )


def _advisory_ids_store(scan_run: ScanRun) -> None:
    """The ids (OSV id and aliases) each vulnerable record of this scan was matched under."""
    found = {
        summary.get("name"): summary.get("advisories") or []
        for summary in (scan_run.audit or {}).get("vulnerable") or []
        if isinstance(summary, dict)
    }
    if not found:
        return
    records = dict(
        DecisionRecord.objects.filter(
            repository_id=scan_run.repository_id, kind="vulnerable", subject__in=list(found)
        ).values_list("subject", "pk")
    )
    rows = {
        (pk, str(alias)[:100], str(advisory["id"])[:100])
        for name, pk in records.items()
        for advisory in found[name]
        if isinstance(advisory, dict) and advisory.get("id")
        for alias in [advisory["id"], *(advisory.get("aliases") or [])]
    }
    RecordAdvisory.objects.filter(record_id__in=records.values()).delete()
    RecordAdvisory.objects.bulk_create(
        RecordAdvisory(record_id=pk, advisory_id=alias, osv_id=osv_id)
        for pk, alias, osv_id in sorted(rows)
    )


def _can_withdraw(rule: DecisionRule, actor) -> bool:
    if actor.is_superuser or rule.created_by_id == actor.pk:
        return True
    admin_teams = set(actor.memberships.filter(role=Role.ADMIN).values_list("team_id", flat=True))
    named = {t.pk for t in rule.teams.all()} | {r.team_id for r in rule.repositories.all()}
    return bool(named) and named <= admin_teams


def rule_withdraw(*, rule: DecisionRule, actor, reason: str = "") -> int:
    """Withdraw a rule (its author, a superuser, or an admin of every team it names); what it
    decided goes back to triage. Returns how many records went back."""
    if not _can_withdraw(rule, actor):
        raise PermissionDenied("Only the rule's author or an admin of its teams withdraws it.")
    with transaction.atomic():
        locked = DecisionRule.objects.select_for_update().get(pk=rule.pk)
        if locked.withdrawn_at is not None:
            raise ValidationError("This rule was already withdrawn.")
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_by = actor
        locked.save(update_fields=["withdrawn_at", "withdrawn_by"])
        why = f"Decision rule {rule.pk} withdrawn by {actor}" + (
            f": {reason.strip()}" if reason.strip() else ""
        )
        return _release(locked, actor=actor, why=why)


def rules_lapse(*, today: date) -> int:
    """Rules past their end date give what they decided back to triage (once each)."""
    released = 0
    for rule in DecisionRule.objects.filter(
        withdrawn_at__isnull=True, lapsed_at__isnull=True, ends_on__lt=today
    ):
        with transaction.atomic():
            locked = DecisionRule.objects.select_for_update().get(pk=rule.pk)
            if locked.lapsed_at is not None:
                continue
            locked.lapsed_at = timezone.now()
            locked.save(update_fields=["lapsed_at"])
            released += _release(
                locked, actor=None, why=f"Decision rule {rule.pk} lapsed on {rule.ends_on}"
            )
    return released


def _release(rule: DecisionRule, *, actor, why: str) -> int:
    """Records whose decision is still the rule's go back to triage (``reopened``) with an
    event; records people moved on since keep what people decided."""
    now = timezone.now()
    applications = list(rule.applications.filter(released_at__isnull=True))
    locked = {
        record.pk: record
        for record in DecisionRecord.objects.select_for_update(of=("self",))
        .filter(pk__in=[a.record_id for a in applications])
        .select_related("repository", "owner")
    }
    events, reopened = [], []
    for application in applications:
        record = locked[application.record_id]
        if record.state != application.state_set or record.next_action != rule.next_action:
            continue  # decided again by a person since: theirs stands
        events.append(
            event_new(record, "next_action", record.next_action, "", actor=actor, comment=why)
        )
        events.append(
            event_new(
                record,
                "state",
                record.state,
                State.REOPENED,
                actor=actor,
                comment=f"{why}: back to triage",
            )
        )
        reopened.append(record.pk)
        if record.owner_id:
            notify(
                user=record.owner,
                record=record,
                kind=Notification.Kind.WATCH_SIGNAL,
                message=f"{why}: {record.subject} in {record.repository} is back in triage.",
            )
    DecisionRecord.objects.filter(pk__in=reopened).update(
        state=State.REOPENED, next_action="", updated_at=now
    )
    events_write(events)
    RuleApplication.objects.filter(pk__in=[a.pk for a in applications]).update(released_at=now)
    return len(reopened)
