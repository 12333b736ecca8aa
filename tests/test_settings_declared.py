"""Every ``DEBTBOARD_*`` knob is declared once, read from the environment, and documented.

A knob read with ``getattr(settings, "DEBTBOARD_X", default)`` carries a second default that can
drift from the settings module, and one that is never declared cannot be set from the
environment at all.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from scanning.engine.options import ScanOptions
from scanning.options import scan_options

ROOT = Path(__file__).resolve().parent.parent
APP_FOLDERS = ("config", "inventory", "scanning", "decisions")
SETTINGS = ROOT / "config" / "settings"
ENV_HELPERS = {"env_bool", "env_int", "env_float", "env_str", "env_list"}
# Read from the environment by ``python -m scanning.cli``, which loads no Django settings.
# Read from the environment by the Django-free command line (scan and gate) only.
CLI_ONLY = {"DEBTBOARD_CACHE_DIR", "DEBTBOARD_TOKEN"}
CLI_MODULES = {"scanning/cli/scan.py", "scanning/cli/gate.py"}
# The test harness's own variables, never a setting of an installation.
HARNESS = {"DEBTBOARD_TEST_RUN_ID"}
# A whole name: ``DEBTBOARD_*`` and ``DEBTBOARD_IMPORT_NAMES_*`` in prose are families, not names.
NAME = re.compile(r"\bDEBTBOARD_[A-Z0-9_]*[A-Z0-9](?![A-Z0-9_*])")
GETATTR_DEFAULT = re.compile(r"getattr\(\s*settings\s*,\s*[\"']DEBTBOARD_")


def _code_files() -> list[Path]:
    return [
        path
        for folder in APP_FOLDERS
        for path in (ROOT / folder).rglob("*")
        if path.suffix in {".py", ".html", ".txt"} and path.is_file()
    ] + [ROOT / "manage.py"]


def _names_used() -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}
    for path in _code_files():
        for name in NAME.findall(path.read_text(encoding="utf-8")):
            used.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return used


def _declarations(module: str) -> dict[str, ast.expr]:
    tree = ast.parse((SETTINGS / f"{module}.py").read_text(encoding="utf-8"))
    return {
        target.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id.startswith("DEBTBOARD_")
    }


def _configuration_table() -> dict[str, tuple[str, str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        for name in re.findall(r"`([A-Z0-9_]+)`", cells[0]):
            rows[name] = (cells[1], " | ".join(cells[2:]))
    return rows


def test_no_setting_is_read_with_a_default_of_its_own():
    offenders = [
        str(path.relative_to(ROOT))
        for path in _code_files()
        if path.suffix == ".py" and GETATTR_DEFAULT.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_every_knob_the_code_reads_is_declared_in_the_settings():
    declared = set(_declarations("base")) | set(_declarations("production"))
    used = set(_names_used()) - CLI_ONLY - HARNESS
    assert sorted(used - declared) == []


def test_every_knob_is_documented_in_the_readme_with_its_default_and_meaning():
    table = _configuration_table()
    knobs = set(_names_used()) - HARNESS
    knobs |= set(_declarations("base")) | set(_declarations("production"))
    assert sorted(knobs - set(table)) == []
    undocumented = [name for name in knobs if not all(table[name])]
    assert undocumented == []


def test_every_declared_knob_is_read_from_the_environment_under_its_own_name():
    for module in ("base", "production"):
        for name, value in _declarations(module).items():
            assert isinstance(value, ast.Call), f"{module}.{name} is not read from the environment"
            helper = value.func.id if isinstance(value.func, ast.Name) else ""
            assert helper in ENV_HELPERS, f"{module}.{name} is read by {helper or '?'}"
            assert isinstance(value.args[0], ast.Constant) and value.args[0].value == name


def test_the_knobs_only_the_command_line_reads_are_still_read_there():
    used = _names_used()
    for name in CLI_ONLY:
        assert used.get(name, set()) <= CLI_MODULES
        assert used.get(name, set()) & CLI_MODULES


def test_default_settings_tell_the_engine_its_own_defaults():
    # Two declarations of one limit (the engine's, for callers without settings, and the
    # settings module's) that drift apart would scan differently on the server and in CI.
    engine = ScanOptions()
    server = scan_options()
    assert server.max_files == engine.max_files
    assert server.max_total_bytes == engine.max_total_bytes
    assert server.parser_limits == engine.parser_limits
    assert server.cache_limit_bytes == engine.cache_limit_bytes
    assert server.weight_threshold_bytes == engine.weight_threshold_bytes
    assert server.workers == engine.workers
