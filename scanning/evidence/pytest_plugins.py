"""Which pytest plugin an option, an ini key, a fixture or a marker belongs to.

A plugin is loaded through its ``pytest11`` entry point once installed, so nothing imports it:
what shows it in use is what only it understands. These names are not in any metadata (entry
points list plugin modules, not their options or fixtures), hence a table, each entry with the
plugin's documentation. Several distributions for one name: any of them provides it.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from scanning.distributions.plugin_fixtures import fixture_name
from scanning.evidence import astnodes
from scanning.types import (
    CONFIG,
    ENTRY_POINT_GROUP,
    FIXTURE_DEFINITION,
    FIXTURE_REQUEST,
    DistributionFacts,
    Usage,
)

_COV = "https://pytest-cov.readthedocs.io/en/latest/config.html"
_XDIST = "https://pytest-xdist.readthedocs.io/en/stable/distribution.html"
_DJANGO = "https://pytest-django.readthedocs.io/en/latest/"
_TIMEOUT = "https://github.com/pytest-dev/pytest-timeout#usage"
_BENCHMARK = "https://pytest-benchmark.readthedocs.io/en/latest/usage.html"
_ASYNCIO = "https://pytest-asyncio.readthedocs.io/en/latest/reference/"
_RERUN = "https://github.com/pytest-dev/pytest-rerunfailures#usage"
_MOCK = "https://pytest-mock.readthedocs.io/en/latest/usage.html"
_RECORDING = "https://github.com/kiwicom/pytest-recording#usage"
_FREEZER = ("pytest-freezer", "pytest-freezegun")
_NBVAL = "https://nbval.readthedocs.io/en/latest/#How-it-works"
_RUFF = "https://github.com/businho/pytest-ruff#usage"
_FREEZER_DOCS = "https://github.com/pytest-dev/pytest-freezer#usage"

Plugin = tuple[tuple[str, ...], str]  # (distributions, source)

# Command-line options (in addopts, tox/CI/Makefile commands), exact.
OPTIONS: dict[str, Plugin] = {
    "--cov": (("pytest-cov",), _COV),
    "--no-cov": (("pytest-cov",), _COV),
    "-n": (("pytest-xdist",), _XDIST),
    "--numprocesses": (("pytest-xdist",), _XDIST),
    "--dist": (("pytest-xdist",), _XDIST),
    "--maxprocesses": (("pytest-xdist",), _XDIST),
    "--ds": (("pytest-django",), f"{_DJANGO}configuring_django.html"),
    "--dc": (("pytest-django",), f"{_DJANGO}configuring_django.html"),
    "--reuse-db": (("pytest-django",), f"{_DJANGO}database.html"),
    "--create-db": (("pytest-django",), f"{_DJANGO}database.html"),
    "--nomigrations": (("pytest-django",), f"{_DJANGO}database.html"),
    "--no-migrations": (("pytest-django",), f"{_DJANGO}database.html"),
    "--migrations": (("pytest-django",), f"{_DJANGO}database.html"),
    "--timeout": (("pytest-timeout",), _TIMEOUT),
    "--asyncio-mode": (("pytest-asyncio",), f"{_ASYNCIO}configuration.html"),
    "--reruns": (("pytest-rerunfailures",), _RERUN),
    "--reruns-delay": (("pytest-rerunfailures",), _RERUN),
    "--html": (("pytest-html",), "https://pytest-html.readthedocs.io/en/latest/user_guide.html"),
    "--snapshot-update": (("syrupy",), "https://github.com/syrupy-project/syrupy#usage"),
    "--record-mode": (("pytest-recording", "pytest-vcr"), _RECORDING),
    "--testmon": (("pytest-testmon",), "https://testmon.org/"),
    "--randomly-seed": (("pytest-randomly",), "https://github.com/pytest-dev/pytest-randomly"),
    "--mypy": (("pytest-mypy",), "https://github.com/realpython/pytest-mypy#usage"),
    "--nbval": (("nbval",), _NBVAL),
    "--nbval-lax": (("nbval",), _NBVAL),
    "--ruff": (("pytest-ruff",), _RUFF),
    "--ruff-format": (("pytest-ruff",), _RUFF),
}
# Options by prefix: every ``--cov-report``, ``--benchmark-skip``, ``--hypothesis-seed``.
OPTION_PREFIXES: dict[str, Plugin] = {
    "--cov-": (("pytest-cov",), _COV),
    "--benchmark-": (("pytest-benchmark",), _BENCHMARK),
    "--hypothesis-": (("hypothesis",), "https://hypothesis.readthedocs.io/en/latest/details.html"),
}
_DOTENV = "https://github.com/quiqua/pytest-dotenv#usage"
# ini keys ([pytest], [tool.pytest.ini_options]) that only a plugin reads.
INI_KEYS: dict[str, Plugin] = {
    "django_settings_module": (("pytest-django",), f"{_DJANGO}configuring_django.html"),
    "django_find_project": (("pytest-django",), f"{_DJANGO}managing_python_path.html"),
    "asyncio_mode": (("pytest-asyncio",), f"{_ASYNCIO}configuration.html"),
    "asyncio_default_fixture_loop_scope": (("pytest-asyncio",), f"{_ASYNCIO}configuration.html"),
    "timeout": (("pytest-timeout",), _TIMEOUT),
    "env": (("pytest-env",), "https://github.com/pytest-dev/pytest-env#usage"),
    "env_files": (("pytest-dotenv",), _DOTENV),
    "env_override_existing_values": (("pytest-dotenv",), _DOTENV),
    "mock_use_standalone_module": (("pytest-mock",), _MOCK),
}
# Fixtures a test asks for by parameter name. Names a project commonly defines itself
# (``client``, ``db``, ``settings``, ``page``) are left out: they prove nothing.
FIXTURES: dict[str, Plugin] = {
    **{name: (("pytest-mock",), _MOCK)
       for name in ("mocker", "class_mocker", "module_mocker", "package_mocker", "session_mocker")},
    "benchmark": (("pytest-benchmark",), _BENCHMARK),
    "httpx_mock": (("pytest-httpx",), "https://colin-b.github.io/pytest_httpx/"),
    "requests_mock": (("requests-mock",), "https://requests-mock.readthedocs.io/en/latest/pytest.html"),
    "respx_mock": (("respx",), "https://lundberg.github.io/respx/guide/#pytest"),
    "freezer": (_FREEZER, _FREEZER_DOCS),
    "time_machine": (("time-machine",), "https://github.com/adamchainz/time-machine#pytest-plugin"),
    "qtbot": (("pytest-qt",), "https://pytest-qt.readthedocs.io/en/latest/intro.html"),
    **{name: (("pytest-django",), f"{_DJANGO}helpers.html")
       for name in ("django_user_model", "django_username_field", "admin_client", "admin_user",
                    "rf", "async_rf", "live_server", "django_assert_num_queries",
                    "django_assert_max_num_queries", "django_capture_on_commit_callbacks",
                    "django_db_setup", "django_db_blocker", "mailoutbox")},
    "aiohttp_client": (("pytest-aiohttp",), "https://docs.aiohttp.org/en/stable/testing.html"),
    "httpserver": (("pytest-httpserver",), "https://pytest-httpserver.readthedocs.io/"),
    "datadir": (("pytest-datadir",), "https://github.com/gabrielcnr/pytest-datadir#usage"),
    "shared_datadir": (("pytest-datadir",), "https://github.com/gabrielcnr/pytest-datadir#usage"),
    "snapshot": (("syrupy", "pytest-snapshot", "snapshottest"),
                 "https://github.com/syrupy-project/syrupy#usage"),
    "faker": (("faker",), "https://faker.readthedocs.io/en/master/pytest-fixtures.html"),
    "celery_app": (("celery", "pytest-celery"),
                   "https://docs.celeryq.dev/en/stable/userguide/testing.html#pytest-plugin"),
    "celery_worker": (("celery", "pytest-celery"),
                      "https://docs.celeryq.dev/en/stable/userguide/testing.html#pytest-plugin"),
    "subtests": (("pytest-subtests",), "https://github.com/pytest-dev/pytest-subtests#usage"),
    "vcr": (("pytest-recording", "pytest-vcr"), _RECORDING),
}  # fmt: skip
# ``@pytest.mark.NAME`` markers a plugin defines (pytest's own are not listed).
MARKERS: dict[str, Plugin] = {
    "asyncio": (("pytest-asyncio",), f"{_ASYNCIO}markers/index.html"),
    "django_db": (("pytest-django",), f"{_DJANGO}helpers.html#pytest-mark-django-db"),
    "urls": (("pytest-django",), f"{_DJANGO}helpers.html#pytest-mark-urls"),
    "timeout": (("pytest-timeout",), _TIMEOUT),
    "flaky": (("pytest-rerunfailures", "flaky"), _RERUN),
    "vcr": (("pytest-recording", "pytest-vcr"), _RECORDING),
    "default_cassette": (("pytest-recording",), _RECORDING),
    "benchmark": (("pytest-benchmark",), _BENCHMARK),
    "order": (("pytest-order",), "https://pytest-order.readthedocs.io/en/stable/usage.html"),
    "dependency": (("pytest-dependency",), "https://pytest-dependency.readthedocs.io/"),
    "trio": (("pytest-trio",), "https://pytest-trio.readthedocs.io/en/stable/quickstart.html"),
    "anyio": (("anyio",), "https://anyio.readthedocs.io/en/stable/testing.html"),
    "freeze_time": (_FREEZER, _FREEZER_DOCS),
    "httpx_mock": (("pytest-httpx",), "https://colin-b.github.io/pytest_httpx/"),
    "xdist_group": (("pytest-xdist",), _XDIST),
    "celery": (("celery", "pytest-celery"),
               "https://docs.celeryq.dev/en/stable/userguide/testing.html#pytest-plugin"),
}  # fmt: skip

# Plugins that, once installed, change nothing until asked: their options, ini keys, fixtures or
# markers above are the only ways to use them, so without one they are unused. A plugin not
# listed here may act by being installed (pytest-randomly, pytest-sugar) and gets the benefit.
ACTS_ONLY_WHEN_ASKED: dict[str, str] = {
    "pytest-cov": _COV,  # measures nothing without --cov
    "pytest-xdist": _XDIST,  # runs in one process without -n / --dist
    "pytest-mock": _MOCK,  # provides fixtures only
    "pytest-benchmark": _BENCHMARK,  # the benchmark fixture
    "pytest-datadir": "https://github.com/gabrielcnr/pytest-datadir#usage",  # fixtures only
    "pytest-html": "https://pytest-html.readthedocs.io/en/latest/user_guide.html",  # --html
    "pytest-rerunfailures": _RERUN,  # --reruns or the flaky marker
    "nbval": _NBVAL,  # collects notebooks only with --nbval / --nbval-lax
    "pytest-ruff": _RUFF,  # checks files only with --ruff / --ruff-format
}


def option_plugin(arg: str) -> Plugin | None:
    """The plugin a command-line argument (``--cov=app``, ``-n4``) belongs to, if any."""
    flag = arg.split("=", 1)[0]
    if flag in OPTIONS:
        return OPTIONS[flag]
    if (flag.startswith("-n") and flag[2:].isdigit()) or flag == "-nauto":
        return OPTIONS["-n"]
    return next(
        (plugin for prefix, plugin in OPTION_PREFIXES.items() if flag.startswith(prefix)), None
    )


def usages_of(plugin: Plugin, path: str, line: int, mode: str, what: str) -> list[Usage]:
    distributions, source = plugin
    detail = f"{what} ({' or '.join(distributions)} per {source})"
    return [Usage(name, path, line, CONFIG, mode, False, True, detail) for name in distributions]


def named_plugin_usages(name: str, path: str, line: int, mode: str) -> list[Usage]:
    """``-p NAME`` loads the plugin registered as NAME in the ``pytest11`` entry-point group, or
    else the module NAME (https://docs.pytest.org/en/stable/how-to/plugins.html)."""
    from scanning.evidence.strings import module_usages  # strings is heavier; only when needed

    detail = f"pytest -p {name}: the pytest11 entry point or module of that name"
    group = Usage(f"pytest11:{name}", path, line, ENTRY_POINT_GROUP, mode, True, False, detail)
    return [group, *module_usages(name, path, line, mode, "pytest -p")]


def argument_usages(args: list[str], path: str, line: int, mode: str) -> list[Usage]:
    """Plugins whose options a pytest command line passes, and those ``-p`` loads."""
    found: list[Usage] = []
    for position, arg in enumerate(args):
        plugin = option_plugin(arg) if arg.startswith("-") else None
        if plugin:
            found += usages_of(plugin, path, line, mode, f"pytest option {arg}")
        name = args[position + 1] if arg == "-p" and position + 1 < len(args) else ""
        if name and not name.startswith("no:"):
            found += named_plugin_usages(name, path, line, mode)
    return found


# pytest's own fixtures (https://docs.pytest.org/en/stable/reference/fixtures.html#built-in-fixtures)
# and the names of methods' first parameters: never a plugin's.
NOT_PLUGIN_FIXTURES = frozenset(
    {"self", "cls", "request", "cache", "capsys", "capsysbinary", "capfd", "capfdbinary",
     "caplog", "doctest_namespace", "monkeypatch", "pytestconfig", "pytester", "testdir",
     "record_property", "record_xml_attribute", "record_testsuite_property", "recwarn",
     "tmp_path", "tmp_path_factory", "tmpdir", "tmpdir_factory", "subtests"}
)  # fmt: skip
_TEST_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Attribute)
_FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef)


