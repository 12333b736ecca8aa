"""Vulnerability analyses (CycloneDX vocabulary) written once for an advisory and every alias."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from decisions import vex
from decisions.models import (
    DecisionRecord,
    NextAction,
    RecordAdvisory,
    Suppression,
    VulnerabilityAnalysis,
)
from decisions.selectors import portfolio
from decisions.services.history import event_write
from decisions.services.portfolio import ApplyResult, Decision, decision_apply

# When a record's advisories were analysed differently, the most demanding step decides.
_PRECEDENCE = (
    NextAction.REDUCE,
    NextAction.DISABLE,
    NextAction.INVESTIGATE,
    NextAction.KEEP,
)

# A record kept for several reasons is kept for the one that claims least.
_KEEP_PRECEDENCE = (Suppression.ACCEPTED_RISK, Suppression.NOT_AFFECTED, Suppression.FALSE_POSITIVE)


@dataclass(frozen=True)
class Analysis:
    state: str
    justification: str = ""
    responses: tuple[str, ...] = ()
    detail: str = ""

    def check(self) -> vex.NextStep:
        step = vex.next_step(state=self.state, responses=list(self.responses))
        if self.justification and self.justification not in vex.Justification.values:
            raise ValidationError(f"Unknown justification {self.justification!r}.")
        if self.justification and self.state not in vex.JUSTIFIED_STATES:
            raise ValidationError("A justification explains “not affected” only.")
        if self.state == vex.AnalysisState.NOT_AFFECTED and not self.justification:
            raise ValidationError("Say why it is not affected (a justification).")
        return step


def _record_step(record: DecisionRecord) -> tuple[vex.NextStep | None, list[str]]:
    """The step all of the record's advisories together call for, and those not yet analysed."""
    groups: dict[str, set[str]] = {}
    for advisory_id, osv_id in RecordAdvisory.objects.filter(record=record).values_list(
        "advisory_id", "osv_id"
    ):
        groups.setdefault(osv_id, set()).add(advisory_id)
    analyses = list(VulnerabilityAnalysis.objects.filter(record=record))
    steps, unanalysed = [], []
    for osv_id, ids in sorted(groups.items()):
        covering = [a for a in analyses if ids & {a.advisory_id, *a.aliases}]
        if not covering:
            unanalysed.append(osv_id)
            continue
        latest = max(covering, key=lambda a: (a.analysed_at, a.pk))
        steps.append(vex.next_step(state=latest.state, responses=list(latest.responses)))
    if not groups:  # matched before advisory ids were kept: this analysis is all there is
        steps = [vex.next_step(state=a.state, responses=list(a.responses)) for a in analyses[:1]]
    decided = [s for s in steps if s.next_action]
    if not decided:
        return None, unanalysed
    first = min(
        decided,
        key=lambda s: (
            _PRECEDENCE.index(s.next_action),
            _KEEP_PRECEDENCE.index(s.suppression) if s.suppression in _KEEP_PRECEDENCE else 0,
        ),
    )
    return first, unanalysed


def analysis_apply(
    *,
    actor,
    advisory_id: str,
    analysis: Analysis,
    review_date: date | None = None,
    owners: dict | None = None,
) -> tuple[set[str], ApplyResult]:
    """Record ``analysis`` of ``advisory_id`` on every vulnerable record found under it or any
    alias, and make the next action it maps to (through ``decision_apply``: events, approval).

    A record is only kept when every advisory it was found under has been analysed; otherwise
    the analysis is stored and the record listed as skipped with the advisories still open.
    """
    analysis.check()
    ids = portfolio.alias_ids(advisory_id)
    records = DecisionRecord.objects.filter(
        kind="vulnerable",
        pk__in=RecordAdvisory.objects.filter(advisory_id__in=ids).values("record"),
    )
    label = vex.AnalysisState(analysis.state).label
    detail = f" — {analysis.detail.strip()}" if analysis.detail.strip() else ""
    why = f"Vulnerability analysis of {advisory_id}: {label}{detail}"

    def store(record: DecisionRecord) -> None:
        VulnerabilityAnalysis.objects.update_or_create(
            record=record,
            advisory_id=advisory_id,
            defaults={
                "aliases": sorted(ids),
                "state": analysis.state,
                "justification": analysis.justification,
                "responses": list(analysis.responses),
                "detail": analysis.detail.strip(),
                "analysed_by": actor,
                "analysed_at": timezone.now(),
            },
        )
        event_write(
            record, "analysis", "", f"{advisory_id}: {analysis.state}", actor=actor, comment=why
        )

    record_ids = list(records.values_list("pk", flat=True))
    result = ApplyResult()
    editable = set(
        DecisionRecord.objects.editable_by(actor)
        .filter(pk__in=record_ids)
        .values_list("pk", flat=True)
    )
    for pk in record_ids:
        if pk not in editable:
            result.skipped[pk] = "You cannot change this record."
            continue
        record = DecisionRecord.objects.get(pk=pk)
        with transaction.atomic():
            store(record)
        combined, unanalysed = _record_step(record)
        if combined is None:
            result.applied.append(pk)  # stored; nothing to decide (resolved: a scan confirms)
            continue
        if combined.next_action == NextAction.KEEP and unanalysed:
            result.skipped[pk] = (
                "Analysis stored; not kept while these advisories are not analysed: "
                + ", ".join(unanalysed)
            )
            continue
        one = decision_apply(
            actor=actor,
            record_ids=[pk],
            decision=Decision(
                next_action=combined.next_action,
                justification=why,
                review_date=review_date,
                owners=owners or {},
                suppression=combined.suppression,
            ),
        )
        result.applied += one.applied
        result.skipped.update(
            {key: f"Analysis stored; {reason}" for key, reason in one.skipped.items()}
        )
    return ids, result
