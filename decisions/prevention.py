"""Reads for "prevention written back": for a kept record, the configuration to copy into the
repository so its own tools (deptry, pip-audit) stop raising it, built by
``scanning.gate.prevention`` from the record, its latest scan and the repository's current
``pyproject.toml`` (from the checkout this machine already has; none for pushed scans)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from decisions.models import DecisionRecord, NextAction, State
from inventory.models import Repository
from scanning.gate import prevention
from scanning.git.checkout import cached_checkout_path
from scanning.results import KEPT
from scanning.types import DYNAMIC_IMPORT, STATIC_IMPORT

MAX_PYPROJECT_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Prevention:
    tool: str  # deptry or pip-audit
    where: str  # the file to change, or "CI" for a command line
    text: str  # what to copy: a unified diff, a TOML table or a command
    note: str = ""


def is_kept(record: DecisionRecord) -> bool:
    """Decided "keep" by people (not kept already by the repository's own configuration)."""
    if record.kind not in prevention.PREVENTABLE_KINDS:
        return False
    if record.state != State.KEPT and record.next_action != NextAction.KEEP:
        return False
    last = record.events.filter(field="state").order_by("-created_at", "-id").first()
    return not (
        record.state == State.KEPT and last is not None and last.comment.lower().startswith(KEPT)
    )


def current_pyproject(repository: Repository) -> str | None:
    """The repository's ``pyproject.toml`` as this machine has it; None when it has none."""
    root = cached_checkout_path(repository.location)
    if root is None:
        return None
    path = Path(root) / prevention.PYPROJECT
    try:
        if path.is_symlink() or path.stat().st_size > MAX_PYPROJECT_BYTES:
            return None
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _imported_modules(record: DecisionRecord) -> set[str]:
    if record.last_seen_scan_id is None or record.package_id is None:
        return set()
    return set(
        record.last_seen_scan.evidence.filter(
            package_id=record.package_id, kind__in=(STATIC_IMPORT, DYNAMIC_IMPORT)
        ).values_list("name", flat=True)[:200]
    )


def _advisory_ids(record: DecisionRecord) -> list[str]:
    audit = (record.last_seen_scan.audit or {}) if record.last_seen_scan_id else {}
    for entry in audit.get("vulnerable", []):
        if isinstance(entry, dict) and entry.get("name") == record.subject:
            return [str(a.get("id")) for a in entry.get("advisories", []) if a.get("id")]
    return []


def deptry_additions(records: list[DecisionRecord]) -> dict[str, set[str]]:
    additions: dict[str, set[str]] = {}
    for record in records:
        found = prevention.deptry_ignores(record.kind, record.subject, _imported_modules(record))
        for code, names in found.items():
            additions.setdefault(code, set()).update(names)
    return additions


def _deptry(repository: Repository, records: list[DecisionRecord]) -> Prevention:
    current = current_pyproject(repository)
    patch = prevention.deptry_patch(current, deptry_additions(records))
    note = patch.note or (
        ""
        if current is not None
        else "The repository's pyproject.toml was not at hand: if it "
        "has a [tool.deptry.per_rule_ignores] table, merge these names into it."
    )
    return Prevention("deptry", prevention.PYPROJECT, patch.diff or patch.table, note)


def _pip_audit(record: DecisionRecord) -> Prevention:
    reason = record.current_purpose or record.risk_if_wrong or record.get_suppression_display()
    text = prevention.pip_audit_ignores(
        _advisory_ids(record),
        reason=reason,
        owner=record.owner.username if record.owner else "",
        expires=record.review_date.isoformat() if record.review_date else "",
    )
    note = "" if text else "The latest scan lists no advisory id for this package."
    return Prevention("pip-audit", "CI", text, note)


def record_prevention(record: DecisionRecord) -> Prevention | None:
    """What to copy for one kept record; None when it is not a keep this applies to."""
    if not is_kept(record):
        return None
    if record.kind == prevention.kinds.VULNERABLE:
        return _pip_audit(record)
    return _deptry(record.repository, [record])


def repository_prevention(repository: Repository) -> list[Prevention]:
    """Every kept record of ``repository`` at once: one pyproject.toml change, the pip-audit
    ignores of each kept vulnerability."""
    records = [
        r
        for r in DecisionRecord.objects.filter(
            repository=repository, kind__in=prevention.PREVENTABLE_KINDS
        )
        .select_related("repository", "owner", "last_seen_scan")
        .order_by("kind", "subject")
        if is_kept(r)
    ]
    found = []
    deptry = [r for r in records if r.kind != prevention.kinds.VULNERABLE]
    if deptry:
        found.append(_deptry(repository, deptry))
    found += [_pip_audit(r) for r in records if r.kind == prevention.kinds.VULNERABLE]
    return found


def as_text(items: list[Prevention]) -> str:
    parts = []
    for item in items:
        header = f"# {item.tool}: {item.where}"
        note = f"\n# {item.note}" if item.note else ""
        parts.append(f"{header}{note}\n{item.text}")
    return "\n".join(parts)
