from __future__ import annotations

from scanning.engine import report

from .conftest import kinds_and_subjects


def test_two_runtime_files_pinning_different_releases_conflict(scan):
    findings = scan(
        {
            "requirements.txt": "django==4.2.1\nrequests==2.31.0\n",
            "deploy/requirements.txt": "django==4.2.7\nrequests==2.31.0\n",
            "app.py": "import django\nimport requests\n",
        }
    )
    [conflict] = [f for f in findings if f.kind == "conflicting-pins"]
    assert conflict.subject == "django"
    assert {(d.path, d.pinned_version) for d in conflict.evidence} == {
        ("requirements.txt", "4.2.1"),
        ("deploy/requirements.txt", "4.2.7"),
    }
    assert "4.2.1 (requirements.txt:1)" in conflict.summary
    assert report.code_for(conflict.kind) == "DBT108"
    assert ("conflicting-pins", "requests") not in kinds_and_subjects(findings)


def test_one_release_written_two_ways_is_no_conflict(scan):
    findings = scan(
        {
            "requirements.txt": "django==4.2\n",
            "deploy/requirements.txt": "Django==4.2.0\n",
            "app.py": "import django\n",
        }
    )
    assert ("conflicting-pins", "django") not in kinds_and_subjects(findings)


def test_pins_under_different_markers_are_alternatives(scan):
    findings = scan(
        {
            "requirements.txt": (
                'numpy==1.24.4; python_version < "3.9"\nnumpy==2.0.1; python_version >= "3.9"\n'
            ),
            "app.py": "import numpy\n",
        }
    )
    assert ("conflicting-pins", "numpy") not in kinds_and_subjects(findings)


def test_dev_and_lock_files_do_not_conflict_with_runtime_pins(scan):
    findings = scan(
        {
            "requirements.txt": "rich==13.7.0\n",
            "requirements-dev.txt": "rich==13.0.0\n",
            "app.py": "import rich\n",
        }
    )
    assert ("conflicting-pins", "rich") not in kinds_and_subjects(findings)


def test_an_unreadable_version_is_compared_as_written(scan):
    findings = scan(
        {
            "requirements.txt": "legacy-lib===1.0-custom\n",
            "deploy/requirements.txt": "legacy-lib===1.0-other\n",
            "app.py": "import legacy_lib\n",
        }
    )
    assert ("conflicting-pins", "legacy-lib") in kinds_and_subjects(findings)
