"""Reads for the record page: what the latest scan checked, the other findings about the same
subject, and the facts the recommended next action is made from (``decisions.advice``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count

from decisions import advice
from decisions.models import REMOVAL_MODES, DecisionRecord
from inventory.models import ImportNamesSource, Requirement
from scanning import knowledge
from scanning import selectors as scanning_selectors
from scanning.models import Evidence, ScanRun

# The execution modes the page lists, in the order people think of them.
PAGE_MODES = ("web", "worker", "cron", "migration", "test", "notebook", "script", "ci")
MANIFEST_LINE = "manifest-line"
# Kinds whose subject is a file or the whole repository, not a package: no import names or
# execution modes to show (a scan may still have made a package row of the subject's name).
NOT_A_PACKAGE = frozenset({"weight-file", "no-lock"})
_MAX_EVIDENCE = 500
_MAX_ERRORS = 50

# Where a package's import names came from, and how far to trust the answer: the scanning
# side's own labels and confidence (``scanning.distributions.facts``), one vocabulary.
_SOURCE = {
    source: (label, knowledge.confidence(source))
    for source, label in knowledge.SOURCE_LABELS.items()
}


@dataclass(frozen=True)
class ModeCheck:
    mode: str
    files_read: int
    uses: list[Evidence]
    incomplete: bool  # some files of this mode could not be read
    declared: bool  # the repository says it runs in this mode (maybe outside what scans see)

    @property
    def listed(self) -> bool:
        """Worth a row of its own; modes without files and evidence share one line."""
        return self.status != "no-files"

    @property
    def status(self) -> str:
        if self.uses:
            return "found"
        if self.files_read == 0:
            return "outside" if self.declared else "no-files"
        return "incomplete" if self.incomplete else "none"


@dataclass(frozen=True)
class ImportNames:
    names: tuple[str, ...]
    source: str  # a label
    confidence: str  # high, medium, low
    note: str = ""  # why a better source did not answer


@dataclass
class Checks:
    scan: ScanRun | None
    import_names: ImportNames | None = None
    modes: list[ModeCheck] = field(default_factory=list)
    declarations: list[Evidence] = field(default_factory=list)
    other_uses: list[Evidence] = field(default_factory=list)  # evidence with no mode
    unreadable: list[dict] = field(default_factory=list)
    unreadable_total: int = 0
    weight_files: scanning_selectors.WeightFileCheck | None = None  # weight-file records

    @property
    def modes_without_files(self) -> list[str]:
        return [m.mode for m in self.modes if not m.listed]


def latest_scan(record: DecisionRecord) -> ScanRun | None:
    return record.repository.scan_runs.defer("audit").latest_succeeded()


def siblings(record: DecisionRecord) -> list[DecisionRecord]:
    """The other findings about the same subject in the same repository (one card, one query)."""
    return list(
        DecisionRecord.objects.filter(repository_id=record.repository_id, subject=record.subject)
        .exclude(pk=record.pk)
        .only("pk", "kind", "state", "summary", "severity", "subject", "repository_id")
        .order_by("kind")
    )


def import_names(record: DecisionRecord, *, problem: str = "") -> ImportNames | None:
    """Which import names the scan looked for, per the source a scan uses for this package."""
    package = record.package
    if package is None:
        return None
    if package.import_names_source == ImportNamesSource.INDEX and package.import_names:
        version = f" {package.import_names_version}" if package.import_names_version else ""
        return ImportNames(
            tuple(package.import_names), f"its{version} wheel on the package index", "high"
        )
    facts = knowledge.local_facts(package.name)
    label, confidence = _SOURCE.get(facts.source, _SOURCE[knowledge.UNKNOWN])
    names = tuple(sorted(knowledge.import_names_for(package.name)))
    note = problem or package.import_names_error
    return ImportNames(names, label, confidence, note)


def checks(record: DecisionRecord, *, scan: ScanRun | None) -> Checks:
    found = Checks(scan=scan)
    if scan is None:
        return found
    errors = scan.file_errors if isinstance(scan.file_errors, list) else []
    found.unreadable, found.unreadable_total = errors[:_MAX_ERRORS], len(errors)
    if record.kind == "weight-file":
        found.weight_files = scanning_selectors.weight_file_check()
    if record.package_id is None or record.kind in NOT_A_PACKAGE:
        return found
    problems = _audit_part(scan, "import_names", {}).get("problems", [])
    problem = next((p.get("reason", "") for p in problems if p.get("name") == record.subject), "")
    found.import_names = import_names(record, problem=problem)
    evidence = list(
        Evidence.objects.filter(scan_run=scan, package_id=record.package_id)[:_MAX_EVIDENCE]
    )
    found.declarations = [e for e in evidence if e.kind == MANIFEST_LINE]
    uses = [e for e in evidence if e.kind != MANIFEST_LINE]
    by_mode: dict[str, list[Evidence]] = {}
    for use in uses:
        by_mode.setdefault(use.mode, []).append(use)
    seen = scan.modes_seen if isinstance(scan.modes_seen, dict) else {}
    incomplete = set(scan.modes_incomplete or [])
    declared = set(record.repository.execution_modes or [])
    modes = [*PAGE_MODES, *sorted(m for m in by_mode if m and m not in PAGE_MODES)]
    found.modes = [
        ModeCheck(
            mode=mode,
            files_read=int(seen.get(mode, 0) or 0),
            uses=by_mode.get(mode, []),
            incomplete=mode in incomplete,
            declared=mode in declared,
        )
        for mode in modes
    ]
    found.other_uses = by_mode.get("", [])
    return found


def modes_needing_notes(record: DecisionRecord, *, scan: ScanRun | None) -> list[str]:
    """Modes a removal must explain (the model's rule, before any note is counted)."""
    seen = dict(scan.modes_seen) if scan else {}
    incomplete = set(scan.modes_incomplete) if scan else set()
    required = (set(seen) | set(record.repository.execution_modes)) & REMOVAL_MODES
    return sorted(required - (set(seen) - incomplete))


def _audit_part(scan: ScanRun, key: str, default):
    """One top-level key of the run's audit, without loading the rest of it."""
    value = ScanRun.objects.filter(pk=scan.pk).values_list(f"audit__{key}", flat=True).first()
    return value if isinstance(value, type(default)) else default


def advice_facts(
    record: DecisionRecord,
    *,
    scan: ScanRun | None,
    found: Checks,
    others: list[DecisionRecord],
    artifact=None,
) -> advice.Facts:
    """``artifact``: the ``VersionChecks`` of an artifact-version record."""
    from decisions.models import CLOSED_STATES

    kinds = frozenset(r.kind for r in others if r.state not in CLOSED_STATES)
    facts = {
        "kind": record.kind,
        "subject": record.subject,
        "kinds": kinds,
        "scanned": scan is not None,
        "uses": sum(len(m.uses) for m in found.modes) + len(found.other_uses),
        "declared_purposes": frozenset(e.mode for e in found.declarations if e.mode),
        "unread_modes": tuple(m.mode for m in found.modes if m.status in ("incomplete", "outside")),
        "names_confidence": found.import_names.confidence if found.import_names else "",
    }
    if artifact is not None and artifact.version is not None:
        facts["artifact_candidate"] = artifact.version.is_candidate
        facts["artifact_verdict"] = artifact.version.reason
    all_kinds = kinds | {record.kind}
    if scan is not None and "vulnerable" in all_kinds:
        for entry in _audit_part(scan, "vulnerable", []):
            if isinstance(entry, dict) and entry.get("name") == record.subject:
                facts["fixed_in"] = str(entry.get("fixed_in") or "")
                facts["pinned_versions"] = tuple(str(v) for v in entry.get("versions", []))
    if all_kinds & {"missing", "transitive", "misplaced-dev"}:
        facts["declare_in"] = _runtime_manifest(record)
        if record.package_id:
            locked = (
                Requirement.objects.filter(
                    manifest__repository_id=record.repository_id,
                    package_id=record.package_id,
                )
                .exclude(pinned_version="")
                .values_list("pinned_version", flat=True)
                .first()
            )
            facts["locked_version"] = locked or ""
    return advice.Facts(**facts)


def _runtime_manifest(record: DecisionRecord) -> str:
    """The manifest holding most of the repository's direct runtime requirements."""
    row = (
        Requirement.objects.filter(manifest__repository_id=record.repository_id, purpose="runtime")
        .exclude(pin_level="locked")
        .values("manifest__path")
        .annotate(n=Count("id"))
        .order_by("-n", "manifest__path")
        .first()
    )
    return row["manifest__path"] if row else ""


def removal_savings(record: DecisionRecord) -> str:
    """What a removal saves, from the packages' own metadata, or why that is not known."""
    if record.package_id is None or record.kind in NOT_A_PACKAGE:
        return ""
    said = scanning_selectors.removal_savings(repository=record.repository, package=record.subject)
    if said:
        return f"It {said}."
    return (
        "Not known: the package index was not asked for this package's metadata (set "
        "DEBTBOARD_PACKAGE_INDEX_URL), so which distributions leave with it and their sizes "
        "cannot be said."
    )
