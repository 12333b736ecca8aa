"""Reads of the scanning app shaped for other screens: the vulnerability gate of repositories,
whether the advisory mirror can vouch for anything, removal savings and the gate policy.

The gate is decided once, when a scan audits its declarations
(``scanning.rules.vulnerable.decide_gate``), and stored on the run. Every surface (scan page,
audit log, dashboard, API, minutes, pull-request body) shows that answer through these
functions: a repository's gate is its latest successful scan's; a group's is "fail" when one
fails, else "unknown" when one is unknown (or never scanned), else "pass".
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery

from inventory.models import Repository
from scanning.advisories import store as advisory_store
from scanning.gate import policy
from scanning.models import AuditGate, ScanRun, ScanStatus
from scanning.rules import weights

NEVER_SCANNED = "never scanned successfully"
NOT_AUDITED = "the latest scan did not audit vulnerabilities"
_ORDER = ("-finished_at", "-id")


@dataclass(frozen=True)
class Gate:
    result: str  # pass, fail or unknown
    reasons: tuple[str, ...] = ()

    def text(self) -> str:
        """ "unknown: reason; reason" — one line for a report."""
        return f"{self.result}: {'; '.join(self.reasons)}" if self.reasons else self.result

    def as_dict(self) -> dict[str, object]:
        return {"result": self.result, "reasons": list(self.reasons)}


def run_gate(run: ScanRun | None) -> Gate:
    """The gate a scan run decided, as stored."""
    if run is None:
        return Gate(AuditGate.UNKNOWN, (NEVER_SCANNED,))
    return _stored(run.audit_gate, (run.audit or {}).get("gate_reasons"))


def _stored(result: str | None, reasons: object) -> Gate:
    if result not in AuditGate.values:
        return Gate(AuditGate.UNKNOWN, (NOT_AUDITED,))
    given = tuple(str(r) for r in reasons) if isinstance(reasons, list) else ()
    if result == AuditGate.UNKNOWN and not given:
        given = ("not everything could be checked",)
    return Gate(str(result), given)


def with_gates(repositories: QuerySet[Repository]) -> QuerySet[Repository]:
    """``repositories`` annotated with their latest successful scan's gate (one query)."""
    latest = ScanRun.objects.filter(
        repository=OuterRef("pk"), status=ScanStatus.SUCCEEDED
    ).order_by(*_ORDER)
    return repositories.annotate(
        gate_result=Subquery(latest.values("audit_gate")[:1]),
        gate_reasons=Subquery(latest.values("audit__gate_reasons")[:1]),
        gate_run=Subquery(latest.values("pk")[:1]),
    )


def repository_gate(*, repository: Repository) -> Gate:
    """The gate of ``repository``: its latest successful scan's answer."""
    if hasattr(repository, "gate_run"):
        if repository.gate_run is None:
            return Gate(AuditGate.UNKNOWN, (NEVER_SCANNED,))
        return _stored(repository.gate_result, _json(repository.gate_reasons))
    latest = repository.scan_runs.latest_succeeded()
    return run_gate(latest)


def combined_gate(*, repositories: Iterable[Repository] | QuerySet[Repository]) -> Gate:
    """The gate of several repositories together, each reason named after its repository."""
    if isinstance(repositories, QuerySet):
        repositories = with_gates(repositories).order_by("name")
    gates = [(r.name, repository_gate(repository=r)) for r in repositories]
    if not gates:
        return Gate(AuditGate.UNKNOWN, ("no repository to audit",))
    for result in (AuditGate.FAIL, AuditGate.UNKNOWN):
        matching = [(name, gate) for name, gate in gates if gate.result == result]
        if matching:
            return Gate(str(result), _named_reasons(matching))
    return Gate(AuditGate.PASS, ())


# A reason shared by more repositories than this is said once, with the first few names:
# an organisation that just added 300 repositories has 300 "never scanned successfully".
_NAMED_AT_MOST = 3


def _named_reasons(gates: list[tuple[str, Gate]]) -> tuple[str, ...]:
    names_by_reason: dict[str, list[str]] = {}
    for name, gate in gates:
        for reason in gate.reasons:
            names_by_reason.setdefault(reason, []).append(name)
    reasons: list[str] = []
    for reason, names in names_by_reason.items():
        if len(names) <= _NAMED_AT_MOST:
            reasons += [f"{name}: {reason}" for name in names]
        else:
            shown = ", ".join(names[:_NAMED_AT_MOST])
            more = len(names) - _NAMED_AT_MOST
            reasons.append(f"{reason}: {shown} and {more} more repositories")
    return tuple(reasons)


def _json(value: object) -> object:
    """A JSON value read through a subquery: decoded already, or still text (SQLite)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def advisory_mirror_unavailable_reason() -> str | None:
    """Why the advisory mirror cannot vouch for anything now (no sync, or too old by either of
    its clocks), or ``None`` when it can: a chart of vulnerabilities counted from it says so."""
    return advisory_store.mirror_unavailable_reason()


def removal_savings(*, repository: Repository, package: str) -> str:
    """What removing ``package`` from ``repository`` takes out of every environment, from
    the declared packages' own metadata as the package index gave it (cached on ``Package``);
    "" when no such metadata was read (no index configured, or the lookups failed)."""
    savings = removal_calculator(repository=repository)(package)
    return savings.describe() if savings is not None else ""


def removal_calculator(*, repository: Repository):  # type: ignore[no-untyped-def]
    """``package -> Savings | None`` for ``repository``, reading its declarations and the
    packages' cached metadata once (two queries) for any number of packages."""
    from inventory.models import Package, Requirement
    from scanning.distributions import facts as knowledge
    from scanning.distributions import graph
    from scanning.rules.declared import NOT_DIRECT_KINDS
    from scanning.types import DistributionFacts

    rows = Requirement.objects.filter(manifest__repository=repository).exclude(
        manifest__kind__in=NOT_DIRECT_KINDS
    )
    roots: dict[str, set[str]] = {}
    for name, extras in rows.values_list("package__name", "extras"):
        roots.setdefault(name, set()).update(e for e in extras or () if isinstance(e, str))
    facts = {}
    for row in Package.objects.filter(name__in=roots, import_names_source="index").only(
        "name", "import_names", "import_names_version", "distribution_facts"
    ):
        base = DistributionFacts(row.name, (), "index", row.import_names_version)
        facts[row.name] = knowledge.from_json(base, row.distribution_facts)

    def savings(package: str) -> graph.Savings | None:
        if package not in roots or package not in facts:
            return None
        return graph.removal_savings(package, roots.items(), facts)

    return savings


@dataclass(frozen=True)
class WeightFileCheck:
    """What a scan of this installation calls a weight file."""

    suffixes: tuple[str, ...]
    threshold_mb: float


def weight_file_check() -> WeightFileCheck:
    """The weights rule's suffixes and the threshold scans are run with (the settings)."""
    return WeightFileCheck(
        suffixes=tuple(sorted(weights.WEIGHT_SUFFIXES)),
        threshold_mb=float(settings.DEBTBOARD_WEIGHT_FILE_MB),
    )


def gate_policy() -> policy.Policy:
    """The organisation's gate policy: the stored one, else the registry's defaults.

    A stored policy that no longer reads (a kind renamed since) is an error, never a laxer
    default: ``PolicyError`` propagates.
    """
    from scanning.models import GatePolicy

    stored = GatePolicy.objects.order_by("pk").first()
    if stored is None:
        return policy.Policy(source="the server's defaults")
    return policy.from_mapping(stored.as_mapping(), source="the server's gate policy")
