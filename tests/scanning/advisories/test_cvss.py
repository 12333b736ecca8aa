from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scanning.advisories import cvss


@pytest.mark.parametrize(
    ("vector", "score"),
    [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
        ("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
        ("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:N/A:N", 5.3),
        ("CVSS:3.1/AV:L/AC:L/PR:L/UI:R/S:U/C:L/I:N/A:N", 2.8),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3),
        ("AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5),
        (" CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N ", 0.0),
    ],
)
def test_known_vectors_give_their_published_base_score(vector: str, score: float) -> None:
    assert cvss.base_score(vector) == score


@pytest.mark.parametrize(
    "vector",
    [
        "",
        "   ",
        "garbage",
        "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:3.1/AV:N/AC:L",
        "CVSS:9.9/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:4.0/AV:N",
        None,
        9.8,
    ],
)
def test_invalid_vectors_have_no_score(vector: object) -> None:
    assert cvss.base_score(vector) is None  # type: ignore[arg-type]


@given(st.text())
def test_base_score_never_raises(vector: str) -> None:
    score = cvss.base_score(vector)
    assert score is None or 0.0 <= score <= 10.0


@given(st.sampled_from(["CVSS:3.1/", "CVSS:4.0/", "CVSS:3.0/", ""]), st.text())
def test_base_score_never_raises_on_prefixed_noise(prefix: str, rest: str) -> None:
    cvss.base_score(prefix + rest)


@pytest.mark.parametrize(
    ("score", "label"),
    [
        (10.0, cvss.CRITICAL),
        (9.0, cvss.CRITICAL),
        (8.9, cvss.HIGH),
        (7.0, cvss.HIGH),
        (6.9, cvss.MEDIUM),
        (4.0, cvss.MEDIUM),
        (3.9, cvss.LOW),
        (0.1, cvss.LOW),
        (0.0, cvss.NONE),
        (None, cvss.UNKNOWN),
    ],
)
def test_severity_thresholds(score: float | None, label: str) -> None:
    assert cvss.severity_label(score) == label
