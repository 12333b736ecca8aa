"""None of our own pinned versions has a known advisory in the real PyPA database copy."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.requirements import Requirement

from scanning.advisories import sources
from scanning.advisories.index import AdvisoryIndex
from scanning.advisories.matching import Match

ROOT = Path(__file__).resolve().parent.parent
REAL_DB = ROOT.parent / "shared" / "data" / "pypa-advisory-db"

pytestmark = pytest.mark.skipif(not REAL_DB.is_dir(), reason=f"{REAL_DB} is absent")


def _pins() -> set[tuple[str, str]]:
    pins = set()
    for name in ("base.txt", "dev.txt"):
        for line in (ROOT / "requirements" / name).read_text().splitlines():
            if "==" in line and not line.lstrip().startswith("#"):
                requirement = Requirement(line.split("#", 1)[0].strip())
                pins.add((requirement.name, next(iter(requirement.specifier)).version))
    return pins


def test_no_pin_of_ours_is_known_vulnerable():
    report = sources.ReadReport()
    index = AdvisoryIndex([a for _, a in sources.read_source(REAL_DB / "vulns", report=report)])
    pins = _pins()
    assert len(pins) > 50
    vulnerable = sorted(
        f"{name}=={version}: {match.advisory.id} (fixed in {match.fixed_in})"
        for name, version in pins
        for match in index.match(name, version)
        if match.result is Match.AFFECTED
    )
    assert vulnerable == []
