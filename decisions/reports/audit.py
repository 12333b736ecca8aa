"""Audit log (Markdown) of a repository or a team: found, decided, removed, and the gates."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import timezone

from decisions.models import Approval, DecisionEvent, DecisionRecord, Severity, State
from decisions.reports.gate import gate_lines
from decisions.reports.minutes import history_table
from inventory.markdown import cell, table
from scanning.selectors import Gate

# Severities whose CVSS base score is 7.0 or more.
HIGH_SEVERITIES = (Severity.HIGH, Severity.CRITICAL)


def quality_gates(records: QuerySet[DecisionRecord], gate: Gate) -> list[tuple[str, int, str]]:
    """(gate, open records failing it, result). Unused and missing pass at 0; the
    vulnerability gate is the scans' own answer (``gate``), never a count of records."""
    open_records = records.open()
    unused = open_records.filter(kind="unused").count()
    missing = open_records.filter(kind="missing").count()
    return [
        ("Unused dependencies", unused, "pass" if unused == 0 else "FAIL"),
        ("Missing dependencies", missing, "pass" if missing == 0 else "FAIL"),
        (
            "Vulnerabilities with CVSS ≥ 7",
            open_records.filter(kind="vulnerable", severity__in=HIGH_SEVERITIES).count(),
            "FAIL" if gate.result == "fail" else gate.result,
        ),
    ]


def _day(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d") if value else ""


def audit_lines(*, title: str, records: QuerySet[DecisionRecord], gate: Gate) -> Iterator[str]:
    """Stream the audit log of ``records`` (already limited to what the reader may see);
    ``gate`` is the vulnerability gate of the repositories they belong to."""
    yield f"# Audit log: {cell(title)}\n\n"
    yield f"Generated {timezone.localtime().strftime('%Y-%m-%d %H:%M %Z')}.\n\n"
    yield "## Quality gates\n\n"
    yield from table(["Gate", "Open", "Result"], quality_gates(records, gate))
    yield "\n" + "\n".join(gate_lines(gate)) + "\n"
    yield "\n## Found\n\n"
    yield from table(
        ["Found on", "Repository", "Subject", "Kind", "Severity", "State", "Owner"],
        (
            [
                _day(r.created_at),
                r.repository.name,
                r.subject,
                r.get_kind_display(),
                r.get_severity_display() if r.severity else "",
                r.get_state_display(),
                r.owner.username if r.owner else "",
            ]
            for r in records.select_related("repository", "owner")
            .order_by("created_at", "id")
            .iterator(chunk_size=2000)
        ),
    )
    yield "\n## Decided\n\n"
    yield from table(
        ["Date", "Repository", "Subject", "Decision", "By", "Comment"],
        (
            [
                _day(a.created_at),
                a.record.repository.name,
                a.record.subject,
                a.get_decision_display(),
                a.approver.username,
                a.comment,
            ]
            for a in Approval.objects.filter(record__in=records)
            .select_related("record__repository", "approver")
            .order_by("created_at", "id")
            .iterator(chunk_size=2000)
        ),
    )
    closed = DecisionEvent.objects.filter(
        record__in=records, field="state", new_value__in=[State.DONE, State.KEPT]
    ).select_related("record__repository")
    yield "\n## Removed or kept\n\n"
    yield from table(
        ["Date", "Repository", "Subject", "Kind", "Outcome", "Why"],
        (
            [
                _day(e.created_at),
                e.record.repository.name,
                e.record.subject,
                e.record.get_kind_display(),
                "vulnerability fixed"
                if e.record.kind == "vulnerable" and e.new_value == State.DONE
                else e.new_value,
                e.comment,
            ]
            for e in closed.order_by("created_at", "id").iterator(chunk_size=2000)
        ),
    )
    yield "\n## History\n\n"
    yield from history_table(
        DecisionEvent.objects.filter(record__in=records)
        .select_related("record__repository", "actor")
        .order_by("created_at", "id")
        .iterator(chunk_size=2000)
    )
