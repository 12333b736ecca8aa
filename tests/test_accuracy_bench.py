"""The accuracy benchmark scores findings against hand-made labels the way its README says."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "accuracy_bench.py"
_spec = importlib.util.spec_from_file_location("accuracy_bench", BENCH)
bench = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("accuracy_bench", bench)  # dataclasses look their module up there
_spec.loader.exec_module(bench)

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def label(package, verdict, manifest="requirements.in:1", module="", group="runtime"):
    return bench.Label(package, verdict, group, manifest, "evidence", module=module)


def unused(name, path="requirements.in"):
    return bench.Finding("unused", name, frozenset({path}), f"{path}:1", "DEP002")


def undeclared(name, code="DEP001"):
    return bench.Finding("undeclared", name, frozenset({"app.py"}), "app.py:1", code)


def test_an_unused_finding_on_an_unused_label_is_a_true_positive_and_on_a_used_one_false():
    labels = [label("redis", "unused"), label("Flask", "used")]

    result = bench.score(labels, [unused("redis"), unused("flask")])

    assert [lab.package for lab, _ in result.tp] == ["redis"]
    assert [finding.name for finding, _ in result.fp] == ["flask"]
    assert result.fn == []


def test_a_missing_label_is_matched_by_distribution_or_by_module_and_transitive_counts():
    labels = [
        label("PyYAML", "missing", manifest="", module="yaml"),
        label("python-dateutil", "missing", manifest="", module="dateutil"),
    ]

    result = bench.score(labels, [undeclared("yaml", "DEP003"), undeclared("python_dateutil")])

    assert sorted(lab.package for lab, _ in result.tp) == ["PyYAML", "python-dateutil"]
    assert result.fp == [] and result.fn == []


def test_unsure_labels_are_not_scored_either_way():
    labels = [label("pre-commit", "unsure"), label("wandb", "unsure", manifest="", module="wandb")]

    result = bench.score(labels, [unused("pre-commit"), undeclared("wandb")])

    assert result.tp == [] and result.fp == [] and result.fn == []
    assert len(result.unscored) == 2


def test_an_unused_finding_for_a_package_no_label_declares_is_a_false_positive():
    result = bench.score([label("flask", "used")], [unused("annotated-types", "requirements.txt")])

    assert [finding.name for finding, _ in result.fp] == ["annotated-types"]


def test_an_undeclared_import_nobody_labelled_missing_is_a_false_positive():
    result = bench.score([label("bcrypt", "used")], [undeclared("bcrypt", "DEP003")])

    assert [finding.name for finding, _ in result.fp] == ["bcrypt"]


def test_a_finding_at_a_labels_manifest_is_judged_by_that_label():
    labels = [
        label("setuptools", "unused", manifest="requirements/base.in:3"),
        label("setuptools", "unsure", manifest="requirements/pip.in:2", group="pip"),
    ]

    at_pip = bench.score(labels, [unused("setuptools", "requirements/pip.in")])
    at_base = bench.score(labels, [unused("setuptools", "requirements/base.in")])

    assert at_pip.tp == [] and at_pip.fp == []
    assert len(at_base.tp) == 1


def test_labels_nobody_found_are_false_negatives_and_repeats_count_once():
    labels = [label("redis", "unused"), label("structlog", "missing", manifest="", module="x")]

    result = bench.score(labels, [unused("redis"), unused("redis", "requirements.txt")])

    assert len(result.tp) == 1
    assert [lab.package for lab in result.fn] == ["structlog"]
    assert result.precision == 1.0 and result.recall == 0.5


def test_a_label_file_without_a_full_commit_is_refused(tmp_path):
    bad = tmp_path / "x.toml"
    bad.write_text('name = "x"\nrepository = "https://github.com/o/x"\ncommit = "abc"\n')

    with pytest.raises(bench.LabelError, match="40-hex"):
        bench.load_labels(bad)


def test_a_label_with_an_unknown_verdict_is_refused(tmp_path):
    bad = tmp_path / "x.toml"
    bad.write_text(
        f'name = "x"\nrepository = "https://github.com/o/x"\ncommit = "{COMMIT}"\n'
        '[[label]]\npackage = "redis"\nverdict = "maybe"\n'
    )

    with pytest.raises(bench.LabelError, match="verdict"):
        bench.load_labels(bad)


def test_every_committed_label_file_follows_the_schema():
    files = sorted(bench.CORPUS_DIR.glob("*.toml"))

    repos = [bench.load_labels(path) for path in files]

    assert len({repo.name for repo in repos}) == len(repos)
    assert all(repo.labels for repo in repos)


def test_a_checkout_at_another_commit_is_skipped_with_the_reason(tmp_path):
    repo = bench.Repository("x", "https://github.com/o/x", COMMIT, "", (), tmp_path / "x.toml")
    (tmp_path / "x").mkdir()
    (tmp_path / ".x.commit").write_text("f" * 40 + "\n")

    path, why = bench.checkout(repo, tmp_path, None)

    assert path is None
    assert "labels are for 0123456789ab" in why


def test_a_repository_with_neither_checkout_nor_mirror_is_skipped(tmp_path):
    repo = bench.Repository("x", "https://github.com/o/x", COMMIT, "", (), tmp_path / "x.toml")

    path, why = bench.checkout(repo, tmp_path, tmp_path / "mirrors")

    assert path is None
    assert "no local mirror" in why


def test_scans_run_the_code_of_the_checkout_they_are_started_from(tmp_path):
    setup = sys.modules["_setup"]
    worktree = tmp_path / "wt"
    (worktree / "scanning" / "engine").mkdir(parents=True)
    (worktree / "manage.py").write_text("")
    assert setup.code_dir(worktree) == worktree.resolve()
    assert setup.code_dir(tmp_path) == setup.BASE_DIR  # not a checkout: the script's own tree


def test_an_optional_use_question_is_scored_as_a_removal_candidate():
    report = {
        "findings": [
            {"kind": "optional-use", "code": "DBT110", "subject": "brotli", "locations": []},
            {"kind": "unverified-mapping", "code": "DBT111", "subject": "x", "locations": []},
        ]
    }
    found = bench.debtboard_findings(report)
    assert [(f.kind, f.name) for f in found] == [("unused", "brotli")]


def test_one_unused_finding_at_several_labels_manifests_matches_each_of_them():
    labels = [
        label("pytest", "unused", manifest="a/pyproject.toml:3"),
        label("pytest", "unused", manifest="b/pyproject.toml:3"),
        label("pytest", "used", manifest="c/pyproject.toml:3"),
        label("gql", "unused", manifest="a/pyproject.toml:4"),
        label("gql", "unused", manifest="b/pyproject.toml:4"),
    ]
    finding = bench.Finding(
        "unused",
        "pytest",
        frozenset({"a/pyproject.toml", "b/pyproject.toml", "c/pyproject.toml"}),
        "a/pyproject.toml:3",
        "DEP002",
    )
    gql = bench.Finding(
        "unused", "gql", frozenset({"a/pyproject.toml", "b/pyproject.toml"}), "", "DEP002"
    )

    result = bench.score(labels, [finding, gql])

    assert sorted(lab.manifest for lab, _ in result.tp) == [
        "a/pyproject.toml:3",
        "a/pyproject.toml:4",
        "b/pyproject.toml:3",
        "b/pyproject.toml:4",
    ]
    assert [f.name for f, _ in result.fp] == ["pytest"]  # wrong at c/
    assert result.fn == []


def test_an_unused_finding_at_the_line_a_label_declares_matches_it_under_another_name():
    # conda's py-xgboost is the distribution xgboost: the finding names the one, at the line
    # that declares the other.
    labels = [
        label("py-xgboost", "unused", manifest="environment.yml:22"),
        label("xgboost", "unused", manifest="requirements.txt:17"),
        label("py-other", "unused", manifest="environment.yml:23"),
    ]
    finding = bench.Finding(
        "unused",
        "xgboost",
        frozenset({"environment.yml", "requirements.txt"}),
        "environment.yml:22",
        "DEP002",
        frozenset({"environment.yml:22", "requirements.txt:17"}),
    )

    result = bench.score(labels, [finding])

    assert sorted(lab.manifest for lab, _ in result.tp) == [
        "environment.yml:22",
        "requirements.txt:17",
    ]
    assert [lab.package for lab in result.fn] == ["py-other"]
