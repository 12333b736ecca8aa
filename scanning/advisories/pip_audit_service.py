"""The local advisory mirror as a pip-audit ``VulnerabilityService``.

pip-audit's auditor and its fix resolver (``pip_audit._fix.resolve_fix_versions``) then work
offline against our data. A dependency that cannot be checked comes back as a
``SkippedDependency`` with a reason, never as "no vulnerabilities".
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from packaging.version import InvalidVersion, Version
from pip_audit._dependency_source.interface import DependencyFixError, DependencySource
from pip_audit._fix import ResolvedFixVersion
from pip_audit._service.interface import (
    Dependency,
    ResolvedDependency,
    SkippedDependency,
    VulnerabilityID,
    VulnerabilityResult,
    VulnerabilityService,
)

from scanning.advisories.index import AdvisoryIndex, PackageMatch
from scanning.advisories.matching import Match

logger = logging.getLogger(__name__)

NOT_PINNED = "not pinned to one version: cannot be audited"


class MirrorVulnerabilityService(VulnerabilityService):
    """Answers from an ``AdvisoryIndex``.

    ``unavailable_reason`` marks the whole mirror as unusable (never synced, stale): every
    dependency is then skipped with that reason rather than reported clean.
    """

    def __init__(self, index: AdvisoryIndex, *, unavailable_reason: str | None = None) -> None:
        self.index = index
        self.unavailable_reason = unavailable_reason

    def query(self, spec: Dependency) -> tuple[Dependency, list[VulnerabilityResult]]:
        if not isinstance(spec, ResolvedDependency):
            return spec, []  # already skipped upstream, with its own reason
        if self.unavailable_reason:
            return SkippedDependency(spec.name, self.unavailable_reason), []
        matches = self.index.match(spec.canonical_name, str(spec.version))
        hits = [m for m in matches if m.result is Match.AFFECTED]
        unknown = sorted(m.advisory.id for m in matches if m.result is Match.UNKNOWN)
        if not hits and unknown:
            reason = f"advisories {', '.join(unknown)} have ranges that are not PEP 440"
            return SkippedDependency(spec.name, reason), []
        if unknown:
            logger.warning(
                "advisories not evaluated package=%s version=%s advisories=%s",
                spec.canonical_name,
                spec.version,
                ",".join(unknown),
            )
        return spec, [_result(match) for match in hits]


class PinnedDependencySource(DependencySource):
    """Feeds ``(name, pinned version or None)`` pairs to pip-audit's ``Auditor``."""

    def __init__(self, pins: Iterable[tuple[str, str | None]]) -> None:
        self.pins = list(pins)

    def collect(self) -> Iterator[Dependency]:
        for name, version in self.pins:
            yield dependency_for(name, version)

    def fix(self, fix_version: ResolvedFixVersion) -> None:
        raise DependencyFixError("Debtboard proposes fixes; it does not rewrite manifests")


def dependency_for(name: str, version: str | None) -> Dependency:
    """A resolved dependency for an exact pin; a skipped one, with the reason, otherwise."""
    if not version or not version.strip():
        return SkippedDependency(name, NOT_PINNED)
    try:
        return ResolvedDependency(name, Version(version.strip()))
    except InvalidVersion:
        return SkippedDependency(name, f"version {version!r} is not PEP 440: cannot be audited")


def _result(match: PackageMatch) -> VulnerabilityResult:
    advisory = match.advisory
    description = advisory.summary or advisory.details or "N/A"
    fix_versions = sorted({Version(v) for v in match.fix_versions if _is_pep440(v)})
    return VulnerabilityResult.create(
        ids=[VulnerabilityID(i) for i in (advisory.id, *advisory.aliases)],
        description=" ".join(description.split()),
        fix_versions=fix_versions,
        published=advisory.published,
    )


def _is_pep440(text: str) -> bool:
    try:
        Version(text)
    except InvalidVersion:
        return False
    return True
