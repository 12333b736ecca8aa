from __future__ import annotations

from pathlib import Path

from scanning.advisories import sources
from scanning.advisories.osv import OsvAdvisory

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "advisories"
PYPA_FIXTURE = FIXTURES / "pypa"
OSV_FIXTURE = FIXTURES / "osv"


def fixture_advisories() -> list[OsvAdvisory]:
    """Every advisory in the fixture trees (YAML and JSON alike)."""
    report = sources.ReadReport()
    found = [advisory for _, advisory in sources.read_directory(FIXTURES, report=report)]
    assert report.errors == []
    return found
