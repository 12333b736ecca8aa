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


def test_a_finding_the_repository_keeps_says_so_in_both_reports() -> None:
    from scanning.types import Finding

    reason = "kept by repository configuration (pyproject.toml [tool.deptry] ignore)"
    kept = Finding("unused", "rich", "rich is declared but unused", kept=reason)
    scan = report.ScanReport(path="app", files_seen=1, findings=[kept])
    assert f"rich is declared but unused ({reason})" in report.as_text(scan)
    assert report.as_data(scan)["findings"][0]["kept"] == reason
