"""The index's per-segment answers equal a direct evaluation of every advisory."""

from __future__ import annotations

import pytest

from scanning.advisories.index import AdvisoryIndex
from tests.scanning.advisories.support import advisory, fixture_advisories

TRICKY = [
    "0.9", "1.0", "1.0.0", "1.0rc1", "1.0.dev0", "1.0.post1", "1.0+local", "1.1", "1.5",
    "1.9.9", "2.0", "2.0a1", "2.0.post1", "2.0+ubuntu1", "2.1", "3.0", "3.2.0", "3.2.19",
    "3.2.20", "4.1.10", "4.2", "4.2.3", "99", "not-a-version",
]  # fmt: skip


def _index() -> AdvisoryIndex:
    extra = [
        advisory("PYSEC-A", events=(("introduced", "1.0"), ("last_affected", "1.5"))),
        advisory("PYSEC-B", events=(("introduced", "0"), ("fixed", "2.0"), ("limit", "3.0"))),
        advisory("PYSEC-C", events=(("introduced", "1.0rc1"), ("fixed", "1.0.post1"))),
        advisory("PYSEC-D", events=(("introduced", "0"), ("fixed", "not.pep.440!"))),
    ]
    return AdvisoryIndex([*fixture_advisories(), *extra])


@pytest.mark.parametrize("version", TRICKY)
@pytest.mark.parametrize("name", ["demo-pkg", "django", "jinja2", "requests", "redis"])
def test_segment_answer_equals_direct_evaluation(name: str, version: str) -> None:
    index = _index()
    for other in TRICKY:  # warm the segment cache with neighbours first
        index.match(name, other)

    assert index.match(name, version) == index._match(name, version)


def test_last_affected_is_inclusive_and_fixed_is_exclusive() -> None:
    index = _index()

    assert "PYSEC-A" in {m.advisory.id for m in index.match("demo-pkg", "1.5")}
    assert "PYSEC-A" not in {m.advisory.id for m in index.match("demo-pkg", "1.5.post1")}
    assert "PYSEC-C" not in {m.advisory.id for m in index.match("demo-pkg", "1.0.post1")}
    assert "PYSEC-C" in {m.advisory.id for m in index.match("demo-pkg", "1.0")}
