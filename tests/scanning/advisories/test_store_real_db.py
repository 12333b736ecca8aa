"""Integration: the real PyPA database synced into the test database (skipped where absent)."""

from __future__ import annotations

import pytest

from scanning.advisories import store
from scanning.rules.vulnerable import vulnerability_findings
from scanning.types import Declaration
from tests.scanning.advisories.test_real_db import REAL_DB

pytestmark = [
    pytest.mark.skipif(not REAL_DB.is_dir(), reason=f"{REAL_DB} is absent"),
    pytest.mark.django_db,
]


def _pin(name: str, version: str, line: int) -> Declaration:
    return Declaration(
        "requirements.txt",
        line,
        name,
        f"{name}=={version}",
        pinned_version=version,
        pin_level="exact",
    )


def test_old_django_and_requests_pins_are_found_after_syncing_the_real_database() -> None:
    sync = store.advisories_sync(source=str(REAL_DB))
    assert sync.malformed == 0
    assert sync.created > 2_600

    declarations = [
        _pin("django", "3.2.0", 1),
        _pin("requests", "2.25.0", 2),
        _pin("requests", "2.32.3", 3),
    ]
    index = store.index_from_database(names={d.name for d in declarations})
    findings, audit = vulnerability_findings(declarations, index)

    by_name = {v["name"]: v for v in audit["vulnerable"]}
    django_ids = {a["id"]: a for a in by_name["django"]["advisories"]}
    assert len(django_ids) >= 20
    assert django_ids["PYSEC-2021-7"]["fixed_in"] == "3.2.1"
    assert "CVE-2021-31542" in django_ids["PYSEC-2021-7"]["aliases"]
    assert "PYSEC-2023-74" in {a["id"] for a in by_name["requests"]["advisories"]}
    assert by_name["requests"]["versions"] == ["2.25.0"]
    assert by_name["requests"]["fixed_in"] == "2.31.0"
    assert {f.subject for f in findings} == {"django", "requests"}

    again = store.advisories_sync(source=str(REAL_DB))
    assert (again.created, again.updated) == (0, 0)
