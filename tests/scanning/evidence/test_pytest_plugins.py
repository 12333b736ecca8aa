"""pytest plugins show in their options, ini keys, fixtures and markers: each entry read."""

from __future__ import annotations

import textwrap

import pytest

from scanning.evidence import pytest_plugins

from .conftest import Scan, names


def _check(usages, plugin) -> None:
    distributions, source = plugin
    assert source.startswith("https://")
    assert set(distributions) <= names(usages, is_distribution=True, mode="test")


@pytest.mark.parametrize(("option", "plugin"), sorted(pytest_plugins.OPTIONS.items()))
def test_each_option_on_a_pytest_command_line_names_its_plugin(scan: Scan, option, plugin) -> None:
    usages, _ = scan({"tox.ini": f"[testenv]\ncommands = pytest {option}=1 tests\n"})
    distributions, _ = plugin
    assert set(distributions) <= names(usages, is_distribution=True)


@pytest.mark.parametrize(("prefix", "plugin"), sorted(pytest_plugins.OPTION_PREFIXES.items()))
def test_each_option_prefix_in_addopts_names_its_plugin(scan: Scan, prefix, plugin) -> None:
    usages, _ = scan({"pytest.ini": f"[pytest]\naddopts = {prefix}thing\n"})
    _check(usages, plugin)


@pytest.mark.parametrize(("key", "plugin"), sorted(pytest_plugins.INI_KEYS.items()))
def test_each_ini_key_names_its_plugin(scan: Scan, key, plugin) -> None:
    usages, _ = scan({"pyproject.toml": f'[tool.pytest.ini_options]\n{key} = "x"\n'})
    _check(usages, plugin)


def test_pytest_ini_env_files_is_pytest_dotenv_s_beside_pytest_env_s_env(scan: Scan) -> None:
    ini = "[pytest]\naddopts = --ff\nenv =\n    RECAPTCHA_TESTING=True\nenv_files =\n    .env\n"
    usages, _ = scan({"pytest.ini": ini})
    assert {"pytest-env", "pytest-dotenv"} <= {u.name for u in usages}


@pytest.mark.parametrize(("fixture", "plugin"), sorted(pytest_plugins.FIXTURES.items()))
def test_each_fixture_a_test_asks_for_names_its_plugin(scan: Scan, fixture, plugin) -> None:
    usages, _ = scan({"tests/test_x.py": f"def test_it({fixture}):\n    pass\n"})
    _check(usages, plugin)


@pytest.mark.parametrize(("marker", "plugin"), sorted(pytest_plugins.MARKERS.items()))
def test_each_marker_names_its_plugin(scan: Scan, marker, plugin) -> None:
    source = f"import pytest\n\n@pytest.mark.{marker}\ndef test_it():\n    pass\n"
    usages, _ = scan({"tests/test_x.py": source})
    _check(usages, plugin)


def test_plugin_evidence_in_commands_fixtures_and_markers(scan: Scan) -> None:
    makefile = "test:\n\tpython -m pytest -n auto --cov=shop --cov-report=xml\n"
    tests = textwrap.dedent(
        """
        import pytest
        pytestmark = pytest.mark.django_db

        @pytest.fixture
        def client():  # the project's own fixture: proves nothing
            return object()

        async def test_pay(client, mocker, settings):
            mocker.patch("shop.pay")
        """
    )
    usages, _ = scan({"Makefile": makefile, "tests/test_pay.py": tests})
    found = {(u.name, u.path, u.line) for u in usages if u.is_distribution and u.kind == "config"}
    assert found == {
        ("pytest-xdist", "Makefile", 2),
        ("pytest-cov", "Makefile", 2),
        ("pytest-django", "tests/test_pay.py", 3),
        ("pytest-mock", "tests/test_pay.py", 9),
    }


def test_fixture_names_outside_tests_and_other_tools_options_are_no_evidence(scan: Scan) -> None:
    usages, _ = scan(
        {
            "app/service.py": "def handle(mocker, benchmark):\n    pass\n",
            "Makefile": "build:\n\tmake -n all\n\tsort -n data.txt\n",
        }
    )
    assert not names(usages, is_distribution=True) & {
        "pytest-mock",
        "pytest-benchmark",
        "pytest-xdist",
    }


def test_dash_p_names_a_pytest11_entry_point_or_a_module(scan: Scan) -> None:
    usages, _ = scan(
        {
            "pytest.ini": "[pytest]\naddopts = -p pytest_randomly -p no:cacheprovider\n",
            "Makefile": "t:\n\tpytest -p xdist.plugin -q\n",
        }
    )
    groups = {(u.name, u.path) for u in usages if u.kind == "entry-point-group"}
    assert groups == {
        ("pytest11:pytest_randomly", "pytest.ini"),
        ("pytest11:xdist.plugin", "Makefile"),
    }
    assert {"pytest_randomly", "xdist"} <= names(usages, kind="string-reference")


def test_every_plugin_that_acts_only_when_asked_has_a_trigger_in_the_tables():
    from scanning.evidence import pytest_plugins as plugins

    tables = (plugins.OPTIONS, plugins.OPTION_PREFIXES, plugins.INI_KEYS, plugins.FIXTURES,
              plugins.MARKERS)  # fmt: skip
    triggered = {name for table in tables for names, _ in table.values() for name in names}
    for name, source in plugins.ACTS_ONLY_WHEN_ASKED.items():
        assert name in triggered, name
        assert source.startswith("https://"), name
