"""Scans without a package index get from the knowledge table what a wheel would have said.

One case per table entry that carries more than import names (requires with extras, entry
points, fixtures, stub folders): each case fails when the entry, or the path that carries it
to the rules, is lost.
"""

from __future__ import annotations

import pytest

from scanning import rules
from scanning.engine.pipeline import scan_tree
from scanning.package_cache import importnames
from tests.factories import write_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def offline_scan(settings, tmp_path):
    settings.DEBTBOARD_PACKAGE_INDEX_URL = ""

    def run(files: dict[str, str]) -> set[tuple[str, str]]:
        tree = scan_tree(write_tree(tmp_path, files), provided=importnames.provided_imports)
        found = rules.run_rules(tree, kinds=rules.ALL_KINDS)
        return {(f.kind, f.subject) for f in found if f.kind != "unpinned"}

    return run


def _removals(found: set[tuple[str, str]], name: str) -> set[tuple[str, str]]:
    return {f for f in found if f[1] == name and f[0] in ("unused", "optional-use")}


def test_an_extra_named_for_an_imported_feature_module_is_in_use_without_an_index(offline_scan):
    # sqlalchemy[asyncio] installs greenlet; sqlalchemy.ext.asyncio runs on it.
    found = offline_scan(
        {
            "requirements.txt": "sqlalchemy==2.0.36\ngreenlet==3.1\n",
            "app/db.py": "from sqlalchemy.ext.asyncio import create_async_engine\n",
        }
    )
    assert not _removals(found, "greenlet")


def test_without_the_feature_module_the_extra_package_is_a_question(offline_scan):
    found = offline_scan(
        {
            "requirements.txt": "sqlalchemy==2.0.36\ngreenlet==3.1\n",
            "app/db.py": "import sqlalchemy\n",
        }
    )
    assert ("optional-use", "greenlet") in found


def test_an_integration_module_uses_what_its_extra_installs(offline_scan):
    # sentry-sdk[flask] installs blinker, which sentry_sdk.integrations.flask imports.
    found = offline_scan(
        {
            "requirements.txt": "flask==3.0\nsentry-sdk==2.19\nblinker==1.9\n",
            "app/errors.py": "import flask\nfrom sentry_sdk.integrations.flask import"
            " FlaskIntegration\n",
        }
    )
    assert not _removals(found, "blinker")


def test_a_plugin_of_a_tool_that_runs_is_used_by_its_entry_point_group(offline_scan):
    found = offline_scan(
        {
            "Dockerfile": "FROM python:3.12\n"
            "RUN pip install poetry==1.8 poetry-plugin-export==1.8\n"
            "RUN poetry export -o requirements.txt\n",
            "app/main.py": "print(1)\n",
        }
    )
    assert not _removals(found, "poetry-plugin-export")


def test_a_fixture_a_plugin_defines_uses_the_plugin(offline_scan):
    found = offline_scan(
        {
            "requirements.txt": "flask==3.0\npytest==8.0\npytest-flask==1.3\n",
            "tests/conftest.py": "import pytest\n\n@pytest.fixture\ndef app():\n    return 1\n",
            "tests/test_views.py": "def test_home(client):\n    assert client\n",
        }
    )
    assert not _removals(found, "pytest-flask")


def test_a_stub_folder_in_the_wheel_types_its_module(offline_scan):
    found = offline_scan(
        {
            "requirements-dev.txt": "mypy==1.13\ntrio==0.27\ntrio-typing==0.10\n",
            "scripts/check": "#!/bin/sh\nmypy app\n",
            "app/run.py": "import trio\n",
        }
    )
    assert not _removals(found, "trio-typing")


def test_an_import_named_unlike_its_distribution_is_that_distributions(offline_scan):
    found = offline_scan({"requirements.txt": "vcrpy==6.0\n", "tests/test_api.py": "import vcr\n"})
    assert not {f for f in found if f[0] in ("unused", "missing", "unverified-mapping")}


def test_a_known_distribution_is_never_paired_with_an_unrelated_unmapped_import(offline_scan):
    # pdfminer.six installs pdfminer: beside an undeclared scrapy_sentry it is plainly unused,
    # and scrapy_sentry plainly missing, not one question about a mapping.
    found = offline_scan(
        {"requirements.txt": "pdfminer.six==20240706\n", "app/main.py": "import scrapy_sentry\n"}
    )
    assert ("unused", "pdfminer-six") in found
    assert ("missing", "scrapy-sentry") in found


def test_an_environment_that_loads_a_module_uses_the_distribution_installing_it(offline_scan):
    # Gymnasium's LunarLander imports Box2D, which box2d-py installs.
    found = offline_scan(
        {
            "requirements.txt": "gymnasium==1.0\nbox2d-py==2.3.8\n",
            "app/train.py": "import gymnasium as gym\nenv = gym.make('LunarLander-v3')\n",
        }
    )
    assert not _removals(found, "box2d-py")


def test_a_renamed_console_script_is_its_distributions(offline_scan):
    found = offline_scan(
        {"requirements.txt": "dagster-dg-cli==1.9\n", "Makefile": "check:\n\tdg check defs\n"}
    )
    assert not _removals(found, "dagster-dg-cli")


def test_a_known_distribution_is_never_paired_with_an_import_sharing_a_word(offline_scan):
    # keras-core installs keras_core: tf_keras (tf-keras's) only shares the word keras.
    found = offline_scan(
        {"requirements.txt": "keras-core==0.1.7\n", "nb/train.py": "import tf_keras, keras\n"}
    )
    assert ("unused", "keras-core") in found
    assert ("missing", "tf-keras") in found
    assert ("missing", "keras") in found
