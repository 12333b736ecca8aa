"""The fixtures a pytest plugin's wheel defines, read from its plugin modules' source."""

from __future__ import annotations

import io
import textwrap
import zipfile

from scanning.distributions import plugin_fixtures
from scanning.index import wheels
from tests.package_index import wheel

PLUGIN = "pytest-chrono"
INFO = "pytest_chrono-1.0.dist-info"
_FIXTURES_MODULE = textwrap.dedent(
    """
    import pytest

    @pytest.fixture
    def client(app):
        return app.test_client()

    @pytest.fixture(scope="session", name="live_server")
    def _live_server(request):
        ...

    @pytest.fixture()
    async def config(app):
        return app.config

    def helper():
        pass

    class Thing:
        @pytest.fixture
        def inside(self):
            ...
    """
)
_PLUGIN_MODULE = textwrap.dedent(
    """
    from pytest import fixture
    from .fixtures import client, live_server, helper

    @fixture(autouse=True)
    def _push_context(request):
        ...
    """
)


def _wheel(modules: dict[str, str], entry_points: str) -> zipfile.ZipFile:
    files = {**modules, f"{INFO}/entry_points.txt": entry_points}
    return zipfile.ZipFile(io.BytesIO(wheel(PLUGIN, "1.0", files)))


def test_a_plugin_wheel_says_which_fixtures_it_provides():
    archive = _wheel(
        {
            "pytest_chrono/__init__.py": "",
            "pytest_chrono/plugin.py": _PLUGIN_MODULE,
            "pytest_chrono/fixtures.py": _FIXTURES_MODULE,
        },
        "[pytest11]\nchrono = pytest_chrono.plugin\n",
    )

    facts = wheels.facts_in_wheel(archive, PLUGIN, "1.0")

    # Imported from .fixtures and defined there: client, live_server (by its name=); its own
    # _push_context. Not helper (no fixture), config (not imported), inside (a method).
    assert facts.fixtures == ("_push_context", "client", "live_server")


def test_a_plugin_package_and_star_imports_are_followed():
    archive = _wheel(
        {
            "pytest_chrono/__init__.py": "from .fixtures import *\n",
            "pytest_chrono/fixtures.py": _FIXTURES_MODULE,
        },
        "[pytest11]\nchrono = pytest_chrono\n",
    )

    facts = wheels.facts_in_wheel(archive, PLUGIN, "1.0")

    assert facts.fixtures == ("client", "config", "live_server")


def test_a_wheel_without_a_pytest_plugin_provides_no_fixtures():
    archive = _wheel(
        {"pytest_chrono/__init__.py": "", "pytest_chrono/fixtures.py": _FIXTURES_MODULE},
        "[console_scripts]\nchrono = pytest_chrono:main\n",
    )

    assert wheels.facts_in_wheel(archive, PLUGIN, "1.0").fixtures == ()


def test_a_broken_or_missing_plugin_module_provides_nothing():
    archive = _wheel(
        {"pytest_chrono/plugin.py": "def broken(:\n"},
        "[pytest11]\nchrono = pytest_chrono.plugin\nother = pytest_chrono.absent\n",
    )

    facts = wheels.facts_in_wheel(archive, PLUGIN, "1.0")

    assert facts.fixtures == ()
    assert facts.import_names == ("pytest_chrono",)


def test_imports_of_modules_outside_the_wheel_or_too_far_up_are_ignored():
    sources = {
        "pkg.plugin": (
            "from ...elsewhere import client\nfrom other_dist import server\n",
            False,
        ),
    }
    found = plugin_fixtures.fixtures_of(["pkg.plugin"], sources.get)
    assert found == ()


def test_entry_point_values_name_their_modules():
    values = ["pytest_chrono.plugin", "pytest_chrono.plugin:Plugin", "not a module", ""]
    assert plugin_fixtures.plugin_modules(values) == ["pytest_chrono.plugin"]
