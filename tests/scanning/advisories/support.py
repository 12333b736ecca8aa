from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from scanning.advisories import sources
from scanning.advisories.osv import AffectedPackage, OsvAdvisory, RangeEvent, VersionRange

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "advisories"
PYPA_FIXTURE = FIXTURES / "pypa"
OSV_FIXTURE = FIXTURES / "osv"


def fixture_advisories() -> list[OsvAdvisory]:
    """Every advisory in the fixture trees (YAML and JSON alike)."""
    report = sources.ReadReport()
    found = [advisory for _, advisory in sources.read_directory(FIXTURES, report=report)]
    assert report.errors == []
    return found


def advisory(
    advisory_id: str = "PYSEC-1",
    *,
    events: tuple[tuple[str, str], ...] = (("introduced", "0"), ("fixed", "2.0")),
    modified: datetime = datetime(2024, 1, 1, tzinfo=UTC),
    withdrawn: datetime | None = None,
) -> OsvAdvisory:
    """A one-range advisory for the package ``demo-pkg``."""
    entry = AffectedPackage(
        name="demo-pkg", ranges=(VersionRange(tuple(RangeEvent(k, v) for k, v in events)),)
    )
    return OsvAdvisory(
        id=advisory_id, modified=modified, source="t", withdrawn=withdrawn, affected=(entry,)
    )
