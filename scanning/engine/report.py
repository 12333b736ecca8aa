"""Render a scan's findings for people (text) and for tools (JSON), with deptry's codes."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import TypeVar

from scanning.rules import kinds
from scanning.types import Declaration, FileError, Finding, ManifestFile, TreeScan, Usage

_Item = TypeVar("_Item", Usage, Declaration, FileError, Finding)

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
    # What each manifest declares: the gate compares them with a base, ingest stores them.
    manifests: list[ManifestFile] = field(default_factory=list)
    commit: str = ""


# The scan JSON's format: ingest refuses any other (``scanning.gate.ingest``).
FORMAT = "debtboard-scan/1"


def code_for(kind: str) -> str:
    return kinds.code_for(kind)


def _location(item: Usage | Declaration) -> dict[str, object]:
    mode = item.mode if isinstance(item, Usage) else item.purpose
    return {"path": item.path, "line": item.line, "mode": mode}


def _declaration(manifest: ManifestFile, d: Declaration) -> dict[str, object]:
    return {
        "name": d.name,
        "path": d.path,
        "line": d.line,
        "raw": d.raw,
        "purpose": d.purpose,
        "specifier": d.specifier,
        "pinned_version": d.pinned_version,
        "pin_level": d.pin_level,
        "manifest_kind": manifest.kind,
        **({"via": list(d.via)} if d.via else {}),
    }


def as_data(report: ScanReport) -> dict[str, object]:
    return {
        "format": FORMAT,
        "path": report.path,
        **({"commit": report.commit} if report.commit else {}),
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
                **({"severity": finding.severity} if finding.severity else {}),
            }
            for finding in report.findings
        ],
        "manifests": [
            {"path": m.path, "kind": m.kind, "purpose": m.purpose, "content_hash": m.content_hash}
            for m in report.manifests
        ],
        "declarations": [
            _declaration(manifest, d)
            for manifest in report.manifests
            for d in manifest.declarations
        ],
        "errors": [
            {"path": error.path, "line": error.line, "message": error.message}
            for error in report.errors
        ],
        "audit": report.audit,
    }


def as_json(report: ScanReport) -> str:
    return json.dumps(_escaped(as_data(report)), indent=2, ensure_ascii=False)


def printable(text: str) -> str:
    """``text`` as valid Unicode: a file name's bytes that are not UTF-8 (kept by Python as
    lone surrogates) are written ``\\xe9``, so every reader can decode the report; a NUL
    (which PostgreSQL refuses in text) is written ``\\x00``."""
    text = text.replace("\x00", "\\x00")
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no file name decodes to
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def printable_tree(tree: TreeScan) -> TreeScan:
    """``tree`` with every path, name and message that is not valid Unicode escaped, so it can
    be stored (databases refuse lone surrogates) and shown. The tree is changed in place; files
    are never opened again through these paths."""
    if (
        all(_valid(path) for path in tree.paths)
        and all(_valid(f.subject) and _valid(f.summary) for f in tree.findings)
        and all(_valid(u.name) and _valid(u.detail) for u in tree.usages)
        and all(_valid(d.raw) for d in tree.declarations)
        and all(_valid(e.message) for e in tree.errors)
    ):
        return tree  # the common case: nothing to escape, nothing copied
    tree.usages = [_printable_fields(u) for u in tree.usages]
    tree.errors = [_printable_fields(e) for e in tree.errors]
    tree.findings = [_printable_finding(f) for f in tree.findings]
    for manifest in tree.manifests:
        manifest.path = printable(manifest.path)
        manifest.declarations = [_printable_fields(d) for d in manifest.declarations]
        manifest.errors = [_printable_fields(e) for e in manifest.errors]
    tree.first_party = {printable(name) for name in tree.first_party}
    return tree


def _valid(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def _printable_fields(item: _Item) -> _Item:
    changes = {
        f.name: printable(value)
        for f in dataclasses.fields(item)
        if isinstance(value := getattr(item, f.name), str) and not _valid(value)
    }
    return dataclasses.replace(item, **changes) if changes else item


def _printable_finding(finding: Finding) -> Finding:
    finding = _printable_fields(finding)
    evidence = tuple(_printable_fields(item) for item in finding.evidence)
    return dataclasses.replace(finding, evidence=evidence)


def _escaped(value: object) -> object:
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {_escaped(key): _escaped(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_escaped(item) for item in value]
    return value


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
    return printable("\n".join(lines))
