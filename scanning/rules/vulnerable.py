"""Pinned versions against the advisory mirror: ``vulnerable`` findings and the audit gate.

Nothing is ever reported clean that was not checked: an unpinned requirement, a version that
is not PEP 440, an advisory whose ranges cannot be evaluated, a mirror that was never synced,
or a live service that skipped or could not answer a pin all land in ``not_audited`` with the
reason, and make the gate "unknown".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from operator import attrgetter
from typing import Any, Protocol

from scanning.advisories import cvss
from scanning.advisories.index import PackageMatch
from scanning.advisories.matching import Match
from scanning.advisories.osv import version_sort_key
from scanning.advisories.versions import public_key
from scanning.engine.gc_pause import collector_paused
from scanning.rules import kinds
from scanning.types import EXACT, LOCKED, Declaration, Finding

VULNERABLE = kinds.VULNERABLE
GATE_OK = "pass"
GATE_FAIL = "fail"
GATE_UNKNOWN = "unknown"
GATE_SCORE = 7.0  # the seed's quality gate: any finding with CVSS >= 7 fails the repository
NOT_PINNED = "not pinned"
# What an advisory with neither a CVSS score nor a severity level means for the gate
# (DEBTBOARD_UNSCORED_ADVISORY_POLICY). There is deliberately no policy that lets it pass.
NEEDS_ANALYSIS = "needs analysis"  # the gate is unknown until someone scores it
UNSCORED_FAIL = "fail"  # it counts as failing, like a CVSS >= 7 one
UNSCORED_POLICIES = (NEEDS_ANALYSIS, UNSCORED_FAIL)
# The lowest CVSS score of each level (GitHub's levels are CVSS v3 ranges).
_LEVEL_FLOOR = {cvss.CRITICAL: 9.0, cvss.HIGH: 7.0, cvss.MEDIUM: 4.0, cvss.LOW: 0.1}
MAX_LISTED = 1000
_PINNED = (EXACT, LOCKED)
_RECORD_SEVERITIES = (cvss.CRITICAL, cvss.HIGH, cvss.MEDIUM, cvss.LOW)
# Enum members as module constants: looking them up on the class is slow on Python 3.11,
# and this rule does it for every advisory of every pin.
_AFFECTED = Match.AFFECTED
_UNKNOWN = Match.UNKNOWN
_in_file_order = attrgetter("path", "line", "name")
Hits = tuple[PackageMatch, ...]  # the advisories that affect one pin


class AdvisoryLookup(Protocol):
    """What the rule asks: an ``AdvisoryIndex`` over the mirror, or a live service."""

    unavailable_reason: str | None  # nothing can be audited, and why

    def lookup(self, name: str, version: str) -> tuple[PackageMatch, ...] | str:
        """The advisories about this pin, or why it could not be audited."""
        ...


@collector_paused()
def vulnerability_findings(
    declarations: Iterable[Declaration],
    index: AdvisoryLookup,
    *,
    unread_manifests: Mapping[str, str] | None = None,
    unscored_policy: str = NEEDS_ANALYSIS,
    cvss_threshold: float = GATE_SCORE,
) -> tuple[list[Finding], dict[str, Any]]:
    """One ``vulnerable`` finding per affected package, and the run's audit summary.

    A name pinned anywhere (a lock file, say) counts as audited through that pin, so its
    looser declarations elsewhere are not listed as unaudited. ``unread_manifests`` (path ->
    why) are manifests the scan could not read: what they declare was not audited.
    ``unscored_policy`` says what an advisory without any severity does to the gate, and
    ``cvss_threshold`` (the organisation's gate policy) from which score it fails.
    """
    unread_manifests = dict(unread_manifests or {})
    declared = sorted((d for d in declarations if d.name), key=_in_file_order)
    pinned = [_is_pinned(d) for d in declared]
    pinned_names = {d.name for d, is_pinned in zip(declared, pinned, strict=True) if is_pinned}
    not_audited: list[dict[str, Any]] = []
    pins_by_name: dict[str, list[tuple[Declaration, Hits]]] = {}
    # Pins of one release series mostly get the very same answer object from the index:
    # read each answer once (kept here too, so no id is reused while this runs).
    verdicts: dict[int, tuple[tuple[PackageMatch, ...] | str, Hits, str | None]] = {}
    audited = 0
    for declaration, is_pinned in zip(declared, pinned, strict=True):
        reason = _unaudited_reason(declaration, is_pinned, index, pinned_names)
        if reason is None:
            matches = index.lookup(declaration.name, declaration.pinned_version)
            verdict = verdicts.get(id(matches))
            if verdict is None:
                verdict = verdicts[id(matches)] = (matches, *_verdict(matches))
            _, hits, reason = verdict
            if hits:
                pins_by_name.setdefault(declaration.name, []).append((declaration, hits))
        if reason == "":
            continue  # covered by a pin elsewhere
        if reason is not None:
            not_audited.append(_location(declaration) | {"reason": reason})
            continue
        audited += 1
    vulnerable = [
        _package_summary(name, pins, index) for name, pins in sorted(pins_by_name.items())
    ]
    findings = [_finding(summary, pins_by_name[summary["name"]]) for summary in vulnerable]
    gate, reasons = decide_gate(
        vulnerable=vulnerable,
        not_audited_count=len(not_audited),
        unavailable=index.unavailable_reason,
        unread_manifests=unread_manifests,
        unscored_policy=unscored_policy,
        cvss_threshold=cvss_threshold,
    )
    audit = {
        "gate": gate,
        "gate_reasons": reasons,
        "unread_manifests": [
            {"path": path, "reason": why} for path, why in sorted(unread_manifests.items())
        ],
        "mirror_unavailable": index.unavailable_reason or "",
        "audited": audited,
        "not_audited_count": len(not_audited),
        "not_audited": not_audited[:MAX_LISTED],
        "vulnerable": vulnerable,
    }
    return findings, audit


def _is_pinned(declaration: Declaration) -> bool:
    return declaration.pin_level in _PINNED and bool(declaration.pinned_version.strip())


def _unaudited_reason(
    declaration: Declaration, is_pinned: bool, index: AdvisoryLookup, pinned_names: set[str]
) -> str | None:
    """Why this declaration cannot be audited; "" when another pin covers it; None if it can."""
    if not is_pinned:
        if declaration.name in pinned_names:
            return ""
        return f"{NOT_PINNED} (direct reference)" if declaration.url else NOT_PINNED
    if index.unavailable_reason:
        return index.unavailable_reason
    if public_key(declaration.pinned_version) is None:
        return f"version {declaration.pinned_version!r} is not PEP 440"
    return None


def _verdict(matches: tuple[PackageMatch, ...] | str) -> tuple[Hits, str | None]:
    """The advisories that affect a pin, or why it could not be audited."""
    if isinstance(matches, str):
        return (), matches
    hits = tuple(m for m in matches if m.result is _AFFECTED)
    if hits or not matches:
        return hits, None
    unknown = sorted(m.advisory.id for m in matches if m.result is _UNKNOWN)
    return hits, f"advisories {', '.join(unknown)} have ranges that are not PEP 440"


def _location(declaration: Declaration) -> dict[str, Any]:
    return {"name": declaration.name, "path": declaration.path, "line": declaration.line}


def _package_summary(
    name: str, pins: list[tuple[Declaration, Hits]], index: AdvisoryLookup
) -> dict[str, Any]:
    # Pins between the same advisory bounds share their hits: look at each match once.
    shared = {id(hits): hits for _, hits in pins}.values()
    distinct = list({id(hit): hit for hits in shared for hit in hits}.values())
    advisories: dict[str, dict[str, Any]] = {}
    for hit in distinct:
        known = advisories.get(hit.advisory.id)
        if known is None:
            advisories[hit.advisory.id] = _advisory_summary(hit)
        elif hit.fixed_in and (
            not known["fixed_in"]
            or version_sort_key(hit.fixed_in) > version_sort_key(known["fixed_in"])
        ):
            known["fixed_in"] = hit.fixed_in  # the fix that covers every pinned version
    ordered = sorted(
        advisories.values(),
        key=lambda a: (-(a["score"] or -1.0), -cvss.rank(a["severity"]), a["id"]),
    )
    scores = [a["score"] for a in ordered if a["score"] is not None]
    score = max(scores, default=None)
    versions = sorted({d.pinned_version for d, _ in pins}, key=version_sort_key)
    return {
        "name": name,
        "versions": versions,
        "locations": [f"{d.path}:{d.line}" if d.line else d.path for d, _ in pins],
        "score": score,
        "severity": cvss.highest(a["severity"] for a in ordered),
        "unscored": sum(1 for a in ordered if a["severity"] == cvss.UNKNOWN),
        "fixed_in": _lowest_safe_version(name, versions, distinct, index),
        "advisories": ordered,
    }


def _advisory_summary(hit: PackageMatch) -> dict[str, Any]:
    advisory = hit.advisory
    return {
        "id": advisory.id,
        "aliases": list(advisory.aliases),
        "severity": advisory.severity_label,
        "severity_source": advisory.severity_source,  # "CVSS 9.8", "GHSA HIGH" or ""
        "score": advisory.base_score,
        "fixed_in": hit.fixed_in or "",
        "summary": advisory.summary,
    }


def _lowest_safe_version(
    name: str, versions: list[str], hits: list[PackageMatch], index: AdvisoryLookup
) -> str:
    """The lowest fixed version above every vulnerable pin that no known advisory affects."""
    highest = public_key(versions[-1])
    if highest is None:
        return ""
    candidates = {v for hit in hits for v in hit.fix_versions}
    above = [v for v in candidates if (key := public_key(v)) is not None and key > highest]
    for candidate in sorted(above, key=version_sort_key):
        answer = index.lookup(name, candidate)
        if not isinstance(answer, str) and not any(m.result is _AFFECTED for m in answer):
            return candidate
    return ""


def _finding(summary: dict[str, Any], pins: list[tuple[Declaration, Hits]]) -> Finding:
    ids = [
        f"{a['id']} ({', '.join(a['aliases'])})" if a["aliases"] else a["id"]
        for a in summary["advisories"]
    ]
    pinned = ", ".join(
        f"{version} ({location})"
        for version, location in zip(
            [d.pinned_version for d, _ in pins], summary["locations"], strict=True
        )
    )
    score = summary["score"]
    if score is not None:
        severity = f"{summary['severity']} (CVSS {score:.1f})"
    elif summary["severity"] != cvss.UNKNOWN:
        top = next(a for a in summary["advisories"] if a["severity"] == summary["severity"])
        severity = f"{summary['severity']} ({top['severity_source']})"
    else:
        severity = "unscored"
    fix = f"upgrade to {summary['fixed_in']}" if summary["fixed_in"] else "no fixed version known"
    count = len(ids)
    text = (
        f"{summary['name']} {pinned}: {count} advisor{'y' if count == 1 else 'ies'}, "
        f"highest {severity}; {fix}. {'; '.join(ids)}"
    )
    label = summary["severity"]
    return Finding(
        kind=VULNERABLE,
        subject=summary["name"],
        summary=text,
        evidence=tuple(d for d, _ in pins),
        severity=label if label in _RECORD_SEVERITIES else "",
    )


def _reaches(summary: dict[str, Any], threshold: float) -> bool:
    """Whether a package's highest score, or its highest level's floor, reaches ``threshold``."""
    scores = [s for s in (summary["score"], _LEVEL_FLOOR.get(summary["severity"])) if s is not None]
    return bool(scores) and max(scores) >= threshold


def decide_gate(
    *,
    vulnerable: list[dict[str, Any]],
    not_audited_count: int,
    unavailable: str | None,
    unread_manifests: Mapping[str, str],
    unscored_policy: str = NEEDS_ANALYSIS,
    cvss_threshold: float = GATE_SCORE,
) -> tuple[str, list[str]]:
    """The vulnerability gate of one audit and its reasons: the only place it is decided.

    "fail" when a pinned version has an advisory scored at or above ``cvss_threshold``
    (``GATE_SCORE`` unless the organisation's policy says otherwise; a GitHub level counts as
    the lowest score of its CVSS range, so HIGH fails at 7), or one without any
    severity under the "fail" policy; else "unknown" while anything was not checked (no
    usable advisory data, unaudited pins, an unreadable manifest, advisories without a
    severity under "needs analysis"); "pass" only when everything was.
    """
    if unscored_policy not in UNSCORED_POLICIES:
        raise ValueError(f"unknown policy for unscored advisories: {unscored_policy!r}")
    unscored = [v["name"] for v in vulnerable if v["unscored"]]
    failing = [v["name"] for v in vulnerable if _reaches(v, cvss_threshold)]
    if failing or (unscored and unscored_policy == UNSCORED_FAIL):
        reasons = []
        if failing:
            reasons.append(f"CVSS ≥ {cvss_threshold:g} (or rated so): {', '.join(failing)}")
        if unscored and unscored_policy == UNSCORED_FAIL:
            reasons.append(f"advisories without a score (policy: fail): {', '.join(unscored)}")
        return GATE_FAIL, reasons
    reasons = []
    if unavailable:
        reasons.append(f"advisory mirror unusable: {unavailable}")
    reasons += [f"{path} could not be read ({why})" for path, why in unread_manifests.items()]
    if not_audited_count:
        reasons.append(f"{not_audited_count} requirement(s) not audited")
    if unscored:
        # An advisory without a severity might be critical: it cannot let the gate pass.
        reasons.append(f"advisories without a score ({NEEDS_ANALYSIS}): {', '.join(unscored)}")
    return (GATE_UNKNOWN, reasons) if reasons else (GATE_OK, [])
