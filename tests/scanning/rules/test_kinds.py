"""The registry of finding kinds is the one place a kind is described; the rest read it."""

from __future__ import annotations

import pytest

from decisions import scoring
from decisions.models import DecisionRecord, Kind
from decisions.services import scans
from scanning import rules
from scanning.engine import report
from scanning.rules import kinds

# The values stored on decision records: renaming one would orphan every record of that kind.
STORED_VALUES = [
    "unused",
    "missing",
    "transitive",
    "misplaced-dev",
    "vulnerable",
    "unpinned",
    "no-lock",
    "dev-in-prod",
    "typosquat",
    "license",
    "weight-file",
    "conflicting-pins",
    "unknown-package",
    "optional-use",
    "unverified-mapping",
    "artifact-version",
]


def test_stored_values_and_model_choices_come_from_the_registry():
    assert [k.value for k in kinds.KINDS] == STORED_VALUES
    assert Kind.choices == [(k.value, k.label) for k in kinds.KINDS]
    assert DecisionRecord._meta.get_field("kind").choices == Kind.choices
    assert Kind.MISPLACED_DEV == "misplaced-dev"


def test_deptry_codes_are_used_only_where_deptry_means_the_same():
    assert {k.value: k.deptry_code for k in kinds.KINDS if k.deptry_code} == {
        "missing": "DEP001",
        "unused": "DEP002",
        "transitive": "DEP003",
        "misplaced-dev": "DEP004",
    }
    codes = [k.code for k in kinds.KINDS]
    assert len(set(codes)) == len(codes)
    assert all(code.startswith("DBT1") for code in codes if not code.startswith("DEP"))


def test_report_scoring_and_removal_read_the_registry():
    for kind in kinds.KINDS:
        assert report.code_for(kind.value) == kind.code
        assert scoring.initial_scores(kind.value) == {
            "impact": kind.impact,
            "confidence": kind.confidence,
        }
    assert report.code_for("no-such-kind") == kinds.UNKNOWN_CODE
    removals = {"unused", "dev-in-prod", "misplaced-dev", "typosquat", "optional-use"}
    assert removals == scans.REMOVAL_KINDS


@pytest.mark.parametrize("kind", [k for k in kinds.KINDS if k.finder], ids=lambda k: k.value)
def test_every_finder_named_is_a_function_of_the_rules(kind):
    assert callable(rules.finder(kind.finder))


@pytest.mark.parametrize("kind", [k for k in kinds.KINDS if k.made_by], ids=lambda k: k.value)
def test_every_kind_made_by_another_step_names_a_function_of_the_rules(kind):
    assert callable(rules.finder(kind.made_by))


def test_a_finder_name_outside_the_rules_is_an_error():
    with pytest.raises((ModuleNotFoundError, AttributeError)):
        rules.finder("no_such_module:find")
