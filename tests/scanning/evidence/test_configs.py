from __future__ import annotations

import textwrap

from scanning.types import CONFIG, ENTRY_POINT, STRING_REFERENCE

from .conftest import Scan, names

PYPROJECT = textwrap.dedent(
    """
    [project]
    name = "acme"
    [project.scripts]
    acme = "acme_cli.main:run"
    [project.entry-points."flake8.extension"]
    ACM = "acme_lint.checker:Plugin"
    [tool.poetry.scripts]
    legacy = { reference = "acme_legacy:main", type = "console" }
    [tool.pytest.ini_options]
    DJANGO_SETTINGS_MODULE = "config.settings.test"
    addopts = "-ra -p xdist.looponfail -p no:cacheprovider --cov=acme"
    required_plugins = "pytest-randomly>=3"
    """
)


def test_pyproject_entry_points_name_their_modules(scan: Scan) -> None:
    usages, errors = scan({"pyproject.toml": PYPROJECT})
    assert errors == []
    entry_points = {u.name: u for u in usages if u.kind == ENTRY_POINT}
    assert set(entry_points) == {"acme_cli", "acme_lint", "acme_legacy"}
    assert entry_points["acme_cli"].line == 5


def test_pytest_options_name_plugins(scan: Scan) -> None:
    usages, _ = scan({"pyproject.toml": PYPROJECT})
    plugins = [u for u in usages if not u.detail.startswith("[tool.")]
    assert names(plugins, kind=STRING_REFERENCE) == {"xdist"}
    assert names(plugins, kind=CONFIG, is_distribution=True) == {
        "pytest-django",
        "pytest-cov",
        "pytest-randomly",
    }
    assert {u.mode for u in plugins if u.kind != ENTRY_POINT} == {"test"}


def test_pytest_ini_setup_cfg_and_tox_ini_sections(scan: Scan) -> None:
    usages, errors = scan(
        {
            "pytest.ini": "[pytest]\naddopts = -p pytest_mock -n auto\n",
            "setup.cfg": (
                "[tool:pytest]\nasyncio_mode = auto\n"
                "[options.entry_points]\nconsole_scripts =\n    tool = acme_tool.cli:main\n"
            ),
            "tox.ini": "[pytest]\naddopts = -pfreezegun\n",
        }
    )
    assert errors == []
    assert names(usages, kind=STRING_REFERENCE) == {"pytest_mock", "freezegun"}
    # Plugins from the options; pytest and tox themselves from their settings.
    assert names(usages, kind=CONFIG) == {"pytest-xdist", "pytest-asyncio", "pytest", "tox"}
    assert names(usages, kind=ENTRY_POINT) == {"acme_tool"}


def test_tool_settings_name_the_tool_they_configure(scan: Scan) -> None:
    usages, errors = scan(
        {
            "pyproject.toml": '[tool.black]\nline-length = 100\n[tool."Bad Name"]\nx = 1\n',
            "setup.cfg": "[metadata]\nname = acme\n[flake8]\nmax-line-length = 100\n"
            "[mypy-vendor.*]\nignore_errors = True\n[coverage:run]\nbranch = True\n",
            "tox.ini": "[isort]\nprofile = black\n",
            "pkg/.coveragerc": "[run]\nbranch = True\n",
            ".flake8": "[flake8]\n",
            "ruff.toml": "line-length = 100\n",
            "isort.txt": "[isort]\n",  # not a settings file of any tool
        }
    )
    assert errors == []
    found = {(u.name, u.path, u.line) for u in usages if u.kind == CONFIG}
    assert found == {
        ("black", "pyproject.toml", 1),
        ("flake8", "setup.cfg", 3),
        ("mypy", "setup.cfg", 5),
        ("coverage", "setup.cfg", 7),
        ("isort", "tox.ini", 1),
        ("tox", "tox.ini", 0),
        ("coverage", "pkg/.coveragerc", 0),
        ("flake8", ".flake8", 0),
        ("ruff", "ruff.toml", 0),
    }
    assert all(u.is_distribution and u.mode == "ci" for u in usages)


def test_alembic_ini_url_implies_driver(scan: Scan) -> None:
    ini = "[alembic]\nscript_location = alembic\nsqlalchemy.url = postgresql+asyncpg://u@h/db\n"
    usages, _ = scan({"alembic.ini": ini})
    assert [(u.name, u.line, u.mode) for u in usages] == [("asyncpg", 3, "migration")]


def test_invalid_toml_and_ini_become_file_errors(scan: Scan) -> None:
    usages, errors = scan({"pyproject.toml": "[project\n", "setup.cfg": "no section header\n"})
    assert usages == []
    assert {e.path for e in errors} == {"pyproject.toml", "setup.cfg"}


def test_a_tool_table_named_unlike_its_distribution_names_the_distribution(scan: Scan) -> None:
    usages, errors = scan({"pyproject.toml": '[tool.importlinter]\nroot_packages = ["app"]\n'})
    assert errors == []
    assert {(u.name, u.line) for u in usages if u.kind == CONFIG} == {("import-linter", 1)}
    usages, _ = scan({"pyproject.toml": '[tool.dg]\ndirectory_type = "project"\n'})
    assert {u.name for u in usages if u.kind == CONFIG} == {"dagster-dg-cli"}


def test_pytest_9_options_in_tool_pytest_name_plugins(scan: Scan) -> None:
    pyproject = '[tool.pytest]\nminversion = "9.0"\naddopts = ["--numprocesses", "auto", "--cov"]\n'
    usages, _ = scan({"pyproject.toml": pyproject})
    assert {"pytest-xdist", "pytest-cov"} <= names(usages, kind=CONFIG, is_distribution=True)


def test_tox_toml_posargs_default_words_are_the_command_that_runs(scan: Scan) -> None:
    posargs = '{replace = "posargs", default = ["--cov=app", "-n", "auto"], extend = true}'
    tox = f'[env_run_base]\ncommands = [["pytest", {posargs}]]\n'
    usages, _ = scan({"tox.toml": tox})
    assert {"pytest-cov", "pytest-xdist"} <= names(usages, is_distribution=True)


def test_pylint_load_plugins_are_modules_pylint_imports(scan: Scan) -> None:
    usages, errors = scan(
        {
            "pylintrc": "[MASTER]\nload-plugins = edx_lint.pylint,pylint_django\n",
            "pyproject.toml": '[tool.pylint.main]\nload-plugins = ["pylint_celery"]\n',
            "setup.cfg": "[pylint.MASTER]\nload-plugins = pylint_pytest\n",
        }
    )
    assert errors == []
    assert {"edx_lint", "pylint_django", "pylint_celery", "pylint_pytest"} <= names(usages)
