"""A scan pushed from a repository's own CI: its schema, and the ``TreeScan`` it stands for.

The payload is ``{"repository": NAME, "commit": SHA, "scan": <scan JSON>}`` where the scan
JSON is what ``python -m scanning.cli PATH --format json`` (or ``gate --scan-output``) writes
(``scanning.engine.report.as_data``, format ``debtboard-scan/1``). The pydantic models below
validate it and are the schema the OpenAPI description publishes, so the two cannot drift.
Pure: no Django.

What travels back is what the report holds: manifests and their declarations, findings with
their locations, file errors and the audit. A finding's locations that are not declarations
become evidence of use of its subject; the import names behind them do not travel.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from scanning.engine import report
from scanning.manifests.common import redact
from scanning.rules import kinds
from scanning.rules.unread import unread_of
from scanning.types import (
    MODES,
    PIN_LEVELS,
    PURPOSES,
    Declaration,
    FileError,
    Finding,
    ManifestFile,
    TreeScan,
    Usage,
)

MAX_ITEMS = 100_000
# Counts and line numbers are stored in 32-bit integer columns.
Count = Annotated[int, Field(ge=0, le=2**31 - 1)]
Path_ = Annotated[str, Field(max_length=1000)]
Text = Annotated[str, Field(max_length=5000)]
Short = Annotated[str, Field(max_length=200)]


class Location(BaseModel):
    path: Path_
    line: Count = 0
    mode: Short = ""


class FindingIn(BaseModel):
    code: Short = ""
    kind: Short
    subject: Path_
    summary: Text = ""
    confidence: Short = ""
    locations: list[Location] = Field(default_factory=list, max_length=1000)
    kept: Text = ""
    severity: Short = ""

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in kinds.BY_VALUE:
            raise ValueError(f"unknown kind of finding {value[:50]!r}")
        return value

    @field_validator("severity")
    @classmethod
    def _known_severity(cls, value: str) -> str:
        if value and value not in ("critical", "high", "medium", "low"):
            raise ValueError(f"unknown severity {value[:50]!r}")
        return value


class ManifestIn(BaseModel):
    path: Path_
    kind: Short
    purpose: Short
    content_hash: Short = ""


class DeclarationIn(BaseModel):
    name: Short
    path: Path_
    line: Count = 0
    raw: Text = ""
    purpose: Short = "runtime"
    specifier: Text = ""
    pinned_version: Short = ""
    pin_level: Short = "unpinned"
    manifest_kind: Short = ""
    via: list[Short] = Field(default_factory=list, max_length=1000)

    @field_validator("purpose")
    @classmethod
    def _known_purpose(cls, value: str) -> str:
        if value not in PURPOSES:
            raise ValueError(f"unknown purpose {value[:50]!r}")
        return value

    @field_validator("pin_level")
    @classmethod
    def _known_pin_level(cls, value: str) -> str:
        if value not in PIN_LEVELS:
            raise ValueError(f"unknown pin level {value[:50]!r}")
        return value


class ErrorIn(BaseModel):
    path: Path_
    line: Count = 0
    message: Text


class ScanIn(BaseModel):
    """The scan JSON of ``python -m scanning.cli --format json``."""

    format: Literal["debtboard-scan/1"]
    path: Path_ = ""
    commit: Short = ""
    files_seen: Count = 0
    findings: list[FindingIn] = Field(default_factory=list, max_length=MAX_ITEMS)
    errors: list[ErrorIn] = Field(default_factory=list, max_length=MAX_ITEMS)
    audit: dict[str, Any] = Field(default_factory=dict)
    manifests: list[ManifestIn] = Field(default_factory=list, max_length=MAX_ITEMS)
    declarations: list[DeclarationIn] = Field(default_factory=list, max_length=MAX_ITEMS)


class IngestPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    repository: Short = Field(description="The repository's name on the server.")
    commit: str = Field(
        pattern=r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$", description="The full commit id scanned."
    )
    scan: ScanIn


assert report.FORMAT == "debtboard-scan/1"  # the Literal above names it


def tree_from_scan(scan: ScanIn) -> TreeScan:
    """The ``TreeScan`` a pushed scan stands for, ready for the store and reconcile services.

    What CI sent is not trusted to be clean: every text is stored as a server scan would
    store it (URL credentials and query values hidden, NUL and undecodable bytes escaped),
    and a gate of "pass" beside a manifest the scan could not read becomes "unknown".
    """
    by_path: dict[str, ManifestFile] = {
        _text(m.path): ManifestFile(
            _text(m.path), _text(m.kind), _text(m.purpose), _text(m.content_hash)
        )
        for m in scan.manifests
    }
    declared_at: set[tuple[str, int]] = set()
    for d in scan.declarations:
        path = _text(d.path)
        manifest = by_path.setdefault(
            path, ManifestFile(path, _text(d.manifest_kind) or "requirements", d.purpose, "")
        )
        manifest.declarations.append(
            Declaration(
                path=path,
                line=d.line,
                name=_text(d.name),
                raw=_text(d.raw),
                purpose=d.purpose,
                specifier=_text(d.specifier),
                pinned_version=_text(d.pinned_version),
                pin_level=d.pin_level,
                via=tuple(_text(name) for name in d.via),
            )
        )
        declared_at.add((path, d.line))
    findings, usages = [], []
    for f in scan.findings:
        subject = _text(f.subject)
        used = [
            Usage(
                name=subject,
                path=_text(loc.path),
                line=loc.line,
                mode=loc.mode if loc.mode in MODES else "script",
                is_distribution=True,
            )
            for loc in f.locations
            if (_text(loc.path), loc.line) not in declared_at
        ]
        usages += used
        findings.append(
            Finding(
                kind=f.kind,
                subject=subject,
                summary=_text(f.summary),
                evidence=tuple(used),
                severity=f.severity,
                confidence=_text(f.confidence),
                kept=_text(f.kept),
            )
        )
    errors = [FileError(_text(e.path), _text(e.message), e.line) for e in scan.errors]
    tree = TreeScan(
        files_seen=scan.files_seen,
        paths=sorted({*by_path, *(e.path for e in errors), *(u.path for u in usages)}),
        errors=errors,
    )
    tree.manifests = sorted(by_path.values(), key=lambda m: m.path)
    tree.usages = usages
    tree.findings = findings
    tree.audit = _audit(scan.audit, tree)
    return tree


def _text(value: str) -> str:
    return report.printable(redact(value))


def _clean(value: object) -> object:
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, dict):
        return {_text(str(key)): _clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


def _audit(pushed: dict[str, Any], tree: TreeScan) -> dict[str, Any]:
    """The pushed audit, cleaned; not "pass" while a manifest of the scan was not read."""
    audit: dict[str, Any] = _clean(pushed)  # type: ignore[assignment]
    unread = unread_of(tree).gate_reasons()
    if unread and audit.get("gate") == "pass":
        reasons = audit.get("reasons")
        audit["reasons"] = [*(reasons if isinstance(reasons, list) else []), *unread]
        audit["gate"] = "unknown"
    return audit
