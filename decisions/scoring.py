"""Starting priority scores for a new candidate, so the triage list opens on what matters.

People adjust the four scores (1-5) on the record; these are only a reasoned first guess.
"""

from __future__ import annotations

# kind -> (impact, confidence): impact of leaving it, confidence the finding is right.
_BY_KIND: dict[str, tuple[int, int]] = {
    "vulnerable": (4, 4),
    "missing": (4, 4),
    "typosquat": (5, 2),
    "license": (4, 3),
    "transitive": (3, 4),
    "misplaced-dev": (3, 4),
    "dev-in-prod": (3, 5),
    "unused": (3, 3),
    "weight-file": (3, 4),
    "no-lock": (3, 5),
    "unpinned": (2, 5),
    # Storage cost only, and "no reference found" misses loaders that build keys at run time.
    "artifact-version": (2, 3),
}
_IMPACT_BY_SEVERITY = {"critical": 5, "high": 4, "medium": 3, "low": 2}


def initial_scores(kind: str, severity: str = "") -> dict[str, int]:
    impact, confidence = _BY_KIND.get(kind, (3, 3))
    impact = _IMPACT_BY_SEVERITY.get(severity, impact)
    return {"impact": impact, "confidence": confidence}
