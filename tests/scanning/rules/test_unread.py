from __future__ import annotations

from scanning.rules.unread import unread_files
from scanning.types import FileError


def test_a_file_that_could_not_be_read_keeps_its_records_unchecked():
    unread = unread_files([FileError("requirements.txt", "skipped: too large")])
    assert unread.why_unchecked("unused", ["requirements.txt", "app.py"]) == (
        "not re-checked: requirements.txt could not be read (skipped: too large)"
    )
    assert unread.why_unchecked("unused", ["requirements-dev.txt"]) == ""


def test_a_line_level_error_leaves_the_file_read():
    unread = unread_files([FileError("requirements.txt", "invalid requirement: x==", 3)])
    assert unread.files == {}
    assert unread.manifest_problem() is None


def test_missing_packages_are_unchecked_while_any_manifest_was_not_read():
    unread = unread_files([FileError("pyproject.toml", "invalid TOML: bad")])
    assert unread.why_unchecked("missing", ["app/main.py"]).startswith(
        "not re-checked: pyproject.toml could not be read"
    )
    assert unread.why_unchecked("unused", ["requirements.txt"]) == ""


def test_an_unreadable_python_file_is_not_a_manifest():
    unread = unread_files([FileError("app/main.py", "skipped: too large")])
    assert unread.manifest_problem() is None
    assert unread.why_unchecked("missing", ["lib/other.py"]) == ""
    assert unread.why_unchecked("missing", ["app/main.py"]) != ""


def test_files_after_the_walk_stopped_count_as_not_read():
    cut = "skipped: more than 10 files; this and later files not read"
    unread = unread_files([FileError("m/f.py", cut)], listed=["a.py", "requirements.txt"])
    assert unread.why_unchecked("unused", ["requirements.txt"]) == ""
    assert unread.why_unchecked("unused", ["z/requirements.txt"]) == (
        f"not re-checked: z/requirements.txt could not be read ({cut})"
    )
    assert unread.manifest_problem() == ("m/f.py", cut)


def test_weight_files_are_unchecked_when_git_history_could_not_be_listed():
    unread = unread_files([FileError(".git", "could not list git objects: TimeoutExpired")])
    assert unread.why_unchecked("weight-file", ["model.pt"]) != ""
    assert unread.why_unchecked("unused", ["requirements.txt"]) == ""


def test_an_included_file_of_any_name_counts_as_a_manifest():
    unread = unread_files(
        [FileError("deps/base.lst", "skipped: too large")], manifest_paths=["deps/base.lst"]
    )
    assert unread.manifests == {"deps/base.lst": "skipped: too large"}
