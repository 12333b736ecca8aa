from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from scanning.advisories.index import AdvisoryIndex
from scanning.advisories.matching import Match
from tests.scanning.advisories.support import advisory


def test_match_reports_affected_advisories_with_the_fix(fixture_index: AdvisoryIndex) -> None:
    (match,) = fixture_index.match("Requests", "2.30.0")

    assert match.advisory.id == "PYSEC-2023-74"
    assert match.result is Match.AFFECTED
    assert match.fixed_in == "2.31.0"
    assert fixture_index.match("requests", "2.31.0") == []


def test_withdrawn_advisories_never_match(fixture_index: AdvisoryIndex) -> None:
    assert fixture_index.advisories_for("redis") == []
    assert fixture_index.match("redis", "4.5.5") == []


def test_a_ghsa_record_with_one_entry_per_range_matches_once(fixture_index: AdvisoryIndex) -> None:
    matches = {m.advisory.id: m for m in fixture_index.match("django", "4.0.5")}

    assert set(matches) == {"PYSEC-2023-100", "GHSA-jh3w-4vvf-mjgr"}
    assert matches["GHSA-jh3w-4vvf-mjgr"].fixed_in == "4.1.10"
    assert matches["GHSA-jh3w-4vvf-mjgr"].fix_versions == ("3.2.20", "4.1.10", "4.2.3")


def test_newer_record_replaces_older_and_a_late_withdrawal_removes_it() -> None:
    index = AdvisoryIndex([advisory()])
    newer = advisory(events=(("introduced", "0"), ("fixed", "3.0")), modified=datetime.now(UTC))
    index.add(newer)
    index.add(advisory())  # an older copy arriving late changes nothing

    assert index.match("demo-pkg", "2.5")[0].fixed_in == "3.0"
    assert len(index) == 1

    index.add(dataclasses.replace(newer, withdrawn=newer.modified, modified=datetime.now(UTC)))

    assert index.match("demo-pkg", "2.5") == []
    assert len(index) == 0


def test_unknown_is_reported_not_dropped() -> None:
    index = AdvisoryIndex([advisory(events=(("introduced", "0"), ("fixed", "release-2")))])

    (match,) = index.match("demo-pkg", "1.0")

    assert match.result is Match.UNKNOWN
    assert match.fixed_in is None
