"""CycloneDX documents of one repository, built with the maintained ``cyclonedx-python-lib``:

- the SBOM: every distribution the repository's manifests declare (at the version pinned or
  locked where one is, with its package URL), as the latest successful scan stored them;
- the VEX: the same components and, per advisory of each vulnerable record, the analysis —
  what people decided, in CycloneDX's vocabulary (``analysis_of``).

Only what was checked is said: a vulnerable record nobody analysed is ``in_triage``, never
"not affected"; "resolved" needs a record a scan confirmed gone (``done``).
"""

from __future__ import annotations

from decimal import Decimal

from cyclonedx.model import Property
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.impact_analysis import (
    ImpactAnalysisJustification,
    ImpactAnalysisResponse,
    ImpactAnalysisState,
)
from cyclonedx.model.vulnerability import (
    BomTarget,
    Vulnerability,
    VulnerabilityAnalysis,
    VulnerabilityRating,
    VulnerabilityScoreSource,
    VulnerabilitySeverity,
    VulnerabilitySource,
)
from cyclonedx.output.json import JsonV1Dot6
from packageurl import PackageURL

from decisions.models import DecisionRecord, NextAction, State, Suppression
from inventory.models import Repository, Requirement
from scanning import kinds

# Our suppression of a kept vulnerability, as a CycloneDX analysis (state, response).
_SUPPRESSION = {
    Suppression.NOT_AFFECTED: (ImpactAnalysisState.NOT_AFFECTED, None),
    Suppression.FALSE_POSITIVE: (ImpactAnalysisState.FALSE_POSITIVE, None),
    Suppression.ACCEPTED_RISK: (
        ImpactAnalysisState.EXPLOITABLE,
        ImpactAnalysisResponse.WILL_NOT_FIX,
    ),
}
_SEVERITY = {
    "critical": VulnerabilitySeverity.CRITICAL,
    "high": VulnerabilitySeverity.HIGH,
    "medium": VulnerabilitySeverity.MEDIUM,
    "low": VulnerabilitySeverity.LOW,
}
_GENERATED_KINDS = frozenset({"poetry-lock", "uv-lock", "pylock", "pipfile-lock"})


def _purl(name: str, version: str) -> PackageURL:
    return PackageURL(type="pypi", name=name, version=version or None)


def components(repository: Repository) -> tuple[dict[str, Component], set[str]]:
    """(name -> component, names declared directly): each declared distribution once, at its
    pinned version if any (a lock's pin wins over a looser declaration)."""
    best: dict[str, tuple[str, list[str]]] = {}
    direct: set[str] = set()
    rows = (
        Requirement.objects.filter(manifest__repository=repository)
        .select_related("package", "manifest")
        .order_by("package__name", "manifest__path", "line")
    )
    for row in rows:
        name = row.package.name
        version, where = best.get(name, ("", []))
        locked = row.manifest.kind in _GENERATED_KINDS
        if not locked:
            direct.add(name)
        if row.pinned_version and (not version or locked):
            version = row.pinned_version
        best[name] = (version, [*where, f"{row.manifest.path}:{row.line}"])
    found = {}
    for name, (version, where) in sorted(best.items()):
        purl = _purl(name, version)
        found[name] = Component(
            type=ComponentType.LIBRARY,
            name=name,
            version=version or None,
            purl=purl,
            bom_ref=purl.to_string(),
            properties=[Property(name="debtboard:declared-at", value=w) for w in where[:20]],
        )
    return found, direct


def _people_analysis(record: DecisionRecord, ids: set[str]):
    """The latest CycloneDX analysis people made of one of ``ids`` on ``record``, if any.

    Seam: records gain ``analyses`` (advisory id, its aliases, state, justification,
    responses, detail, as CycloneDX values) with the vulnerability-analysis feature; until
    then there are none and the analysis is derived from the decision.
    """
    analyses = getattr(record, "analyses", None)
    if analyses is None or not ids:
        return None
    for analysis in analyses.order_by("-analysed_at", "-id"):
        if ids & ({analysis.advisory_id} | set(analysis.aliases or [])):
            return analysis
    return None


