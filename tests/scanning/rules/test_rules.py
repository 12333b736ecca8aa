from __future__ import annotations

from scanning.engine.pipeline import scan_tree
from tests.factories import write_tree


def _findings(tmp_path, files):
    tree = scan_tree(write_tree(tmp_path, files))
    return {(f.kind, f.subject) for f in tree.findings}


def test_declared_but_never_imported_is_unused(tmp_path):
    findings = _findings(
        tmp_path,
        {"requirements.txt": "requests==2.31.0\npandas==2.1.0\n", "app.py": "import requests\n"},
    )
    assert ("unused", "pandas") in findings
    assert ("unused", "requests") not in findings


def test_imported_but_not_declared_is_missing(tmp_path):
    findings = _findings(
        tmp_path,
        {"requirements.txt": "requests\n", "app/main.py": "import requests\nimport boto3\n"},
    )
    assert ("missing", "boto3") in findings
    assert ("missing", "requests") not in findings


def test_import_names_map_to_their_distribution(tmp_path):
    findings = _findings(
        tmp_path,
        {
            "requirements.txt": "PyYAML\nscikit-learn\nPillow\nopencv-python\n",
            "app.py": "import yaml\nfrom sklearn import svm\nfrom PIL import Image\nimport cv2\n",
        },
    )
    assert not {f for f in findings if f[0] in ("unused", "missing")}


def test_stdlib_and_first_party_imports_are_never_missing(tmp_path):
    findings = _findings(
        tmp_path,
        {
            "requirements.txt": "",
            "mypkg/__init__.py": "",
            "mypkg/core.py": "import os, json, sys\nimport mypkg.util\nfrom . import util\n",
            "scripts/run.py": "import helpers\n",
            "scripts/helpers.py": "import collections\n",
        },
    )
    assert not [f for f in findings if f[0] == "missing"]


def test_optional_import_does_not_make_a_package_missing(tmp_path):
    findings = _findings(
        tmp_path,
        {"app.py": "try:\n    import ujson as json\nexcept ImportError:\n    import json\n"},
    )
    assert ("missing", "ujson") not in findings


def test_pyproject_dependencies_are_declarations(tmp_path):
    findings = _findings(
        tmp_path,
        {
            "pyproject.toml": (
                '[project]\nname = "x"\nversion = "1"\ndependencies = ["numpy>=1", "attrs"]\n'
                '[project.optional-dependencies]\nplot = ["matplotlib"]\n'
            ),
            "x/__init__.py": "import numpy\n",
        },
    )
    assert ("unused", "attrs") in findings
    assert ("unused", "matplotlib") in findings
    assert ("unused", "numpy") not in findings


def test_dev_tool_in_runtime_requirements_that_the_tests_use_is_dev_in_prod(tmp_path):
    findings = _findings(
        tmp_path,
        {
            "requirements.txt": "flask\npytest==7.4.0\n",
            "requirements-dev.txt": "black\n",
            "app.py": "import flask\n",
            "tests/test_app.py": "import pytest\n",
        },
    )
    assert ("dev-in-prod", "pytest") in findings
    assert ("unused", "pytest") not in findings
    # In a dev group, a tool nothing runs is unused (people may run it by hand: it says so).
    assert ("dev-in-prod", "black") not in findings
    assert ("unused", "black") in findings


def test_a_dev_tool_in_a_dev_group_that_nothing_runs_says_it_may_be_run_by_hand(tmp_path):
    from scanning import rules
    from scanning.engine.pipeline import scan_tree
    from tests.factories import write_tree

    files = {
        "requirements.txt": "flask==3.0\n",
        "requirements-dev.txt": "black==24.1\nruff==0.4\n",
        "Makefile": "lint:\n\truff check .\n",
        "app.py": "import flask\n",
    }
    tree = scan_tree(write_tree(tmp_path, files))
    unused = {f.subject: f.summary for f in rules.run_rules(tree) if f.kind == "unused"}
    assert set(unused) == {"black"}  # ruff runs in the Makefile
    assert "requirements-dev.txt:1" in unused["black"]
    assert "by hand" in unused["black"]


def test_dev_tool_only_in_runtime_that_nothing_runs_or_configures_is_unused(tmp_path):
    findings = _findings(
        tmp_path,
        {"requirements.txt": "flask\nisort==5.13.2\n", "app.py": "import flask\n"},
    )
    assert ("unused", "isort") in findings
    assert ("dev-in-prod", "isort") not in findings  # removing it settles both


