from __future__ import annotations

import pytest

from scanning.distributions.popular import POPULAR
from scanning.rules.typosquat import distance, resembles, typosquats
from scanning.types import Declaration, FileError

from .conftest import kinds_and_subjects


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("requests", "reqeusts", 1), ("numpy", "nupmy", 1), ("django", "djnago", 1), ("ab", "yz", 2)],
)
def test_distance_counts_a_transposition_as_one_edit(a, b, expected):
    assert distance(a, b) == expected


@pytest.mark.parametrize(
    ("name", "popular"),
    [
        ("reqeusts", "requests"),
        ("python-dateutils", "python-dateutil"),
        ("djangorestframwork", "djangorestframework"),
        ("colourama", "colorama"),
        ("urllib", "urllib3"),
    ],
)
def test_near_names_resemble_the_popular_one(name, popular):
    assert resembles(name) == (popular, resembles(name)[1])


@pytest.mark.parametrize("name", ["pytest-env", "fastapi-users", "leftpad", "celery-redbeat"])
def test_siblings_and_unrelated_names_are_not_suspects(name):
    assert resembles(name) is None


def test_a_popular_name_is_never_a_suspect():
    assert all(resembles(name) is None for name in POPULAR)


def test_typosquat_finding_names_the_popular_package(scan):
    findings = scan({"requirements.txt": "reqeusts==2.31.0\n", "app.py": "import os\n"})
    [finding] = [f for f in findings if f.kind == "typosquat"]
    assert finding.subject == "reqeusts"
    assert "requests" in finding.summary
    assert finding.evidence[0].line == 1


def test_look_alike_letters_are_confusable_suspects(scan):
    findings = scan({"requirements.txt": "r\u0435quests==1.0\nflask\n", "app.py": "import flask"})
    [finding] = [f for f in findings if f.kind == "typosquat"]
    assert "mixes scripts (CYRILLIC, LATIN)" in finding.summary
    assert "reads as requests (a popular package)" in finding.summary


def test_plain_declarations_raise_nothing():
    declared = [Declaration("requirements.txt", 1, "flask", "flask")]
    errors = [FileError("requirements.txt", "invalid requirement: ???", 2)]
    assert typosquats(declared, errors) == []
    assert kinds_and_subjects([]) == set()
