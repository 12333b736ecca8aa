"""Render a scan's findings for people (text) and for tools (JSON), with deptry's codes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from scanning.rules import kinds
from scanning.types import Declaration, FileError, Finding, Usage

# deptry's codes where the kind means the same thing; our own codes for the rest.
CODES = {kind.value: kind.code for kind in kinds.KINDS}


@dataclass(slots=True)
class ScanReport:
    path: str
    files_seen: int
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    # Vulnerability audit: gate (pass/fail/unknown), reasons, what was not audited and why,
    # and per vulnerable package its advisories (id, aliases, severity, fixed version).
    audit: dict = field(default_factory=dict)


def code_for(kind: str) -> str:
    return kinds.code_for(kind)


def _location(item: Usage | Declaration) -> dict[str, object]:
    mode = item.mode if isinstance(item, Usage) else item.purpose
    return {"path": item.path, "line": item.line, "mode": mode}


def as_data(report: ScanReport) -> dict[str, object]:
    return {
        "path": report.path,
        "files_seen": report.files_seen,
        "findings": [
            {
                "code": code_for(finding.kind),
                "kind": finding.kind,
                "subject": finding.subject,
                "summary": finding.summary,
                "confidence": finding.confidence,
                "locations": [_location(item) for item in finding.evidence],
                **({"kept": finding.kept} if finding.kept else {}),
            }
            for finding in report.findings
        ],
        "errors": [
            {"path": error.path, "line": error.line, "message": error.message}
            for error in report.errors
        ],
        "audit": report.audit,
    }


def as_json(report: ScanReport) -> str:
    return json.dumps(as_data(report), indent=2, ensure_ascii=False)


def as_text(report: ScanReport) -> str:
    lines = []
    for finding in report.findings:
        first = finding.evidence[0] if finding.evidence else None
        where = (
            f"{first.path}:{first.line}" if first and first.line else (first.path if first else "")
        )
        prefix = f"{where}: " if where else ""
        kept = f" ({finding.kept})" if finding.kept else ""
        lines.append(
            f"{prefix}{code_for(finding.kind)} {finding.kind} {finding.subject}: "
            f"{finding.summary}{kept}"
        )
    if report.errors:
        lines.append("")
        lines.append(f"{len(report.errors)} file(s) could not be read completely:")
        lines += [
            f"  {error.path}{f':{error.line}' if error.line else ''}: {error.message}"
            for error in report.errors
        ]
    if report.audit:
        # A finished audit says "gate_reasons"; one that could not run at all, "reasons".
        given = report.audit.get("gate_reasons") or report.audit.get("reasons", [])
        reasons = "; ".join(str(r) for r in given)
        lines.append("")
        lines.append(
            f"Vulnerability gate: {report.audit.get('gate', 'unknown')}"
            + (f" ({reasons})" if reasons else "")
        )
        problems = report.audit.get("import_names", {}).get("problems", [])
        if problems:
            lines.append(f"What {len(problems)} package(s) provide was not read from metadata:")
            by_reason: dict[str, list[str]] = {}
            for problem in problems:
                by_reason.setdefault(str(problem["reason"]), []).append(
                    f"{problem['name']} ({problem['source']})"
                )
            for reason, names in by_reason.items():
                lines.append(f"  {reason}: {', '.join(names)}")
    lines.append("")
    lines.append(
        f"Scanned {report.files_seen} files in {report.path}: {len(report.findings)} finding(s)."
    )
    return "\n".join(lines)
