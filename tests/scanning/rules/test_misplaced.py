from __future__ import annotations

from .conftest import kinds_and_subjects


def test_runtime_code_importing_a_dev_only_package_is_misplaced(scan):
    findings = scan(
        {
            "requirements.txt": "flask\n",
            "requirements-dev.txt": "rich\n",
            "app/views.py": "import flask\nimport rich\n",
            "app/tasks.py": "import rich\n",
        }
    )
    found = kinds_and_subjects(findings)
    assert ("misplaced-dev", "rich") in found
    assert ("missing", "rich") not in found
    [finding] = [f for f in findings if f.kind == "misplaced-dev"]
    assert "requirements-dev.txt" in finding.summary
    assert {e.path for e in finding.evidence} >= {"app/views.py", "app/tasks.py"}


def test_dev_only_package_used_by_tests_is_fine(scan):
    found = kinds_and_subjects(
        scan(
            {
                "requirements.txt": "flask\n",
                "requirements-test.txt": "requests-mock\n",
                "app/views.py": "import flask\n",
                "tests/test_views.py": "import requests_mock\n",
            }
        )
    )
    assert not {f for f in found if f[0] == "misplaced-dev"}


def test_optional_runtime_import_of_a_dev_package_is_not_misplaced(scan):
    found = kinds_and_subjects(
        scan(
            {
                "requirements.txt": "django\n",
                "requirements-dev.txt": "django-debug-toolbar\n",
                "config/settings.py": (
                    "import django\ntry:\n    import debug_toolbar\nexcept ImportError:\n"
                    "    debug_toolbar = None\n"
                ),
            }
        )
    )
    assert ("misplaced-dev", "django-debug-toolbar") not in found


def test_runtime_requirement_only_tests_import_is_misplaced(scan):
    found = kinds_and_subjects(
        scan(
            {
                "requirements.txt": "flask\nrequests-mock\npytest\n",
                "app/views.py": "import flask\n",
                "tests/test_views.py": "import requests_mock\nimport pytest\n",
            }
        )
    )
    assert ("misplaced-dev", "requests-mock") in found
    # A dev tool in runtime requirements is dev-in-prod's finding, not this rule's.
    assert ("misplaced-dev", "pytest") not in found
    assert ("dev-in-prod", "pytest") in found
    assert ("misplaced-dev", "flask") not in found


def test_package_used_by_runtime_and_tests_is_not_misplaced(scan):
    found = kinds_and_subjects(
        scan(
            {
                "requirements.txt": "requests\n",
                "app/client.py": "import requests\n",
                "tests/test_client.py": "import requests\n",
            }
        )
    )
    assert not {f for f in found if f[0] == "misplaced-dev"}
