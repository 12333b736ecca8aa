"""CVSS base scores and severity labels, computed with Red Hat's ``cvss`` library."""

from __future__ import annotations

CRITICAL = "critical"
HIGH = "high"
MEDIUM = "medium"
LOW = "low"
NONE = "none"
UNKNOWN = "unknown"
LABELS = (CRITICAL, HIGH, MEDIUM, LOW, NONE, UNKNOWN)
# Highest first; UNKNOWN (nothing to go by) ranks below every known label.
_RANK = {CRITICAL: 5, HIGH: 4, MEDIUM: 3, LOW: 2, NONE: 1, UNKNOWN: 0}
# A severity given as a word instead of a vector: GitHub's ``database_specific.severity``.
LABEL_KIND = "LABEL"
# GitHub's advisory levels are defined on the CVSS ranges (low 0.1-3.9, moderate 4.0-6.9,
# high 7.0-8.9, critical 9.0-10.0): https://docs.github.com/en/code-security/security-advisories
_WORDS = {"LOW": LOW, "MODERATE": MEDIUM, "MEDIUM": MEDIUM, "HIGH": HIGH, "CRITICAL": CRITICAL}


def base_score(vector: str) -> float | None:
    """Return the base score of a CVSS v2, v3.x or v4.0 vector, or ``None`` if it is invalid.

    Vectors come from untrusted advisory files, so this never raises.
    """
    if not isinstance(vector, str) or not vector.strip():
        return None
    vector = vector.strip()
    from cvss import CVSS2, CVSS3, CVSS4  # only when a vector is scored: most scans score none

    try:
        if vector.startswith("CVSS:4."):
            score = CVSS4(vector).base_score
        elif vector.startswith("CVSS:3."):
            score = CVSS3(vector).base_score
        elif vector.startswith("CVSS:"):
            return None
        else:
            score = CVSS2(vector).base_score  # v2 vectors carry no prefix
    except Exception:  # third-party parser: any failure just means "no score"
        return None
    return float(score)


def kind_of(vector: str) -> str:
    """The OSV severity type of a vector: ``CVSS_V4``, ``CVSS_V3`` or ``CVSS_V2``."""
    if vector.startswith("CVSS:4."):
        return "CVSS_V4"
    return "CVSS_V3" if vector.startswith("CVSS:3.") else "CVSS_V2"


def word_label(word: object) -> str:
    """The label of a severity word (``HIGH``, ``MODERATE``...); UNKNOWN for any other."""
    return _WORDS.get(word.strip().upper(), UNKNOWN) if isinstance(word, str) else UNKNOWN


def label_of(kind: str, vector: str, score: float | None) -> str:
    """The label of one stored severity: from its score, or its word for LABEL_KIND."""
    return word_label(vector) if kind == LABEL_KIND else severity_label(score)


def rank(label: str) -> int:
    return _RANK.get(label, 0)


def highest(labels: object) -> str:
    """The most severe of ``labels`` (UNKNOWN when there is none known)."""
    return max(labels, key=lambda label: _RANK.get(label, 0), default=UNKNOWN)


def severity_label(score: float | None) -> str:
    if score is None:
        return UNKNOWN
    if score >= 9.0:
        return CRITICAL
    if score >= 7.0:
        return HIGH
    if score >= 4.0:
        return MEDIUM
    if score > 0.0:
        return LOW
    return NONE