def test_dev_tool_in_runtime_with_settings_or_also_in_a_dev_group_is_dev_in_prod(tmp_path):
    findings = _findings(
        tmp_path,
        {
            "requirements.txt": "flask\nblack==24.1.0\nmypy==1.10.0\n",
            "requirements-dev.txt": "mypy==1.10.0\n",
            "pyproject.toml": "[tool.black]\nline-length = 100\n",
            "app.py": "import flask\n",
        },
    )
    assert ("dev-in-prod", "black") in findings
    assert ("dev-in-prod", "mypy") in findings
    assert ("unused", "black") not in findings
    assert ("unused", "mypy") not in findings


def test_package_used_only_in_tests_is_used(tmp_path):
    findings = _findings(
        tmp_path,
        {"requirements-test.txt": "freezegun\n", "tests/test_x.py": "import freezegun\n"},
    )
    assert ("unused", "freezegun") not in findings


def test_findings_carry_line_evidence(tmp_path):
    tree = scan_tree(write_tree(tmp_path, {"requirements.txt": "# comment\n\nleftpad==1.0\n"}))
    [finding] = [f for f in tree.findings if (f.kind, f.subject) == ("unused", "leftpad")]
    assert finding.evidence[0].line == 3
    assert "requirements.txt:3" in finding.summary


def test_lock_and_compiled_files_never_make_unused_candidates(tmp_path):
    findings = _findings(
        tmp_path,
        {
            "requirements/base.in": "django\n",
            "requirements/base.txt": "django==5.2\nasgiref==3.8  # via django\n",
            "poetry.lock": '[[package]]\nname = "certifi"\nversion = "2024.1.1"\n',
            "app.py": "import django\n",
        },
    )
    assert not [f for f in findings if f[0] == "unused"]


def test_installers_are_not_unused(tmp_path):
    findings = _findings(
        tmp_path,
        {"requirements.txt": "pip\nsetuptools\nwheel\n", "app.py": "import os\n"},
    )
    assert not [f for f in findings if f[0] == "unused"]


def test_one_declared_alternative_satisfies_an_implied_driver(tmp_path):
    files = {
        "requirements.txt": "psycopg[binary]\ndj-database-url\n",
        "app/settings.py": 'import dj_database_url\nDB = dj_database_url.parse("postgres://db/x")\n',
    }
    findings = _findings(tmp_path, files)
    assert not [f for f in findings if f[0] == "missing"]


def test_an_implied_driver_with_no_alternative_declared_is_missing(tmp_path):
    files = {
        "requirements.txt": "dj-database-url\n",
        "app/settings.py": 'import dj_database_url\nDB = dj_database_url.parse("postgres://db/x")\n',
    }
    findings = _findings(tmp_path, files)
    assert [f for f in findings if f[0] == "missing"]


def test_a_tool_plugin_in_a_dev_group_acts_by_being_installed_and_is_no_candidate(tmp_path):
    findings = _findings(
        tmp_path,
        {
            "requirements.txt": "flask==3.0\n",
            "requirements-dev.txt": "pytest==8.2\npytest-randomly==3.15\n",
            "tests/test_app.py": "import pytest\n",
            "app.py": "import flask\n",
        },
    )
    assert not {f for f in findings if f[0] == "unused"}


def test_commands_and_installs_in_a_circleci_config_are_read(tmp_path):
    config = (
        "version: 2.1\njobs:\n  test:\n    steps:\n      - run: |\n"
        "          pip install coverage-badge\n          pipenv run pylint app -E\n"
    )
    findings = _findings(
        tmp_path,
        {
            "requirements.txt": "flask==3.0\n",
            "requirements-dev.txt": "pylint==3.1\n",
            ".circleci/config.yml": config,
            "app.py": "import flask\n",
        },
    )
    assert ("unused", "pylint") not in findings
    assert ("unused", "coverage-badge") not in findings


