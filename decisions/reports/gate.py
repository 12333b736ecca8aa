"""The vulnerability gate as Markdown, the same words in every report."""

from __future__ import annotations

from inventory.markdown import cell
from scanning.selectors import Gate


def gate_lines(gate: Gate) -> list[str]:
    """ "Vulnerability gate: RESULT" and a bullet per reason (what was not checked, or fails)."""
    lines = [f"**Vulnerability gate: {cell(gate.result)}**"]
    lines += [f"- {cell(reason)}" for reason in gate.reasons]
    return lines
