"""A fixture the tests ask for that no file of the repository defines comes from a plugin."""

from __future__ import annotations

from scanning import rules
from scanning.engine.pipeline import scan_tree
from scanning.types import Declaration, DistributionFacts, EntryPoint
from tests.factories import write_tree

from .conftest import kinds_and_subjects

PLUGIN = "pytest-chrono"
_REPO = {
    "requirements.txt": f"flask==3.0\n{PLUGIN}==1.0\n",
    "app.py": "import flask\n",
    "tests/conftest.py": (
        "import pytest\nfrom app import create\n\n"
        "@pytest.fixture\ndef app():\n    return create()\n"
    ),
    "tests/test_hooks.py": "def test_home(client, app, tmp_path):\n    assert client.get('/')\n",
}


def _provided(fixtures: tuple[str, ...]):
    def load(declarations: list[Declaration]) -> dict[str, DistributionFacts]:
        plugin = DistributionFacts(
            PLUGIN,
            ("pytest_chrono",),
            "index",
            "1.0",
            entry_points=(EntryPoint("pytest11", "chrono", "pytest_chrono.plugin"),),
            fixtures=fixtures,
        )
        return {PLUGIN: plugin, "flask": DistributionFacts("flask", ("flask",), "index", "3.0")}

    return load


def _scan(tmp_path, files: dict[str, str], fixtures: tuple[str, ...] | None):
    loader = None if fixtures is None else _provided(fixtures)
    tree = scan_tree(write_tree(tmp_path, files), provided=loader)
    return tree, kinds_and_subjects(rules.run_rules(tree, kinds=rules.ALL_KINDS))


def test_a_fixture_only_a_declared_plugin_defines_is_a_use_of_the_plugin(tmp_path):
    tree, found = _scan(tmp_path, _REPO, ("client", "live_server"))

    assert ("unused", PLUGIN) not in found
    [use] = [u for u in tree.usages if u.name == PLUGIN]
    assert (use.path, use.line, use.mode) == ("tests/test_hooks.py", 1, "test")
    assert "pytest fixture client" in use.detail


def test_a_fixture_the_repository_defines_is_no_use_of_a_plugin(tmp_path):
    repo = {**_REPO, "tests/conftest.py": _REPO["tests/conftest.py"] + "\n@pytest.fixture\n"
            "def client(app):\n    return app.test_client()\n"}  # fmt: skip

    _, found = _scan(tmp_path, repo, ("client",))

    assert ("unused", PLUGIN) in found


def test_without_facts_from_the_wheel_a_fixture_name_proves_nothing(tmp_path):
    _, with_other_fixtures = _scan(tmp_path / "a", _REPO, ("live_server",))
    _, without_index = _scan(tmp_path / "b", _REPO, None)

    assert ("unused", PLUGIN) in with_other_fixtures
    assert ("unused", PLUGIN) in without_index


def test_fixture_requests_and_definitions_are_not_kept_as_evidence(tmp_path):
    tree, _ = _scan(tmp_path, _REPO, ("client",))

    assert not {u.kind for u in tree.usages} & {"fixture-request", "fixture-definition"}
