from __future__ import annotations

from scanning import rules
from scanning.engine.pipeline import scan_tree
from scanning.types import ProvidedImports
from tests.factories import write_tree

from .conftest import kinds_and_subjects

_POETRY_PROJECT = (
    '[tool.poetry]\nname = "svc"\nversion = "1"\n'
    '[tool.poetry.dependencies]\npython = "^3.11"\nrequests = "^2.31"\n'
)
_POETRY_LOCK = (
    '[[package]]\nname = "requests"\nversion = "2.31.0"\n\n'
    '[[package]]\nname = "urllib3"\nversion = "2.2.1"\n\n'
    '[[package]]\nname = "certifi"\nversion = "2024.2.2"\n'
)


def test_import_only_a_lock_file_provides_is_transitive_not_missing(scan):
    findings = scan(
        {
            "pyproject.toml": _POETRY_PROJECT,
            "poetry.lock": _POETRY_LOCK,
            "svc/api.py": "import requests\nfrom urllib3.util import Retry\nimport boto3\n",
        }
    )
    found = kinds_and_subjects(findings)
    assert ("transitive", "urllib3") in found
    assert ("missing", "urllib3") not in found
    assert ("missing", "boto3") in found
    assert ("transitive", "requests") not in found
    [finding] = [f for f in findings if f.kind == "transitive"]
    assert "poetry.lock:" in finding.summary
    assert {e.path for e in finding.evidence} == {"svc/api.py", "poetry.lock"}


def test_compiled_requirements_beside_their_in_file_act_as_a_lock(scan):
    found = kinds_and_subjects(
        scan(
            {
                "requirements.in": "django\n",
                "requirements.txt": "django==5.2\nasgiref==3.8.1\n    # via django\n",
                "app/views.py": "import django\nfrom asgiref.sync import sync_to_async\n",
            }
        )
    )
    assert ("transitive", "asgiref") in found
    assert not {f for f in found if f[0] == "missing"}


_REQUESTS = ProvidedImports(
    "requests",
    ("requests",),
    "index",
    "2.32.3",
    requires=("urllib3<3,>=1.21.1", 'PySocks!=1.5.7,>=1.5.6; extra == "socks"'),
    requires_source="index",
    extras=("socks", "use-chardet-on-py3"),
)


def _scan_with(tmp_path, files, provided):
    tree = scan_tree(write_tree(tmp_path, files))
    tree.provided = provided
    return rules.run_rules(tree, kinds=rules.ALL_KINDS)


def test_without_a_lock_a_declared_packages_metadata_says_what_it_pulls_in(tmp_path):
    files = {"requirements.txt": "requests\n", "app/main.py": "import requests, urllib3\n"}
    findings = _scan_with(tmp_path, files, {"requests": _REQUESTS})
    found = kinds_and_subjects(findings)
    assert ("transitive", "urllib3") in found
    assert not {f for f in found if f[0] == "missing"}
    [finding] = [f for f in findings if f.kind == "transitive"]
    assert "only because requests → urllib3" in finding.summary
    assert "per the metadata of requests on the package index" in finding.summary


def test_the_scanning_servers_own_packages_never_decide_a_verdict(scan):
    # requests is installed on this server and requires urllib3 there; the repository's
    # verdict must be what its own declarations say: urllib3 is simply missing.
    found = kinds_and_subjects(
        scan({"requirements.txt": "requests\n", "app/main.py": "import urllib3\n"})
    )
    assert ("missing", "urllib3") in found
    assert ("transitive", "urllib3") not in found


def test_a_package_asked_for_by_an_extra_is_declared(tmp_path):
    files = {"requirements.txt": "requests[socks]\n", "app/main.py": "import requests, socks\n"}
    found = kinds_and_subjects(_scan_with(tmp_path, files, {"requests": _REQUESTS}))
    assert not {f for f in found if f[0] in ("missing", "transitive")}


def test_an_extra_named_like_the_import_declares_it_without_metadata(scan):
    found = kinds_and_subjects(
        scan({"requirements.txt": "celery[redis]\n", "app/tasks.py": "import celery, redis\n"})
    )
    assert ("missing", "redis") not in found


def test_without_a_lock_an_import_nothing_declared_requires_is_missing(scan):
    found = kinds_and_subjects(
        scan({"requirements.txt": "requests\n", "app/main.py": "import yaml\n"})
    )
    assert ("missing", "pyyaml") in found
    assert not {f for f in found if f[0] == "transitive"}


def test_optional_import_of_a_locked_package_is_not_transitive(scan):
    found = kinds_and_subjects(
        scan(
            {
                "pyproject.toml": _POETRY_PROJECT,
                "poetry.lock": _POETRY_LOCK,
                "svc/api.py": "try:\n    import certifi\nexcept ImportError:\n    certifi = None\n",
            }
        )
    )
    assert ("transitive", "certifi") not in found