def test_a_multi_line_circleci_command_is_read_line_by_line(tmp_path):
    config = (
        "version: 2\njobs:\n  t:\n    steps:\n      - run:\n          name: lint\n"
        "          command: |\n            pipenv install --dev\n"
        "            pipenv run pylint app -E\n            PYTHONPATH=. pipenv run pytest\n"
    )
    findings = _findings(
        tmp_path,
        {
            "Pipfile": '[packages]\nflask = "==3.0"\n[dev-packages]\npylint = "*"\npytest = "*"\n',
            ".circleci/config.yml": config,
            "app.py": "import flask\n",
        },
    )
    assert ("unused", "pylint") not in findings
    assert ("unused", "pytest") not in findings


def test_an_installer_floor_beside_application_requirements_is_unused(tmp_path):
    findings = _findings(
        tmp_path,
        {
            "requirements.txt": "flask==3.0.0\npip>=20.0\nsetuptools>=70.0.0\n",
            "Makefile": "install:\n\tpip install -r requirements.txt\n",
            "app.py": "import flask\n",
        },
    )
    assert ("unused", "pip") in findings
    assert ("unused", "setuptools") in findings


def test_an_imported_installer_beside_application_requirements_is_used(tmp_path):
    findings = _findings(
        tmp_path,
        {
            "requirements.txt": "flask==3.0.0\nsetuptools>=70.0.0\n",
            "app.py": "import flask\nimport pkg_resources\n",
        },
    )
    assert ("unused", "setuptools") not in findings


def test_conda_pip_runs_the_files_own_pip_section(tmp_path):
    findings = _findings(
        tmp_path,
        {
            "environment.yml": "dependencies:\n  - python=3.11\n  - numpy\n  - pip\n"
            "  - pip:\n    - requests\n",
            "app.py": "import numpy\nimport requests\n",
        },
    )
    assert ("unused", "pip") not in findings


def test_a_pytest_plugin_that_acts_only_when_asked_is_unused_when_nothing_asks(tmp_path):
    findings = _findings(
        tmp_path,
        {
            "requirements-dev.txt": "pytest\npytest-cov\npytest-randomly\n",
            "tests/test_app.py": "def test_one():\n    assert True\n",
        },
    )
    assert ("unused", "pytest-cov") in findings
    assert ("unused", "pytest-randomly") not in findings  # acts by being installed


def test_a_pytest_plugin_whose_option_a_command_passes_is_used(tmp_path):
    findings = _findings(
        tmp_path,
        {
            "requirements-dev.txt": "pytest\npytest-cov\n",
            "Makefile": "test:\n\tpytest --cov=app tests\n",
            "tests/test_app.py": "def test_one():\n    assert True\n",
        },
    )
    assert ("unused", "pytest-cov") not in findings


def test_notebook_and_ruff_plugins_are_used_only_where_pytest_is_asked_for_them(tmp_path):
    findings = _findings(
        tmp_path,
        {
            "requirements-dev.txt": "pytest\nnbval\npytest-ruff\n",
            ".github/workflows/ci.yml": (
                "jobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: pytest --nbval notebooks/intro.ipynb\n"
                "      - run: pytest tests\n"
            ),
            "tests/test_app.py": "def test_one():\n    assert True\n",
        },
    )
    assert ("unused", "nbval") not in findings
    assert ("unused", "pytest-ruff") in findings  # installed, never asked with --ruff


def test_type_stubs_are_used_when_a_type_checker_runs_over_code_importing_their_module(tmp_path):
    findings = _findings(
        tmp_path,
        {
            "requirements-dev.txt": "mypy\ntypes-requests\ndjango-stubs\ntypes-PyYAML\n",
            "requirements.txt": "requests\ndjango\npyyaml\n",
            "Makefile": "check:\n\tmypy app\n",
            "app/main.py": "import requests\nimport django\n",
        },
    )
    assert ("unused", "types-requests") not in findings
    assert ("unused", "django-stubs") not in findings
    assert ("unused", "types-pyyaml") in findings  # nothing imports yaml


def test_type_stubs_without_a_type_checker_are_unused(tmp_path):
    findings = _findings(
        tmp_path,
        {
            "requirements-dev.txt": "types-requests\n",
            "requirements.txt": "requests\n",
            "app/main.py": "import requests\n",
        },
    )
    assert ("unused", "types-requests") in findings


def test_a_flake8_plugin_named_unlike_flake8_acts_by_being_installed_per_its_entry_points(tmp_path):
    findings = _findings(
        tmp_path,
        {
            "requirements-dev.txt": "flake8\npep8-naming\nwemake-python-styleguide\n",
            "Makefile": "lint:\n\tflake8 app\n",
            "app.py": "import os\n",
        },
    )
    assert ("unused", "pep8-naming") not in findings
    assert ("unused", "wemake-python-styleguide") not in findings


