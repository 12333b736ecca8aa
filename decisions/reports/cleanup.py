"""A ready-to-paste pull-request body that removes a repository's approved packages."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery

from decisions.models import Approval, DecisionRecord, NextAction, State
from decisions.reports import sources
from decisions.reports.gate import gate_lines
from decisions.reports.requirements_diff import FileChange, remove_lines
from decisions.selectors import records as selectors
from decisions.services import review_window_days
from inventory.markdown import cell, code, code_block, text
from inventory.models import Repository, Requirement
from scanning import manifest_kinds
from scanning import selectors as scanning_selectors

REMOVABLE_STATES = (State.APPROVED, State.IN_REVIEW_WINDOW)
LOCK_KINDS = manifest_kinds.LOCKS
CI_KINDS = manifest_kinds.CI
# Files whose requirement lines can be removed one line at a time.
LINE_KINDS = manifest_kinds.LINES


@dataclass
class CleanupPlan:
    repository: Repository
    records: list[DecisionRecord]
    changes: list[FileChange] = field(default_factory=list)
    by_hand: list[str] = field(default_factory=list)
    locks: list[str] = field(default_factory=list)
    ci: list[str] = field(default_factory=list)


def removal_records(*, user, repository: Repository) -> list[DecisionRecord]:
    """Records of ``repository`` decided for removal: next action remove, approved or in window,
    and the latest decision on it approved "remove" itself (not another action since changed)."""
    latest = Approval.objects.filter(record=OuterRef("pk")).order_by("-created_at", "-id")
    return list(
        DecisionRecord.objects.for_user(user)
        .filter(repository=repository, next_action=NextAction.REMOVE, state__in=REMOVABLE_STATES)
        .annotate(
            decision=Subquery(latest.values("decision")[:1]),
            decided_action=Subquery(latest.values("next_action")[:1]),
        )
        .filter(decision=Approval.Decision.APPROVED, decided_action=NextAction.REMOVE)
        .select_related("repository", "owner", "package")
        .order_by("subject")
    )


def cleanup_plan(*, user, repository: Repository) -> CleanupPlan:
    records = removal_records(user=user, repository=repository)
    plan = CleanupPlan(repository=repository, records=records)
    package_ids = {r.package_id for r in records if r.package_id}
    declared = (
        Requirement.objects.filter(manifest__repository=repository, package_id__in=package_ids)
        .select_related("manifest", "package")
        .order_by("manifest__path", "line")
    )
    per_file: dict[str, list[Requirement]] = defaultdict(list)
    for requirement in declared:
        manifest = requirement.manifest
        where = manifest.path + (f" line {requirement.line}" if requirement.line else "")
        if manifest.kind in LOCK_KINDS:
            plan.locks.append(manifest.path)
        elif manifest.kind in CI_KINDS:
            plan.ci.append(f"{where} installs {requirement.package.name}")
        elif manifest.kind in LINE_KINDS and requirement.line:
            per_file[manifest.path].append(requirement)
        else:
            plan.by_hand.append(f"{where}: remove {requirement.package.name}")
    for path, declared_here in per_file.items():
        current = sources.current_file(repository, path)
        if current is None:
            plan.by_hand += [
                f"{path} line {r.line}: remove {r.raw} (the file is not readable here)"
                for r in declared_here
            ]
            continue
        change = remove_lines(path, current.text, [(r.line, r.package.name) for r in declared_here])
        if current.content_hash != declared_here[0].manifest.content_hash:
            change.problems.insert(0, f"{path} changed since the last scan; check the diff.")
        plan.changes.append(change)
    plan.locks = sorted(set(plan.locks))
    return plan


def _evidence_lines(record: DecisionRecord) -> list[str]:
    evidence = selectors.record_evidence_by_mode(record=record)
    lines = []
    for mode, items in evidence.items():
        shown = ", ".join(f"{code(e.location)} ({cell(e.kind)})" for e in items[:5])
        more = f" and {len(items) - 5} more" if len(items) > 5 else ""
        lines.append(f"  - {cell(mode)}: {shown}{more}")
    for mode, note in sorted((record.mode_notes or {}).items()):
        if str(note).strip():
            lines.append(f"  - {cell(mode)}: no use; {cell(str(note))}")
    return lines or ["  - no use found by the latest scan in any execution mode"]


def cleanup_body(*, user, repository: Repository) -> str:
    """The pull-request body (Markdown) removing the repository's approved packages."""
    plan = cleanup_plan(user=user, repository=repository)
    out = [f"## Remove unused dependencies from {cell(repository.name)}\n"]
    out += [*gate_lines(scanning_selectors.repository_gate(repository=repository)), ""]
    if not plan.records:
        out.append("No removal is approved for this repository yet.\n")
        return "\n".join(out)
    out.append("Decided in Debtboard; each removal was approved by the package's owner.\n")
    out.append("### Packages removed\n")
    for record in plan.records:
        owner = record.owner.username if record.owner else "nobody"
        out.append(
            f"- **{cell(record.subject)}** ({cell(record.get_kind_display())}, owner "
            f"{cell(owner)}): {cell(record.why_stale or record.summary)}"
        )
        out.append("  Evidence checked per execution mode:")
        out += _evidence_lines(record)
    out.append("\n### Requirements diff\n")
    if plan.changes and any(c.diff for c in plan.changes):
        out.append(code_block("".join(c.diff for c in plan.changes if c.diff), language="diff"))
    else:
        out.append("No requirements file line to remove was found.\n")
    problems = [p for c in plan.changes for p in c.problems] + plan.by_hand
    if problems:
        out.append("Also by hand:\n")
        out += [f"- {text(p)}" for p in problems]
        out.append("")
    if plan.locks:
        out.append("Regenerate the lock files: " + ", ".join(code(p) for p in plan.locks) + "\n")
    out.append("### Process checks\n")
    latest = repository.scan_runs.latest_succeeded()
    modes = sorted((latest.modes_seen or {}) if latest else {}) or ["web"]
    window = max((review_window_days(r) for r in plan.records), default=0)
    out += [
        "- [ ] A fresh virtual environment installs from the changed files and `pip check` passes",
        "- [ ] The test suite passes",
        "- [ ] Every execution mode starts: " + ", ".join(cell(m) for m in modes),
        f"- [ ] Watch for {window} days after release (the review window) for the signals below",
    ]
    for record in plan.records:
        if record.watch_signal.strip():
            out.append(f"  - {cell(record.subject)}: {cell(record.watch_signal)}")
    out.append("\n### CI notes\n")
    if plan.ci:
        out += [f"- {text(line)}" for line in plan.ci]
    else:
        out.append("- No CI workflow, Dockerfile, tox or Makefile installs these packages by name.")
    out.append("\n### Rollback\n")
    for record in plan.records:
        how = record.rollback_notes.strip() or "re-add the removed lines (revert this change)"
        out.append(f"- {cell(record.subject)}: {text(how)}")
    return "\n".join(out) + "\n"
