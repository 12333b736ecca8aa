from __future__ import annotations

import pytest
from packaging.utils import canonicalize_name

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


def test_binary_content_read_as_requirements_is_no_suspect(scan):
    garbage = bytes(range(256)).decode("latin-1") + "\n\ufffd\ufffdP\x7f\n\x05\u00e9x\n"
    findings = scan({"requirements.txt": f"{garbage}r\u200bequests\nflask\n", "app.py": ""})

    assert [f.subject for f in findings if f.kind == "typosquat"] == ["r\u200bequests"]


def test_plain_declarations_raise_nothing():
    declared = [Declaration("requirements.txt", 1, "flask", "flask")]
    errors = [FileError("requirements.txt", "invalid requirement: ???", 2)]
    assert typosquats(declared, errors) == []
    assert kinds_and_subjects([]) == set()


@pytest.mark.parametrize("name", sorted(POPULAR))
def test_each_popular_name_is_a_whole_canonical_name(name):
    # A table broken at hyphens held "typing-" and "extensions" instead of "typing-extensions".
    assert canonicalize_name(name, validate=True) == name
    assert not name.startswith("-") and not name.endswith("-")


@pytest.mark.parametrize(
    "name",
    ["typing-extensions", "charset-normalizer", "importlib-resources", "google-cloud-bigquery"],
)
def test_names_once_broken_at_a_hyphen_are_in_the_table_whole(name):
    assert name in POPULAR
    assert name.rpartition("-")[0] + "-" not in POPULAR


def test_a_suspect_stays_a_suspect_when_the_popular_name_is_declared_too(scan):
    findings = scan(
        {
            "requirements.txt": "requests==2.31.0\nreqeusts==2.31.0\n",
            "app.py": "import requests\n",
        }
    )
    assert ("typosquat", "reqeusts") in kinds_and_subjects(findings)


def test_a_suspect_stays_a_suspect_when_the_code_imports_the_popular_name(scan):
    findings = scan({"requirements.txt": "reqeusts==2.31.0\n", "app.py": "import requests\n"})
    assert ("typosquat", "reqeusts") in kinds_and_subjects(findings)


@pytest.mark.parametrize(
    ("name", "popular", "edits"),
    [
        ("djnagorestfrmewrk", "djangorestframework", 3),  # long names allow three edits
        ("pyhton-datetuil", "python-dateutil", 2),
    ],
)
def test_long_names_allow_more_edits(name, popular, edits):
    assert resembles(name) == (popular, edits)


@pytest.mark.parametrize("name", ["rsa2", "tqmd2", "nmupy2"])
def test_short_names_allow_only_one_edit(name):
    assert resembles(name) is None