def test_a_celery_subcommand_plugin_is_used_where_celery_runs(tmp_path):
    files = {
        "requirements.txt": "celery\nflower\n",
        "app/__init__.py": "",
        "app/tasks.py": "import celery\n",
    }
    running = _findings(tmp_path, {**files, "Procfile": "flower: celery -A app flower\n"})
    assert ("unused", "flower") not in running


def test_type_stubs_checked_by_ty_are_used(tmp_path):
    findings = _findings(
        tmp_path,
        {
            "requirements-dev.txt": "ty\ntypes-docutils\n",
            "requirements.txt": "docutils\n",
            "tox.ini": "[testenv:type]\ncommands = ty check\n",
            "app/main.py": "import docutils\n",
        },
    )
    assert ("unused", "types-docutils") not in findings


def test_a_pytest_option_in_a_continued_tox_command_s_posargs_default_is_passed(tmp_path):
    tox = (
        "[testenv]\ndeps =\n    pytest\n    pytest-cov\ncommands =\n    pytest \\\n"
        "    {posargs: \\\n    --cov=app \\\n    tests \\\n    }\n"
    )
    findings = _findings(
        tmp_path, {"tox.ini": tox, "tests/test_app.py": "def test_one():\n    assert True\n"}
    )
    assert ("unused", "pytest-cov") not in findings
    assert ("unused", "pytest") not in findings


def test_a_build_scripts_imports_come_from_the_build_environment(tmp_path):
    findings = _findings(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "app"\nversion = "1"\ndependencies = ["attrs"]\n'
            '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
            "scripts/hatch_build.py": "from hatchling.builders.hooks.plugin.interface import X\n",
            "setup.py": "from setuptools import setup\n",
            "app/main.py": "import attrs\nimport hatchling\n",
        },
    )
    assert ("missing", "setuptools") not in findings
    assert ("missing", "hatchling") in findings  # the application imports it too
    assert ("unused", "attrs") not in findings


def test_a_build_scripts_import_alone_makes_nothing_missing(tmp_path):
    findings = _findings(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "app"\nversion = "1"\n'
            '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
            "scripts/hatch_build.py": "from hatchling.builders.hooks.plugin.interface import X\n",
        },
    )
    assert ("missing", "hatchling") not in findings


def test_a_module_of_a_package_named_setup_is_application_code(tmp_path):
    # src/app/core/setup.py is the application's start-up module, not a build script: a build
    # never runs a file inside a package, so its imports make packages missing as any other.
    findings = _findings(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "app"\nversion = "1"\ndependencies = []\n',
            "src/app/__init__.py": "",
            "src/app/core/__init__.py": "",
            "src/app/core/setup.py": "import anyio\n",
            "setup.py": "import setuptools_scm\n",
        },
    )
    assert ("missing", "anyio") in findings
    assert ("missing", "setuptools-scm") not in findings


def test_importing_a_parent_package_uses_none_of_the_distributions_below_it(tmp_path):
    # ``import airflow`` loads apache-airflow's package, not the amazon provider below it;
    # a bare namespace (``import google``) still gives every distribution below it the benefit.
    findings = _findings(
        tmp_path,
        {
            "requirements.txt": "apache-airflow==2.10\napache-airflow-providers-amazon==9.0\n"
            "google-cloud-storage==2.18\n",
            "dags/etl.py": "import airflow\nimport google\n",
        },
    )
    assert ("unused", "apache-airflow-providers-amazon") in findings
    assert ("unused", "apache-airflow") not in findings
    assert ("unused", "google-cloud-storage") not in findings


def test_a_module_protoc_generates_is_the_projects_own(tmp_path):
    # A notebook compiles person.proto with protoc, then imports the person_pb2 it wrote.
    findings = _findings(
        tmp_path,
        {
            "requirements.txt": "protobuf==5.28\n",
            "app/main.py": "import google.protobuf\nfrom person_pb2 import Person\n"
            "import addressbook_pb2_grpc\nimport grpc_status\n",
        },
    )
    assert not {f for f in findings if f[1] in ("person-pb2", "addressbook-pb2-grpc")}
    assert ("missing", "grpc-status") in findings or ("missing", "grpcio-status") in findings
