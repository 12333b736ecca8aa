"""Order keys sort and compare exactly as ``packaging``'s ``Version`` does."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.version import Version

from scanning.advisories.versions import PUBLIC_LENGTH, parse_key, public_key

TRICKY = [
    "0", "0.0", "0a1", "0.0.0.dev0", "1", "1.0", "1.0.0", "1.0.dev0", "1.0.dev1", "1.0a1.dev1",
    "1.0a1", "1.0a2", "1.0b1", "1.0c1", "1.0rc1", "1.0rc1.post1", "1.0", "1.0.post0.dev1",
    "1.0.post0", "1.0-1", "1.0.post1.dev0", "1.0.post1", "1.0+abc", "1.0+ABC.1", "1.0+abc.2",
    "1.0+1", "1.0+1.abc", "1.0+2", "1.0+10", "1.0.1", "1.1a1", "1.10", "1.2", "2!0.1", "1!9",
    "v1.0", " 1.0 ",
]  # fmt: skip


def test_keys_of_tricky_versions_order_and_compare_as_the_versions_do() -> None:
    for left, right in itertools.product(TRICKY, repeat=2):
        a, b = Version(left), Version(right)

        assert (parse_key(left) < parse_key(right)) == (a < b), (left, right)  # type: ignore[operator]
        assert (parse_key(left) == parse_key(right)) == (a == b), (left, right)


@pytest.mark.parametrize("text", TRICKY)
def test_public_key_drops_only_the_local_label(text: str) -> None:
    public = public_key(text)

    assert public == parse_key(Version(text).public)
    assert public is not None and len(public) == PUBLIC_LENGTH


@pytest.mark.parametrize("text", ["latest", "", "1.0-SNAPSHOT-x", "2.30.0 ; os", "1..0"])
def test_versions_that_are_not_pep_440_have_no_key(text: str) -> None:
    assert parse_key(text) is None
    assert public_key(text) is None


numbers = st.integers(0, 12)
versions = st.builds(
    lambda epoch, release, pre, post, dev, local: (
        (f"{epoch}!" if epoch else "")
        + ".".join(map(str, release))
        + (f"{pre[0]}{pre[1]}" if pre else "")
        + (f".post{post}" if post is not None else "")
        + (f".dev{dev}" if dev is not None else "")
        + (f"+{local}" if local else "")
    ),
    st.sampled_from([0, 0, 0, 1]),
    st.lists(numbers, min_size=1, max_size=4),
    st.none() | st.tuples(st.sampled_from(["a", "b", "rc"]), numbers),
    st.none() | numbers,
    st.none() | numbers,
    st.none() | st.sampled_from(["1", "abc", "abc.1", "1.abc", "2", "10", "x.y"]),
)


@settings(max_examples=500, deadline=None)
@given(versions, versions)
def test_any_two_versions_order_alike(left: str, right: str) -> None:
    a, b = Version(left), Version(right)

    assert (parse_key(left) < parse_key(right)) == (a < b)  # type: ignore[operator]
    assert (parse_key(left) == parse_key(right)) == (a == b)
