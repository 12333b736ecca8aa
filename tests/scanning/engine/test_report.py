from __future__ import annotations

from scanning.engine import report


def test_text_report_gives_the_gate_with_the_audit_s_reasons() -> None:
    audited = report.ScanReport(
        path="app",
        files_seen=3,
        audit={"gate": "unknown", "gate_reasons": ["2 requirement(s) not audited"]},
    )
    not_run = report.ScanReport(
        path="app",
        files_seen=3,
        audit={"gate": "unknown", "reasons": ["advisory database unavailable (OperationalError)"]},
    )

    assert "Vulnerability gate: unknown (2 requirement(s) not audited)" in report.as_text(audited)
    assert "Vulnerability gate: unknown (advisory database unavailable" in report.as_text(not_run)