def analysis_of(record: DecisionRecord, ids: set[str] | None = None) -> VulnerabilityAnalysis:
    """What people decided about ``record`` (for the advisory known by ``ids``), in
    CycloneDX's analysis vocabulary: their own analysis of that advisory where they made one,
    else what the decision says."""
    latest = _people_analysis(record, ids or set())
    if latest is not None:
        return VulnerabilityAnalysis(
            state=ImpactAnalysisState(latest.state),
            justification=(
                ImpactAnalysisJustification(latest.justification) if latest.justification else None
            ),
            responses=[ImpactAnalysisResponse(r) for r in latest.responses or []],
            detail=latest.detail or None,
        )
    detail = record.current_purpose or record.risk_if_wrong or None
    if record.state == State.DONE:
        return VulnerabilityAnalysis(state=ImpactAnalysisState.RESOLVED, detail=detail)
    if record.state == State.KEPT and record.suppression in _SUPPRESSION:
        state, response = _SUPPRESSION[record.suppression]
        return VulnerabilityAnalysis(
            state=state, responses=[response] if response else None, detail=detail
        )
    responses = (
        [ImpactAnalysisResponse.UPDATE] if record.next_action == NextAction.UPGRADE else None
    )
    return VulnerabilityAnalysis(
        state=ImpactAnalysisState.IN_TRIAGE, responses=responses, detail=detail
    )


def _advisories(record: DecisionRecord) -> list[dict]:
    audit = (record.last_seen_scan.audit or {}) if record.last_seen_scan_id else {}
    for entry in audit.get("vulnerable", []):
        if isinstance(entry, dict) and entry.get("name") == record.subject:
            return [a for a in entry.get("advisories", []) if isinstance(a, dict) and a.get("id")]
    return []


def _rating(advisory: dict) -> list[VulnerabilityRating]:
    score = advisory.get("score")
    severity = _SEVERITY.get(str(advisory.get("severity", "")).lower())
    if score is None and severity is None:
        return []
    return [
        VulnerabilityRating(
            score=Decimal(str(score)) if isinstance(score, int | float) else None,
            severity=severity,
            method=VulnerabilityScoreSource.CVSS_V3
            if score is not None
            else VulnerabilityScoreSource.OTHER,
            justification=advisory.get("severity_source") or None,
        )
    ]


def _bom(repository: Repository) -> tuple[Bom, dict[str, Component]]:
    bom = Bom()
    bom.metadata.component = Component(
        type=ComponentType.APPLICATION,
        name=repository.name,
        version=repository.last_scanned_commit or None,
        bom_ref=f"repository:{repository.pk}",
    )
    found, direct = components(repository)
    for component in found.values():
        bom.components.add(component)
    # What the repository declares itself; what only a lock names came through those.
    bom.register_dependency(bom.metadata.component, [found[n] for n in sorted(direct)])
    return bom, found


def sbom(repository: Repository) -> str:
    """The repository's SBOM as CycloneDX 1.6 JSON."""
    bom, _ = _bom(repository)
    return JsonV1Dot6(bom).output_as_string(indent=2)


def vex(repository: Repository) -> str:
    """The repository's components and the analysis of every advisory its records name."""
    bom, found = _bom(repository)
    records = (
        DecisionRecord.objects.filter(repository=repository, kind=kinds.VULNERABLE)
        .select_related("last_seen_scan")
        .order_by("subject")
    )
    for record in records:
        component = found.get(record.subject)
        if component is None:  # no longer declared: nothing in this BOM to say it about
            continue
        for advisory in _advisories(record):
            ids = {str(advisory["id"]), *(str(a) for a in advisory.get("aliases", []))}
            analysis = analysis_of(record, ids)
            bom.vulnerabilities.add(
                Vulnerability(
                    bom_ref=f"{advisory['id']}:{component.bom_ref.value}",
                    id=str(advisory["id"]),
                    source=VulnerabilitySource(name="OSV"),
                    description=str(advisory.get("summary") or "") or None,
                    ratings=_rating(advisory),
                    recommendation=(
                        f"Upgrade to {advisory['fixed_in']}" if advisory.get("fixed_in") else None
                    ),
                    analysis=analysis,
                    affects=[BomTarget(ref=component.bom_ref.value)],
                    properties=[
                        Property(name="debtboard:alias", value=str(alias))
                        for alias in advisory.get("aliases", [])
                    ],
                )
            )
    return JsonV1Dot6(bom).output_as_string(indent=2)
