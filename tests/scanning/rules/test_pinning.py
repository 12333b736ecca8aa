from __future__ import annotations

from scanning.rules.pinning import REPOSITORY_SUBJECT

from .conftest import kinds_and_subjects


def test_each_floating_runtime_requirement_has_its_debt_level(scan):
    findings = scan(
        {
            "requirements.txt": "flask\nrequests>=2.31,<3\ndjango==5.2\n",
            "requirements-dev.txt": "ipdb\n",
            "app/main.py": "import flask, requests, django\n",
        }
    )
    levels = {f.subject: f.summary for f in findings if f.kind == "unpinned"}
    assert set(levels) == {"flask", "requests"}  # django==5.2 is the production-ready level 3
    assert "debt level 1" in levels["flask"]
    assert "debt level 2" in levels["requests"]
    [no_lock] = [f for f in findings if f.kind == "no-lock"]
    assert no_lock.subject == REPOSITORY_SUBJECT
    assert "1 unpinned, 1 range-pinned, 1 exact" in no_lock.summary


def test_a_locked_repository_has_no_pinning_findings(scan):
    found = kinds_and_subjects(
        scan(
            {
                "pyproject.toml": (
                    '[project]\nname = "x"\nversion = "1"\ndependencies = ["flask"]\n'
                ),
                "uv.lock": '[[package]]\nname = "flask"\nversion = "3.0.0"\n',
                "x/__init__.py": "import flask\n",
            }
        )
    )
    assert not {f for f in found if f[0] in ("unpinned", "no-lock")}


def test_constraints_file_pins_a_loose_requirement(scan):
    found = kinds_and_subjects(
        scan(
            {
                "requirements.txt": "-c constraints.txt\nflask\n",
                "constraints.txt": "flask==3.0.0\n",
                "app/main.py": "import flask\n",
            }
        )
    )
    assert [f for f in found if f[0] == "unpinned"] == []
    assert ("no-lock", "(repository)") in found


def test_dev_only_requirements_have_no_pinning_debt(scan):
    found = kinds_and_subjects(scan({"requirements-dev.txt": "black\n", "app.py": "import os\n"}))
    assert not {f for f in found if f[0] in ("unpinned", "no-lock")}


def test_stored_scans_report_pinning_debt(tmp_path):
    from scanning.engine.pipeline import scan_tree
    from tests.factories import write_tree

    tree = scan_tree(write_tree(tmp_path, {"requirements.txt": "flask\n", "a.py": "import flask"}))
    assert {("unpinned", "flask"), ("no-lock", "(repository)")} <= {
        (f.kind, f.subject) for f in tree.findings
    }


def test_an_exact_pin_elsewhere_lifts_a_bare_name(scan):
    findings = scan(
        {
            "base_requirements.txt": "PyYAML\nrequests\n",
            "requirements.txt": "PyYAML==6.0.3\n",
            "app.py": "import yaml, requests\n",
        }
    )
    summaries = {f.subject: f.summary for f in findings if f.kind == "unpinned"}
    assert set(summaries) == {"requests"}
    assert "requests is unpinned (base_requirements.txt:2 (requests))" in summaries["requests"]
