from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from packaging.version import Version

from scanning.advisories.matching import Match, affected, lowest_fixed_above
from scanning.advisories.osv import AffectedPackage, RangeEvent, VersionRange

A, N, U = Match.AFFECTED, Match.NOT_AFFECTED, Match.UNKNOWN


def entry(*ranges: list[tuple[str, str]], versions: tuple[str, ...] = ()) -> AffectedPackage:
    return AffectedPackage(
        name="pkg",
        ranges=tuple(VersionRange(tuple(RangeEvent(k, v) for k, v in r)) for r in ranges),
        versions=versions,
    )


BEFORE_2_31 = entry([("introduced", "2.3.0"), ("fixed", "2.31.0")])
# Django's PYSEC-2023-100 lists its three ranges newest first.
DJANGO_UNSORTED = entry(
    [
        ("introduced", "4.2"),
        ("fixed", "4.2.3"),
        ("introduced", "4.0"),
        ("fixed", "4.1.10"),
        ("introduced", "3.2"),
        ("fixed", "3.2.20"),
    ]
)


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("2.2.1", N),
        ("2.3.0", A),  # introduced is inclusive
        ("2.30.0", A),
        ("2.31.0", N),  # fixed is exclusive
        ("2.32.3", N),
        ("2.3.0b1", N),  # a pre-release sorts before the release that introduced the bug
        ("2.31.0rc1", A),  # ... and before the release that fixed it
        ("2.31.0.dev0", A),
        ("2.30.0.post1", A),
        ("2.31.0.post1", N),
        ("2.30.0+ubuntu1", A),  # local builds are judged by their public version
        ("2.31.0+ubuntu1", N),
        ("1!1.0", N),  # an epoch outranks every release without one
        ("v2.30.0", A),  # PEP 440 allows the "v" prefix
    ],
)
def test_introduced_and_fixed_bounds(version: str, expected: Match) -> None:
    assert affected(version, BEFORE_2_31) is expected


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("0.0.1", A),
        ("0.1.dev0", A),
        ("1.11.0", A),
        ("1.11.0+deb1", A),  # a local build of the last affected release is affected too
        ("1.11.0.post1", N),
        ("1.11.1", N),
    ],
)
def test_last_affected_is_inclusive(version: str, expected: Match) -> None:
    through_1_11 = entry([("introduced", "0"), ("last_affected", "1.11.0")])

    assert affected(version, through_1_11) is expected


@pytest.mark.parametrize("version", ["0", "0.0.0a1", "1.0", "99!1.0"])
def test_introduced_zero_without_fix_affects_every_version(version: str) -> None:
    assert affected(version, entry([("introduced", "0")])) is A


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("3.1.14", N),
        ("3.2", A),
        ("3.2.19", A),
        ("3.2.20", N),
        ("3.2.25", N),
        ("4.0", A),
        ("4.1.9", A),
        ("4.1.10", N),
        ("4.2.0", A),
        ("4.2.2", A),
        ("4.2.3", N),
        ("5.0", N),
    ],
)
def test_unsorted_events_are_evaluated_in_version_order(version: str, expected: Match) -> None:
    assert affected(version, DJANGO_UNSORTED) is expected


def test_any_of_several_ranges_makes_a_version_affected() -> None:
    two_ranges = entry(
        [("introduced", "1.0"), ("fixed", "1.2")], [("introduced", "2.0"), ("fixed", "2.1")]
    )

    assert [affected(v, two_ranges) for v in ("0.9", "1.1", "1.5", "2.0.5", "2.1")] == [
        N,
        A,
        N,
        A,
        N,
    ]


@pytest.mark.parametrize(("version", "expected"), [("1.9", A), ("2.0", N), ("3.0", N)])
def test_limit_caps_a_range(version: str, expected: Match) -> None:
    assert affected(version, entry([("introduced", "0"), ("limit", "2.0")])) is expected


def test_limit_star_means_no_limit() -> None:
    assert affected("500.0", entry([("introduced", "0"), ("limit", "*")])) is A


@pytest.mark.parametrize(
    ("version", "expected"), [("1.0", A), ("1.0.0", A), ("1.0+local", A), ("1.0.1", N)]
)
def test_explicit_versions_match_by_pep_440_equality(version: str, expected: Match) -> None:
    assert affected(version, entry(versions=("1.0", "0.9"))) is expected


def test_explicit_version_outside_every_range_is_still_affected() -> None:
    listed = entry([("introduced", "2.0"), ("fixed", "2.1")], versions=("1.4",))

    assert affected("1.4", listed) is A
    assert affected("1.5", listed) is N


@pytest.mark.parametrize("version", ["latest", "1.0-SNAPSHOT-x", "", "2.30.0 ; os"])
def test_versions_that_are_not_pep_440_cannot_be_evaluated(version: str) -> None:
    assert affected(version, BEFORE_2_31) is U


def test_non_pep_440_version_listed_verbatim_is_affected() -> None:
    assert affected("build-7", entry([("introduced", "0")], versions=("build-7",))) is A


def test_range_with_a_non_pep_440_bound_is_unknown_unless_another_range_decides() -> None:
    odd = [("introduced", "0"), ("fixed", "release-2")]
    normal = [("introduced", "3.0"), ("fixed", "3.1")]

    assert affected("1.0", entry(odd)) is U
    assert affected("1.0", entry(odd, normal)) is U
    assert affected("3.0.5", entry(odd, normal)) is A


def test_entry_without_ranges_or_versions_affects_nothing() -> None:
    assert affected("1.0", entry()) is N


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("3.2", "3.2.20"),
        ("3.2.19", "3.2.20"),
        ("4.0.5", "4.1.10"),
        ("4.2rc1", "4.2.3"),
        ("4.2.3", None),
        ("not-a-version", None),
    ],
)
def test_lowest_fixed_above(version: str, expected: str | None) -> None:
    assert lowest_fixed_above(version, DJANGO_UNSORTED) == expected


def test_lowest_fixed_above_skips_a_fix_that_another_range_still_affects() -> None:
    overlapping = entry(
        [("introduced", "0"), ("fixed", "1.5")], [("introduced", "1.4"), ("fixed", "2.0")]
    )

    assert lowest_fixed_above("1.0", overlapping) == "2.0"


def test_no_fixed_version_when_only_last_affected_is_known() -> None:
    assert (
        lowest_fixed_above("1.0", entry([("introduced", "0"), ("last_affected", "1.11")])) is None
    )


releases = st.tuples(*(st.integers(0, 30) for _ in range(3))).map(
    lambda parts: ".".join(map(str, parts))
)


@given(releases, releases, releases)
def test_single_range_agrees_with_half_open_interval(low: str, high: str, probe: str) -> None:
    assume(Version(low) < Version(high))

    result = affected(probe, entry([("introduced", low), ("fixed", high)]))

    expected = Version(low) <= Version(probe) < Version(high)
    assert result is (A if expected else N)
