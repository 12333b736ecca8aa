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
    assert names(usages, kind=STRING_REFERENCE) == {"xdist"}
    assert names(usages, kind=CONFIG, is_distribution=True) == {
        "pytest-django",
        "pytest-cov",
        "pytest-randomly",
    }
    assert {u.mode for u in usages if u.kind != ENTRY_POINT} == {"test"}


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
    assert names(usages, kind=CONFIG) == {"pytest-xdist", "pytest-asyncio"}
    assert names(usages, kind=ENTRY_POINT) == {"acme_tool"}


def test_alembic_ini_url_implies_driver(scan: Scan) -> None:
    ini = "[alembic]\nscript_location = alembic\nsqlalchemy.url = postgresql+asyncpg://u@h/db\n"
    usages, _ = scan({"alembic.ini": ini})
    assert [(u.name, u.line, u.mode) for u in usages] == [("asyncpg", 3, "migration")]


def test_invalid_toml_and_ini_become_file_errors(scan: Scan) -> None:
    usages, errors = scan({"pyproject.toml": "[project\n", "setup.cfg": "no section header\n"})
    assert usages == []
    assert {e.path for e in errors} == {"pyproject.toml", "setup.cfg"}
