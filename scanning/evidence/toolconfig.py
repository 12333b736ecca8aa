"""Settings written for a development tool: a sign the project runs it, though nothing imports it.

A formatter or linter is run, not imported; when no command names it either, its settings
(``[tool.black]``, ``[flake8]`` in setup.cfg, a ``.coveragerc``) are what show it is in use.
"""

from __future__ import annotations

import configparser

from packaging.utils import canonicalize_name

from scanning.evidence.sources import line_of
from scanning.types import CONFIG, Usage

# Files that exist only to configure one tool.
CONFIG_FILES: dict[str, str] = {
    ".flake8": "flake8",
    ".isort.cfg": "isort",
    "mypy.ini": "mypy",
    ".mypy.ini": "mypy",
    ".coveragerc": "coverage",
    ".pylintrc": "pylint",
    "pylintrc": "pylint",
    "ruff.toml": "ruff",
    ".ruff.toml": "ruff",
    "pytest.ini": "pytest",
    "tox.ini": "tox",
    ".bandit": "bandit",
    ".codespellrc": "codespell",
    ".pydocstyle": "pydocstyle",
    ".style.yapf": "yapf",
    "pyrightconfig.json": "pyright",
    ".pre-commit-config.yaml": "pre-commit",
    "mkdocs.yml": "mkdocs",
}
# Sections of setup.cfg and tox.ini that one tool reads.
_INI_SECTIONS: dict[str, str] = {
    "flake8": "flake8",
    "isort": "isort",
    "tool:isort": "isort",
    "mypy": "mypy",
    "pycodestyle": "pycodestyle",
    "pep8": "pycodestyle",
    "pydocstyle": "pydocstyle",
    "tool:pytest": "pytest",
    "pytest": "pytest",
    "yapf": "yapf",
    "codespell": "codespell",
    "bumpversion": "bumpversion",
}
_INI_SECTION_PREFIXES: tuple[tuple[str, str], ...] = (
    ("mypy-", "mypy"),
    ("coverage:", "coverage"),
    ("pylint.", "pylint"),
)
MODE = "ci"  # development tooling: run by developers and CI, never by the deployed product


def _usage(distribution: str, path: str, line: int, detail: str) -> Usage:
    return Usage(distribution, path, line, CONFIG, MODE, False, True, detail)


def file_usages(name: str, path: str) -> list[Usage]:
    """The tool a dedicated configuration file (``.flake8``, ``mypy.ini``) belongs to."""
    tool = CONFIG_FILES.get(name)
    return [_usage(tool, path, 0, f"{name} settings")] if tool else []


def pyproject_tool_usages(tools: dict[str, object], path: str, lines: list[str]) -> list[Usage]:
    """One usage per ``[tool.NAME]`` table: NAME is the tool's distribution name by convention."""
    usages = []
    for key in tools:
        try:
            distribution = canonicalize_name(key, validate=True)
        except ValueError:
            continue
        usages.append(_usage(distribution, path, line_of(lines, f"tool.{key}"), f"[tool.{key}]"))
    return usages


def ini_section_usages(
    parser: configparser.ConfigParser, path: str, lines: list[str]
) -> list[Usage]:
    """Sections of setup.cfg or tox.ini that configure a development tool."""
    usages = []
    for section in parser.sections():
        tool = _INI_SECTIONS.get(section.lower()) or next(
            (tool for prefix, tool in _INI_SECTION_PREFIXES if section.lower().startswith(prefix)),
            "",
        )
        if tool:
            usages.append(_usage(tool, path, line_of(lines, f"[{section}]"), f"[{section}]"))
    return usages
