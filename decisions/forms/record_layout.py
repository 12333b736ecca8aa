"""How the record page lays out ``RecordDetailForm``: the decision first, the rest after.

Every field of the form is placed in exactly one group (a field left out would be submitted
empty and wipe what is stored); ``groups`` raises if one is missing, and a test holds it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms

from decisions.models import NextAction

DECISION = ("owner", "next_action", "review_date", "watch_signal", "rollback_notes")
CONTEXT = ("current_purpose", "risk_if_wrong", "first_reversible_move", "prevention_rule")
NOTES = ("why_stale", "evidence_notes")
SCORES = ("impact", "confidence", "reversibility", "prevention")
WINDOW = ("review_window_days_override", "review_window_override_reason")
VULNERABILITY = ("suppression",)

# What each 1-5 score means at its ends; priority = impact x confidence + reversibility +
# prevention (3 to 35), the order of the triage list.
SCALES = {
    "impact": "1: barely matters · 5: hurts every install or a production path",
    "confidence": "1: a guess · 5: the evidence settles it",
    "reversibility": "1: hard to undo · 5: one revert brings it back",
    "prevention": "1: a one-off · 5: a rule stops the whole class coming back",
}


@dataclass(frozen=True)
class Group:
    key: str
    title: str
    fields: list[forms.BoundField]
    hint: str = ""
    open: bool = True
    hidden: bool = False  # shown by the page's script when its condition holds


def groups(form: forms.ModelForm, *, record, note_modes: list[str]) -> list[Group]:
    """The form's fields in the order a reviewer fills them in."""
    notes = record.mode_notes or {}
    mode_fields = [name for name in form.fields if name.startswith("mode_note_")]
    shown_modes = [
        name
        for name in mode_fields
        if name.removeprefix("mode_note_") in note_modes
        or str(notes.get(name.removeprefix("mode_note_"), "")).strip()
    ]
    chosen = form["next_action"].value()
    result = [
        Group("decision", "Decision", [form[n] for n in DECISION]),
        Group(
            "mode-notes",
            "Why no evidence is needed",
            [form[n] for n in shown_modes],
            hint="A removal needs, for each execution mode the scan could not read in full, "
            "a note saying why that mode does not need the package.",
            hidden=chosen != NextAction.REMOVE,
        ),
        Group("context", "Purpose and risk", [form[n] for n in CONTEXT]),
    ]
    result += [
        Group("notes", "Why it looked stale, evidence checked", [form[n] for n in NOTES]),
        Group(
            "scores",
            "Scores (1 to 5)",
            [form[n] for n in SCORES],
            hint="Priority = impact x confidence + reversibility + prevention (3 to 35); "
            "the triage list is sorted by it.",
        ),
        # Only on vulnerability records: the form has no suppression field on the others.
        Group(
            "vulnerability",
            "Keeping a vulnerability",
            [form[n] for n in VULNERABILITY if n in form.fields],
        ),
        Group("window", "Review window", [form[n] for n in WINDOW], open=False),
    ]
    placed = {bf.name for group in result for bf in group.fields} | set(mode_fields)
    missing = set(form.fields) - placed
    if missing:
        raise ValueError(f"record page has no place for {', '.join(sorted(missing))}")
    return result