def may_use_markers(source: str) -> bool:
    """Whether ``source`` can hold ``<x>.mark.<marker>`` for one of ``MARKERS``.

    An ASCII text spells each attribute name as it is (a non-ASCII one may spell it in other
    characters that normalise to it): without ``mark`` or without any marker's name in it,
    no such attribute is there, and only the functions are left to read.
    """
    if not source.isascii():
        return True
    return "mark" in source and any(name in source for name in MARKERS)


def test_code_usages(
    tree: ast.AST, path: str, mode: str, markers_possible: bool = True
) -> list[Usage]:
    """Plugins whose fixtures the tests ask for and whose markers they use; the other fixtures
    asked for and those defined, for ``plugin_fixture_usages``.

    ``markers_possible`` False (``may_use_markers``) reads the functions alone, found among
    the statements in the same order, without visiting every expression of the file."""
    found: list[Usage] = []
    requested: dict[str, int] = {}
    nodes = (
        astnodes.walk(tree, _TEST_NODES)
        if markers_possible
        else astnodes.statement_walk(tree, _FUNCTION_NODES)
    )
    for node in nodes:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            defined = fixture_name(node)
            if defined:
                found.append(Usage(defined, path, node.lineno, FIXTURE_DEFINITION, mode))
            arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
            for argument in arguments:
                plugin = FIXTURES.get(argument.arg)
                if plugin:
                    what = f"pytest fixture {argument.arg}"
                    found += usages_of(plugin, path, argument.lineno, mode, what)
                elif argument.arg not in NOT_PLUGIN_FIXTURES:
                    requested.setdefault(argument.arg, argument.lineno)
        elif isinstance(node, ast.Attribute) and node.attr in MARKERS:
            holder = node.value
            if isinstance(holder, ast.Attribute) and holder.attr == "mark":
                what = f"pytest marker {node.attr}"
                found += usages_of(MARKERS[node.attr], path, node.lineno, mode, what)
    found += [Usage(name, path, line, FIXTURE_REQUEST, mode) for name, line in requested.items()]
    return found


