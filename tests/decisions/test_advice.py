"""The recommended next action: one case per situation the record page must lead to."""

from __future__ import annotations

from decisions import advice
from decisions.models import NextAction


def _facts(kind: str, subject: str = "pkg", **extra) -> advice.Facts:
    return advice.Facts(kind=kind, subject=subject, **extra)


def test_vulnerable_package_nothing_imports_is_removed_not_upgraded():
    got = advice.recommend(
        _facts("vulnerable", "requests", kinds=frozenset({"unused"}), fixed_in="2.32.0")
    )
    assert got.action == NextAction.REMOVE
    assert "cheaper than upgrading" in got.reason


def test_the_same_advice_from_the_unused_record_of_a_vulnerable_package():
    got = advice.recommend(_facts("unused", "requests", kinds=frozenset({"vulnerable"})))
    assert got.action == NextAction.REMOVE
    assert "vulnerabilities" in got.reason


def test_vulnerable_pin_upgrades_to_the_lowest_version_fixing_every_advisory():
    got = advice.recommend(
        _facts("vulnerable", "django", uses=3, fixed_in="4.2.3", pinned_versions=("4.2.1",))
    )
    assert got.action == NextAction.UPGRADE
    assert got.headline == "Upgrade django to 4.2.3"
    assert got.line == "django==4.2.3"
    assert "4.2.1" in got.reason


def test_vulnerable_pin_without_a_known_fix_is_investigated_not_upgraded():
    got = advice.recommend(_facts("vulnerable", "django", uses=3, pinned_versions=("1.0",)))
    assert got.action == NextAction.INVESTIGATE
    assert got.line == ""


def test_a_lock_only_vulnerable_package_is_not_called_removable():
    # No imports (only a lock pins it), but the unused rule never said it is unused.
    got = advice.recommend(_facts("vulnerable", "urllib3", uses=0, fixed_in="2.2.2"))
    assert got.action == NextAction.UPGRADE


def test_missing_import_is_declared_with_the_exact_line():
    got = advice.recommend(_facts("missing", "boto3", declare_in="requirements.txt"))
    assert got.action == NextAction.DECLARE
    assert got.line == "boto3"
    assert got.target == "requirements.txt"


def test_transitive_import_is_declared_at_the_version_the_lock_installs():
    got = advice.recommend(
        _facts("transitive", "urllib3", locked_version="2.0.7", declare_in="requirements.in")
    )
    assert got.action == NextAction.DECLARE
    assert got.line == "urllib3>=2.0.7"
    assert "2.0.7" in got.reason


def test_the_line_to_declare_in_a_pyproject_is_a_quoted_array_item():
    got = advice.recommend(
        _facts("missing", "opencv-python", declare_in="pyproject.toml", locked_version="4.9.0")
    )
    assert got.line == '"opencv-python>=4.9.0",'


def test_dev_tool_in_production_moves_to_a_dev_group():
    got = advice.recommend(
        _facts("dev-in-prod", "pytest", declared_purposes=frozenset({"runtime"}))
    )
    assert got.action == NextAction.REDUCE
    assert got.headline == "Move pytest to a dev group"


def test_runtime_import_of_a_dev_only_package_is_declared_for_production():
    got = advice.recommend(
        _facts("misplaced-dev", "rich", declared_purposes=frozenset({"dev"}), declare_in="r.txt")
    )
    assert got.action == NextAction.DECLARE
    assert got.line == "rich"


def test_weight_file_is_archived_out_of_git():
    got = advice.recommend(_facts("weight-file", "models/model.bin"))
    assert got.action == NextAction.ARCHIVE


def test_nothing_is_suggested_for_removal_before_any_scan():
    got = advice.recommend(_facts("unused", "pandas", scanned=False))
    assert got.action == NextAction.INVESTIGATE
    assert "No scan" in got.reason


def test_an_artifact_version_still_a_candidate_is_retired_through_the_plan():
    got = advice.recommend(
        _facts("artifact-version", "s3://ml/churn/v1/", artifact_candidate=True, scanned=False)
    )
    assert got.action == NextAction.REMOVE
    assert "colder storage class first" in got.reason


def test_an_artifact_version_referenced_again_is_kept_with_the_reason():
    got = advice.recommend(
        _facts(
            "artifact-version",
            "s3://ml/churn/v1/",
            artifact_candidate=False,
            artifact_verdict="served at deploy/churn.yaml:5",
        )
    )
    assert got.action == NextAction.KEEP
    assert got.reason == "It is not a candidate now: served at deploy/churn.yaml:5."


def test_an_artifact_version_the_store_no_longer_lists_is_looked_into():
    got = advice.recommend(_facts("artifact-version", "s3://ml/churn/v1/"))
    assert got.action == NextAction.INVESTIGATE
    assert got.headline == "Inventory the store again"


def test_an_unused_package_whose_modes_were_all_read_says_so():
    got = advice.recommend(_facts("unused", "pandas", names_confidence="high"))
    assert got.action == NextAction.REMOVE
    assert "Every file of the repository's execution modes was read" in got.reason
    assert "could not read" not in got.reason


def test_an_unused_package_names_the_modes_that_need_a_note():
    got = advice.recommend(_facts("unused", "pandas", unread_modes=("cron", "web")))
    assert got.action == NextAction.REMOVE
    assert "cron and web could not be read in full" in got.reason


def test_an_unused_package_whose_import_names_are_a_guess_says_to_check_them():
    got = advice.recommend(_facts("unused", "pandas", names_confidence="low"))
    assert "assumed from its name" in got.reason
