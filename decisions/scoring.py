"""Starting priority scores for a new candidate, so the triage list opens on what matters.

People adjust the four scores (1-5) on the record; these are only a reasoned first guess.
"""

from __future__ import annotations

from scanning import kinds

# kind -> (impact, confidence): impact of leaving it, confidence the finding is right.
_BY_KIND: dict[str, tuple[int, int]] = {k.value: (k.impact, k.confidence) for k in kinds.KINDS}
# A finding that says how sure it is (from where its package knowledge came) lowers the kind's
# starting confidence when its knowledge is weaker than a package's own metadata.
_CONFIDENCE_DROP = {"high": 0, "medium": 1, "low": 2}
_IMPACT_BY_SEVERITY = {"critical": 5, "high": 4, "medium": 3, "low": 2}


def initial_scores(kind: str, severity: str = "", confidence_level: str = "") -> dict[str, int]:
    impact, confidence = _BY_KIND.get(kind, (3, 3))
    impact = _IMPACT_BY_SEVERITY.get(severity, impact)
    confidence = max(1, confidence - _CONFIDENCE_DROP.get(confidence_level, 0))
    return {"impact": impact, "confidence": confidence}