def fixture_definitions(tree: ast.Module, path: str, mode: str) -> list[Usage]:
    """Fixtures a module outside the tests defines (a project's own pytest plugin module)."""
    return [
        Usage(name, path, node.lineno, FIXTURE_DEFINITION, mode)
        for node in tree.body
        if (name := fixture_name(node))
    ]


def is_fixture_fact(usage: Usage) -> bool:
    return usage.kind in (FIXTURE_REQUEST, FIXTURE_DEFINITION)


def plugin_fixture_usages(
    usages: list[Usage], provided: Mapping[str, DistributionFacts]
) -> list[Usage]:
    """Fixtures the tests ask for that no file of the repository defines, as uses of the
    declared plugins whose wheels define them (pytest-flask's ``client``). Without facts from
    a wheel nothing is credited: a fixture name alone (``client``) proves nothing."""
    defined = {u.name for u in usages if u.kind == FIXTURE_DEFINITION}
    providers: dict[str, list[str]] = {}
    for facts in provided.values():
        for fixture in facts.fixtures:
            providers.setdefault(fixture, []).append(facts.name)
    found = []
    for usage in usages:
        if usage.kind != FIXTURE_REQUEST or usage.name in defined:
            continue
        for distribution in sorted(providers.get(usage.name, ())):
            detail = (
                f"pytest fixture {usage.name}, which no file of the repository defines"
                f" ({distribution}'s pytest plugin defines it, per its wheel)"
            )
            found.append(
                Usage(distribution, usage.path, usage.line, CONFIG, usage.mode, False, True, detail)
            )
    return found
