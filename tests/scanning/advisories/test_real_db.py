"""Integration: the real PyPA advisory database copy in shared/ (skipped where absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from packaging.version import Version
from pip_audit._service.interface import ResolvedDependency

from scanning.advisories import sources
from scanning.advisories.index import AdvisoryIndex
from scanning.advisories.matching import Match
from scanning.advisories.pip_audit_service import MirrorVulnerabilityService

# Beside the repository in CI; a worktree elsewhere names it with DEBTBOARD_PYPA_ADVISORY_DB.
REAL_DB = Path(
    os.environ.get("DEBTBOARD_PYPA_ADVISORY_DB")
    or Path(__file__).resolve().parents[4] / "shared" / "data" / "pypa-advisory-db"
)

pytestmark = pytest.mark.skipif(not REAL_DB.is_dir(), reason=f"{REAL_DB} is absent")


@pytest.fixture(scope="module")
def real_db() -> tuple[AdvisoryIndex, sources.ReadReport, int]:
    report = sources.ReadReport()
    advisories = [a for _, a in sources.read_source(REAL_DB / "vulns", report=report)]
    return AdvisoryIndex(advisories), report, len(advisories)


def test_every_record_of_the_real_database_is_read_or_reported(real_db) -> None:
    index, report, parsed = real_db

    assert report.records_seen > 2_600
    assert parsed + len(report.errors) + report.not_pypi == report.records_seen
    assert [str(e) for e in report.errors] == []
    assert len(index) > 2_600


def test_old_django_pin_is_affected_by_many_advisories_with_their_fixes(real_db) -> None:
    index, _, _ = real_db

    matches = {m.advisory.id: m for m in index.match("Django", "3.2.0")}

    assert len(matches) >= 20
    assert all(m.result is Match.AFFECTED for m in matches.values())
    assert matches["PYSEC-2021-7"].fixed_in == "3.2.1"  # CVE-2021-31542
    assert "CVE-2021-31542" in matches["PYSEC-2021-7"].advisory.aliases
    assert matches["PYSEC-2023-100"].fixed_in == "3.2.20"  # unsorted ranges in the record


def test_old_requests_pin_is_found_through_pip_audit_service(real_db) -> None:
    index, _, _ = real_db

    _, results = MirrorVulnerabilityService(index).query(
        ResolvedDependency("requests", Version("2.25.0"))
    )

    by_id = {r.id: r for r in results}
    assert "PYSEC-2023-74" in by_id
    assert Version("2.31.0") in by_id["PYSEC-2023-74"].fix_versions


def test_current_releases_of_the_same_packages_are_clean(real_db) -> None:
    index, _, _ = real_db

    assert index.match("django", "5.1.2") == []
    assert index.match("requests", "2.32.3") == []
