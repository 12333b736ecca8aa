"""The index's per-segment answers equal a direct evaluation of every advisory."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanning.advisories.index import AdvisoryIndex
from scanning.advisories.osv import AffectedPackage, OsvAdvisory, RangeEvent, VersionRange
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


# Few versions, so that records often name one version twice (as "1.0" and "1.0.0", say).
POOL = ["0", "1.0", "1.0.0", "1.0rc1", "1.0.post1", "1.0+x", "1.5", "2.0", "2.0.dev0", "3", "v-2"]
events = st.lists(
    st.tuples(
        st.sampled_from(["introduced", "fixed", "last_affected", "limit"]), st.sampled_from(POOL)
    )
    | st.just(("introduced", "0"))
    | st.just(("limit", "*")),
    min_size=1,
    max_size=6,
).filter(lambda found: any(kind == "introduced" for kind, _ in found))
entries = st.builds(
    lambda ranges, listed: AffectedPackage(
        name="demo-pkg",
        ranges=tuple(VersionRange(tuple(RangeEvent(k, v) for k, v in r)) for r in ranges),
        versions=tuple(dict.fromkeys(listed)),
    ),
    st.lists(events, max_size=3),
    st.lists(st.sampled_from(POOL), max_size=4),
)
records = st.lists(st.lists(entries, min_size=1, max_size=3), min_size=1, max_size=4)


@settings(max_examples=300, deadline=None)
@given(
    records,
    st.lists(st.sampled_from([*POOL, "0.1", "1.2", "2.5", "99", "1.0+y", "2.0a1"]), min_size=1),
)
def test_segment_answers_equal_direct_evaluation_for_any_records(
    records: list[list[AffectedPackage]], probes: list[str]
) -> None:
    index = AdvisoryIndex(
        OsvAdvisory(id=f"PYSEC-{n}", modified=datetime(2024, 1, 1, tzinfo=UTC), source="t",
                    affected=tuple(found))
        for n, found in enumerate(records)
    )  # fmt: skip

    for probe in probes:
        assert index.match("demo-pkg", probe) == index._match("demo-pkg", probe)


@pytest.mark.parametrize("pin", ["1.0", "2.0", "2.0+patched", "2.0.post1", "2.1"])
def test_a_fixed_version_with_a_local_label_gets_the_direct_answer(pin: str) -> None:
    # Its public part (2.0) is below it, so still affected: it fixes nothing a pin can reach.
    index = AdvisoryIndex([advisory(events=(("introduced", "0"), ("fixed", "2.0+patched")))])

    assert index.match("demo-pkg", pin) == index._match("demo-pkg", pin)


def test_pins_between_the_same_bounds_share_one_answer() -> None:
    index = AdvisoryIndex([advisory(events=(("introduced", "1.0"), ("fixed", "2.0")))])

    first = index.lookup("demo-pkg", "1.2")

    assert index.lookup("Demo_Pkg", "1.9.9") is first
    assert index.lookup("demo-pkg", "2.0") == ()
    assert index.match("demo-pkg", "1.2") == list(first)


@pytest.mark.parametrize(
    ("events", "affected_at_1"),
    [
        ((("introduced", "1.0"), ("fixed", "1.0.0")), False),
        ((("fixed", "1.0.0"), ("introduced", "1.0")), True),
        ((("introduced", "0"), ("last_affected", "1.0"), ("introduced", "1.0.0")), True),
    ],
)
def test_events_at_one_version_apply_in_the_order_the_record_gives(
    events: tuple[tuple[str, str], ...], affected_at_1: bool
) -> None:
    index = AdvisoryIndex([advisory(events=events)])

    assert bool(index.match("demo-pkg", "1.0")) is affected_at_1
    for pin in ("0.9", "1.0", "1.0.post1", "1.1"):
        assert index.match("demo-pkg", pin) == index._match("demo-pkg", pin)
