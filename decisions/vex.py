"""Vulnerability analysis in the CycloneDX / VEX vocabulary, and what each answer means for us.

The values are CycloneDX 1.5's ``vulnerability.analysis`` enumerations (state, justification,
response: https://cyclonedx.org/docs/1.5/json/#vulnerabilities_items_analysis), so an export
needs no translation. ``next_step`` maps an analysis onto our next actions (a small table, each
entry with its reason, tested one by one in tests/decisions/test_vex.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from decisions.models import NextAction, Suppression


class AnalysisState(models.TextChoices):
    EXPLOITABLE = "exploitable", "Exploitable"
    IN_TRIAGE = "in_triage", "In triage"
    FALSE_POSITIVE = "false_positive", "False positive"
    NOT_AFFECTED = "not_affected", "Not affected"
    RESOLVED = "resolved", "Resolved"


class Justification(models.TextChoices):
    CODE_NOT_PRESENT = "code_not_present", "Code not present"
    CODE_NOT_REACHABLE = "code_not_reachable", "Code not reachable"
    REQUIRES_CONFIGURATION = "requires_configuration", "Requires configuration"
    REQUIRES_DEPENDENCY = "requires_dependency", "Requires dependency"
    REQUIRES_ENVIRONMENT = "requires_environment", "Requires environment"
    PROTECTED_BY_COMPILER = "protected_by_compiler", "Protected by compiler"
    PROTECTED_AT_RUNTIME = "protected_at_runtime", "Protected at runtime"
    PROTECTED_AT_PERIMETER = "protected_at_perimeter", "Protected at perimeter"
    PROTECTED_BY_MITIGATING_CONTROL = (
        "protected_by_mitigating_control",
        "Protected by mitigating control",
    )


class Response(models.TextChoices):
    CAN_NOT_FIX = "can_not_fix", "Can't fix"
    WILL_NOT_FIX = "will_not_fix", "Won't fix"
    UPDATE = "update", "Update"
    ROLLBACK = "rollback", "Roll back"
    WORKAROUND_AVAILABLE = "workaround_available", "Workaround available"


@dataclass(frozen=True)
class NextStep:
    """What an analysis does to the record: its next action, and the suppression of a keep."""

    next_action: str | None  # None: the analysis is stored, the decision stays as it is
    suppression: str = ""
    reason: str = ""


# state -> step, for states whose meaning does not depend on the response.
_BY_STATE: dict[str, NextStep] = {
    AnalysisState.IN_TRIAGE: NextStep(NextAction.INVESTIGATE, reason="still being analysed"),
    AnalysisState.NOT_AFFECTED: NextStep(
        NextAction.KEEP, Suppression.NOT_AFFECTED, "the vulnerable code does not affect us"
    ),
    AnalysisState.FALSE_POSITIVE: NextStep(
        NextAction.KEEP, Suppression.FALSE_POSITIVE, "the advisory does not apply"
    ),
    # Only a scan that no longer finds it closes a record; people's word does not.
    AnalysisState.RESOLVED: NextStep(None, reason="the next scan confirms the fix"),
}
# Exploitable: the response says what we do about it. Changing the pinned version or the
# configuration changes the repository, so it goes to the owner for approval like any change.
_EXPLOITABLE_BY_RESPONSE: dict[str, NextStep] = {
    Response.UPDATE: NextStep(NextAction.REDUCE, reason="move to a fixed version"),
    Response.ROLLBACK: NextStep(NextAction.REDUCE, reason="move back to an unaffected version"),
    Response.WORKAROUND_AVAILABLE: NextStep(
        NextAction.DISABLE, reason="turn the vulnerable feature off"
    ),
    Response.WILL_NOT_FIX: NextStep(
        NextAction.KEEP, Suppression.ACCEPTED_RISK, "risk accepted, reviewed at its date"
    ),
    Response.CAN_NOT_FIX: NextStep(
        NextAction.KEEP, Suppression.ACCEPTED_RISK, "no fix possible, reviewed at its date"
    ),
}
# Exploitable without a response: someone has to find one.
_EXPLOITABLE_UNANSWERED = NextStep(NextAction.INVESTIGATE, reason="exploitable, no response yet")
# When several responses are given, the first of these that is present decides.
_RESPONSE_ORDER = (
    Response.UPDATE,
    Response.ROLLBACK,
    Response.WORKAROUND_AVAILABLE,
    Response.CAN_NOT_FIX,
    Response.WILL_NOT_FIX,
)
# CycloneDX: a justification explains "not_affected" only.
JUSTIFIED_STATES = frozenset({AnalysisState.NOT_AFFECTED})


def next_step(*, state: str, responses: list[str]) -> NextStep:
    """Our next action for an analysis; ValueError on values outside the vocabulary."""
    if state not in AnalysisState.values:
        raise ValueError(f"Unknown analysis state {state!r}.")
    unknown = set(responses) - set(Response.values)
    if unknown:
        raise ValueError(f"Unknown response {', '.join(sorted(unknown))}.")
    if state != AnalysisState.EXPLOITABLE:
        return _BY_STATE[state]
    for response in _RESPONSE_ORDER:
        if response in responses:
            return _EXPLOITABLE_BY_RESPONSE[response]
    return _EXPLOITABLE_UNANSWERED
