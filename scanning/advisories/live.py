"""pip-audit's live OSV or PyPI service, answering the vulnerable rule instead of the mirror.

A repository opts in (``Repository.vulnerability_service``) and the installation allows it
(``DEBTBOARD_ALLOW_LIVE_VULNERABILITY_SERVICES``). Every pin the service does not vouch for is
"not audited" with the reason, never clean: a skipped dependency (pip-audit's PyPI service
skips a version its per-version API does not know, and its command line then still says "No
known vulnerabilities found"), an error answer, or a service that cannot be reached. After the
first connection failure the rest of the run is not sent out again: one timeout, not one per pin.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from scanning.advisories.index import AFFECTED, PackageMatch
from scanning.advisories.osv import OsvAdvisory, Severity

if TYPE_CHECKING:
    from pip_audit._service import VulnerabilityResult, VulnerabilityService

# pip-audit's service package is imported only when a live service is used: importing it
# loads its HTTP stack and runs ``pip --version`` (half a second), and every Django process
# imports this module through the admin.

logger = logging.getLogger(__name__)

OSV = "osv"
PYPI = "pypi"
LABELS = {OSV: "the OSV service", PYPI: "the PyPI service"}
_NO_DATE = datetime(1970, 1, 1, tzinfo=UTC)


def live_service(kind: str, *, timeout: float, cache_dir: Path) -> VulnerabilityService:
    """pip-audit's own service for ``kind``, with a timeout on every request.

    An explicit cache folder also keeps pip-audit from running ``pip cache dir`` to find one.
    """
    if kind not in LABELS:
        raise ValueError(f"no live vulnerability service {kind!r}")
    from pip_audit._service import OsvService, PyPIService

    service = OsvService if kind == OSV else PyPIService
    return service(cache_dir=cache_dir, timeout=timeout)  # type: ignore[arg-type]


class LiveLookup:
    """Answers ``lookup(name, version)`` by asking a pip-audit service, once per pin.

    An answer is the advisories that affect the pin (``PackageMatch``, as the mirror gives
    them) or, as a string, why the pin could not be audited. ``severities`` maps advisory
    ids and aliases to the CVSS vectors the mirror knows: the live services return none, and
    an unscored advisory keeps the gate from passing.
    """

    unavailable_reason: str | None = None  # per pin instead: see ``lookup``

    def __init__(
        self,
        service: VulnerabilityService,
        *,
        label: str,
        severities: Mapping[str, tuple[Severity, ...]] | None = None,
    ) -> None:
        self.service = service
        self.label = label
        self.severities = severities or {}
        self.queries = 0
        self._answers: dict[tuple[str, str], tuple[PackageMatch, ...] | str] = {}
        self._down: str | None = None

    def lookup(self, name: str, version: str) -> tuple[PackageMatch, ...] | str:
        key = (canonicalize_name(name), version.strip())
        found = self._answers.get(key)
        if found is None:
            found = self._answers[key] = self._ask(name, version)
        return found

    def _ask(self, name: str, version: str) -> tuple[PackageMatch, ...] | str:
        from pip_audit._service import ConnectionError as ServiceConnectionError
        from pip_audit._service import ServiceError

        from scanning.advisories.pip_audit_service import dependency_for

        if self._down is not None:
            return self._down
        dependency = dependency_for(name, version)
        if dependency.is_skipped():
            return dependency.skip_reason  # type: ignore[attr-defined]
        self.queries += 1
        try:
            answered, results = self.service.query(dependency)
        except (ServiceConnectionError, OSError) as exc:
            # requests' errors are OSErrors; pip-audit turns only a connect timeout into its own.
            self._down = f"{self.label} could not be reached: {_describe(exc)}"
            logger.warning("live vulnerability service down service=%s error=%s", self.label, exc)
            return self._down
        except (ServiceError, ValueError, KeyError, TypeError) as exc:
            return f"{self.label} gave no usable answer: {_describe(exc)}"
        if answered.is_skipped():
            return f"{self.label} skipped it: {answered.skip_reason}"  # type: ignore[attr-defined]
        pinned = dependency.version  # type: ignore[attr-defined]
        return tuple(self._match(result, pinned) for result in results)

    def _match(self, result: VulnerabilityResult, pinned: object) -> PackageMatch:
        aliases = tuple(sorted(result.aliases))
        severity = next(
            (self.severities[i] for i in (result.id, *aliases) if i in self.severities), ()
        )
        fixes = sorted(result.fix_versions)
        above = [fix for fix in fixes if fix > pinned]  # type: ignore[operator]
        advisory = OsvAdvisory(
            id=result.id,
            modified=_aware(result.published) or _NO_DATE,
            source=self.label,
            aliases=aliases,
            summary=" ".join(result.description.split())[:300],
            published=_aware(result.published),
            severity=severity,
        )
        return PackageMatch(
            advisory,
            AFFECTED,
            fixed_in=str(above[0]) if above else None,
            fix_versions=tuple(str(fix) for fix in fixes),
        )


def _aware(moment: datetime | None) -> datetime | None:
    # pip-audit parses OSV timestamps without their zone; they are UTC.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _describe(exc: BaseException) -> str:
    text = str(exc) or str(exc.__cause__ or "") or type(exc).__name__
    return text.splitlines()[0][:200]
