"""Module and plugin names in tool configuration: pytest options, entry points, alembic.ini,
and the development tools that setup.cfg, tox.ini and pyproject.toml hold settings for."""

from __future__ import annotations

import configparser
import shlex
import tomllib

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from scanning.evidence import ciconfig, logconfig, pytest_plugins, taskrunners, toml11, toolconfig
from scanning.evidence.patterns import SQLALCHEMY
from scanning.evidence.sources import line_of
from scanning.evidence.strings import module_usages, url_usages
from scanning.types import CONFIG, ENTRY_POINT, FileError, Usage

Extracted = tuple[list[Usage], list[FileError]]
TEST = "test"
_PYTEST_SECTIONS = {"pytest.ini": "pytest", "tox.ini": "pytest", "setup.cfg": "tool:pytest"}
_SHARED_INI_FILES = frozenset({"setup.cfg", "tox.ini"})  # files whose sections several tools read


def pyproject_usages(text: str, path: str) -> Extracted:
    """``[project.scripts]``, ``[project.entry-points]``, Poetry scripts/plugins, pytest options,
    and one usage per ``[tool.NAME]`` table."""
    try:
        document = toml11.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        return [], [FileError(path, f"invalid TOML: {str(exc)[:200]}")]
    lines = text.splitlines()
    project = _table(document, "project")
    poetry = _table(_table(document, "tool"), "poetry")
    targets = [*_table(project, "scripts").values(), *_table(project, "gui-scripts").values()]
    for group in (*_table(project, "entry-points").values(), *_table(poetry, "plugins").values()):
        targets += group.values() if isinstance(group, dict) else []
    for script in _table(poetry, "scripts").values():
        targets.append(script.get("reference", "") if isinstance(script, dict) else script)
    usages = _entry_point_usages(targets, path, lines)
    tools = _table(document, "tool")
    pytest = _table(tools, "pytest")
    usages += _pytest_usages(_table(pytest, "ini_options"), path, lines)
    # pytest 9 reads its options from [tool.pytest] itself, as native TOML values
    # (https://docs.pytest.org/en/stable/reference/customize.html#pyproject-toml).
    usages += _pytest_usages({k: v for k, v in pytest.items() if k != "ini_options"}, path, lines)
    usages += toolconfig.pyproject_tool_usages(tools, path, lines)
    for section in _table(tools, "pylint").values():
        if isinstance(section, dict):
            usages += _pylint_plugins(section.get(PYLINT_PLUGINS), path, lines)
    usages += ciconfig.tox_toml_usages(_table(tools, "tox"), path, lines)
    usages += taskrunners.pyproject_task_usages(tools, path, lines)
    return usages, []


def tox_toml_usages(text: str, path: str) -> Extracted:
    """Commands of a ``tox.toml``."""
    try:
        document = toml11.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        return [], [FileError(path, f"invalid TOML: {str(exc)[:200]}")]
    return ciconfig.tox_toml_usages(document, path, text.splitlines()), []


def ini_usages(text: str, path: str) -> Extracted:
    """pytest.ini / tox.ini / setup.cfg pytest options, setup.cfg entry points, alembic URLs."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        return [], [FileError(path, f"invalid INI: {str(exc).splitlines()[0][:200]}")]
    lines = text.splitlines()
    name = path.rsplit("/", 1)[-1]
    usages: list[Usage] = []
    section = _PYTEST_SECTIONS.get(name)
    if section and parser.has_section(section):
        usages += _pytest_usages(dict(parser.items(section)), path, lines)
    if name in _SHARED_INI_FILES:
        usages += toolconfig.ini_section_usages(parser, path, lines)
    for section_name in parser.sections():
        if name in PYLINT_FILES or section_name.lower().startswith("pylint."):
            plugins = parser.get(section_name, PYLINT_PLUGINS, fallback=None)
            usages += _pylint_plugins(plugins, path, lines)
    if parser.has_section("options.entry_points"):
        targets = [
            target.split("=", 1)[1]
            for value in dict(parser.items("options.entry_points")).values()
            for target in value.splitlines()
            if "=" in target
        ]
        usages += _entry_point_usages(targets, path, lines)
    usages += logconfig.ini_logging_usages(parser, path, lines, "script")
    if "alembic" in name:
        for section_name in parser.sections():
            url = parser.get(section_name, "sqlalchemy.url", fallback="")
            line = line_of(lines, url)
            usages += url_usages(url, path, line, "migration", SQLALCHEMY) if url else []
    return usages, []


# pylint loads the modules its load-plugins option lists
# (https://pylint.readthedocs.io/en/stable/user_guide/configuration/all-options.html#load-plugins).
PYLINT_PLUGINS = "load-plugins"
PYLINT_FILES = frozenset({"pylintrc", ".pylintrc"})


def _pylint_plugins(value: object, path: str, lines: list[str]) -> list[Usage]:
    words = value if isinstance(value, list) else str(value or "").replace(",", " ").split()
    usages: list[Usage] = []
    for word in words:
        if isinstance(word, str) and word.strip():
            module = word.strip()
            usages += module_usages(
                module, path, line_of(lines, module), "ci", "pylint load-plugins"
            )
    return usages


def _pytest_usages(options: dict[str, object], path: str, lines: list[str]) -> list[Usage]:
    usages: list[Usage] = []

    def plugin(distribution: str, needle: str, detail: str) -> None:
        line = line_of(lines, needle)
        usages.append(Usage(distribution, path, line, CONFIG, TEST, False, True, detail))

    for key in options:
        known = pytest_plugins.INI_KEYS.get(key.lower())
        if known:
            usages += pytest_plugins.usages_of(
                known, path, line_of(lines, key), TEST, f"pytest ini {key}"
            )
    for requirement in _words(options.get("required_plugins")):
        try:
            plugin(
                canonicalize_name(Requirement(requirement).name), requirement, "required_plugins"
            )
        except InvalidRequirement:
            continue
    args = _words(options.get("addopts"))
    for position, arg in enumerate(args):
        known = pytest_plugins.option_plugin(arg) if arg.startswith("-") else None
        if known:
            where = line_of(lines, arg)
            usages += pytest_plugins.usages_of(known, path, where, TEST, f"pytest addopts {arg}")
        if arg == "-p" and position + 1 < len(args):
            name = args[position + 1]
        elif arg.startswith("-p") and len(arg) > 2 and not arg.startswith("--"):
            name = arg[2:]
        else:
            continue
        if not name.startswith("no:"):
            usages += pytest_plugins.named_plugin_usages(name, path, line_of(lines, name), TEST)
    return usages


def _entry_point_usages(targets: list[object], path: str, lines: list[str]) -> list[Usage]:
    usages = []
    for target in targets:
        if isinstance(target, str) and target.strip():
            module = target.strip().split(":")[0].strip()
            line = line_of(lines, target.strip())
            for usage in module_usages(module, path, line, "script", "entry point"):
                usages.append(Usage(usage.name, path, line, ENTRY_POINT, "script", detail=target))
    return usages


def _table(document: object, key: str) -> dict[str, object]:
    value = document.get(key) if isinstance(document, dict) else None
    return value if isinstance(value, dict) else {}


def _words(value: object) -> list[str]:
    if isinstance(value, list):
        return [word for item in value if isinstance(item, str) for word in _words(item)]
    if not isinstance(value, str):
        return []
    try:
        return shlex.split(value)
    except ValueError:
        return value.split()
