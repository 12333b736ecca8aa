"""Settings written for a development tool: a sign the project runs it, though nothing imports it.

A formatter or linter is run, not imported; when no command names it either, its settings
(``[tool.black]``, ``[flake8]`` in setup.cfg, a ``.coveragerc``) are what show it is in use.
"""

from __future__ import annotations

import configparser
import re

from packaging.utils import canonicalize_name

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
    "mkdocs.yaml": "mkdocs",
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
# ``[tool.NAME]`` tables whose NAME is not the distribution's (each tool's documentation).
_TOOL_TABLES: dict[str, str] = {
    "importlinter": "import-linter",  # import-linter.readthedocs.io: "[tool.importlinter]"
    # Dagster's dg CLI (dagster-dg-cli) reads its project settings from [tool.dg]:
    # https://docs.dagster.io/api/clis/dg-cli/dg-cli-configuration
    "dg": "dagster-dg-cli",
}
# ``[tool.black]``, ``[tool.pytest.ini_options]``, ``[tool."name"]``: the name after ``tool.``.
_TOML_TOOL_HEADER = re.compile(r'\s*\[\[?\s*tool\s*\.\s*("[^"]*"|[^\s.\]]+)')
_INI_HEADER = re.compile(r"\[([^\]]+)\]")
MODE = "ci"  # development tooling: run by developers and CI, never by the deployed product


def _usage(distribution: str, path: str, line: int, detail: str) -> Usage:
    return Usage(distribution, path, line, CONFIG, MODE, False, True, detail)


def file_usages(name: str, path: str) -> list[Usage]:
    """The tool a dedicated configuration file (``.flake8``, ``mypy.ini``) belongs to."""
    tool = CONFIG_FILES.get(name)
    return [_usage(tool, path, 0, f"{name} settings")] if tool else []


def pyproject_tool_usages(tools: dict[str, object], path: str, lines: list[str]) -> list[Usage]:
    """One usage per ``[tool.NAME]`` table: NAME is the tool's distribution name by convention."""
    headers = _first_lines(lines, _TOML_TOOL_HEADER)
    usages = []
    for key in tools:
        try:
            distribution = canonicalize_name(_TOOL_TABLES.get(key, key), validate=True)
        except ValueError:
            continue
        usages.append(_usage(distribution, path, headers.get(key, 0), f"[tool.{key}]"))
    return usages


def ini_section_usages(
    parser: configparser.ConfigParser, path: str, lines: list[str]
) -> list[Usage]:
    """Sections of setup.cfg or tox.ini that configure a development tool."""
    headers = _first_lines(lines, _INI_HEADER)
    usages = []
    for section in parser.sections():
        lowered = section.lower()
        tool = _INI_SECTIONS.get(lowered) or next(
            (tool for prefix, tool in _INI_SECTION_PREFIXES if lowered.startswith(prefix)), ""
        )
        if tool:
            usages.append(_usage(tool, path, headers.get(section, 0), f"[{section}]"))
    return usages


def _first_lines(lines: list[str], header: re.Pattern[str]) -> dict[str, int]:
    """Name → 1-based line of its first header, in one pass (a file may hold thousands)."""
    found: dict[str, int] = {}
    for number, text in enumerate(lines, start=1):
        match = header.match(text)
        if match:
            found.setdefault(match.group(1).strip().strip('"'), number)
    return found
