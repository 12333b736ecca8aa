"""Commands in YAML pipelines and tool configs: GitHub workflows, GitLab CI, compose files,
Kubernetes manifests, pre-commit hooks, and ``commands`` of tox environments."""

from __future__ import annotations

import configparser
import dataclasses
import re

import yaml
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from scanning.distributions import table
from scanning.evidence.commands import argv_usages, command_usages, python_code_usages
from scanning.evidence.runfiles import shell_usages
from scanning.evidence.sources import line_of, yaml_nodes
from scanning.types import COMMAND, FileError, Usage

Extracted = tuple[list[Usage], list[FileError]]
_SCRIPT_KEYS = frozenset({"run", "script", "before_script", "after_script"})
_ARGV_KEYS = frozenset({"command", "entrypoint", "args"})
# https://taskfile.dev/reference/schema/#task: ``cmds`` (strings or ``{cmd: ...}``) and ``cmd``.
TASKFILE_KEYS = frozenset({"cmds", "cmd"})
# pre-commit hook languages whose ``entry`` is not a command: https://pre-commit.com/#pygrep
_NOT_COMMAND_LANGUAGES = frozenset({"pygrep", "fail"})
# pre-commit hook ids that differ from their tool's script name, each with the hook
# repository's documentation (the ids come from its .pre-commit-hooks.yaml).
HOOKS: dict[str, tuple[str, str]] = {
    "ruff-format": ("ruff", "https://github.com/astral-sh/ruff-pre-commit#usage"),
    "ruff-check": ("ruff", "https://github.com/astral-sh/ruff-pre-commit#usage"),
    "black-jupyter": (
        "black", "https://black.readthedocs.io/en/stable/integrations/source_version_control.html"
    ),
    "blacken-docs": ("blacken-docs", "https://github.com/adamchainz/blacken-docs#pre-commit"),
    "pip-compile": (
        "pip-tools", "https://pip-tools.readthedocs.io/en/stable/#version-control-integration"
    ),
    "poetry-check": ("poetry", "https://python-poetry.org/docs/pre-commit-hooks/"),
    "poetry-lock": ("poetry", "https://python-poetry.org/docs/pre-commit-hooks/"),
    "uv-lock": ("uv", "https://docs.astral.sh/uv/guides/integration/pre-commit/"),
    "djlint-django": ("djlint", "https://www.djlint.com/docs/integrations/"),
    "django-upgrade": ("django-upgrade", "https://github.com/adamchainz/django-upgrade#pre-commit-hook"),
}  # fmt: skip


class _Line(str):
    """A YAML scalar that remembers the 1-based line where its text starts."""

    __slots__ = ("line",)
    line: int


def load_yaml(text: str, path: str) -> tuple[list[object], list[FileError]]:
    """All documents, scalars as line-aware strings; aliases shared, never expanded."""
    try:
        nodes = yaml_nodes(text)
        memo: dict[int, object] = {}
        return [_plain(node, memo) for node in nodes if node is not None], []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        return [], [FileError(path, f"invalid YAML: {getattr(exc, 'problem', None) or exc}", line)]
    except (RecursionError, MemoryError):
        return [], [FileError(path, "invalid YAML: nested too deeply")]


def yaml_command_usages(
    text: str, path: str, mode: str, *, infer_mode: bool, script_keys: frozenset[str] = frozenset()
) -> Extracted:
    """Commands under ``run``/``script`` (shell text) and ``command``/``entrypoint`` (argv);
    ``script_keys`` replaces the shell-text keys (a Taskfile's ``cmds`` and ``cmd``)."""
    shell_keys = script_keys or _SCRIPT_KEYS
    argv_keys = frozenset() if script_keys else _ARGV_KEYS
    documents, errors = load_yaml(text, path)
    usages: list[Usage] = []
    python_steps = _python_steps(documents)
    for key, value in _keyed_values(documents):
        if key == "run" and id(value) in python_steps:  # a step with ``shell: python``
            for script in _scalars(value):
                usages += python_code_usages(script, path, script.line, mode)
        elif key in shell_keys:
            for script in _scalars(value):
                found = shell_usages(script, path, mode, infer_mode=infer_mode)
                usages += [dataclasses.replace(u, line=u.line + script.line - 1) for u in found]
        elif key in argv_keys and isinstance(value, list):
            argv = [str(item) for item in value if isinstance(item, str)]
            if argv:
                line = getattr(value[0], "line", 0)
                usages += argv_usages(argv, path, line, mode, infer_mode=infer_mode)
        elif key in argv_keys and isinstance(value, _Line) and "\n" in value.strip():
            # A multi-line command (CircleCI's ``run: {command: |}``) is a shell script.
            found = shell_usages(value, path, mode, infer_mode=infer_mode)
            usages += [dataclasses.replace(u, line=u.line + value.line - 1) for u in found]
        elif key in argv_keys and isinstance(value, _Line):
            usages += command_usages(value, path, value.line, mode, infer_mode=infer_mode)
    return usages, errors


def _python_steps(documents: list[object]) -> set[int]:
    """Ids of the ``run`` values of steps whose ``shell`` is Python (GitHub Actions runs the
    text as a Python script: ``shell: python`` or ``shell: python3 {0}``)."""
    found: set[int] = set()
    for _, value in _keyed_values(documents):
        for step in value if isinstance(value, list) else [value]:
            if not isinstance(step, dict) or "run" not in step:
                continue
            shell = step.get("shell")
            program = str(shell).split()[0].rsplit("/", 1)[-1] if isinstance(shell, str) else ""
            if program.startswith("python") or program in ("py", "pypy3"):
                found.add(id(step["run"]))
    return found


def precommit_usages(text: str, path: str) -> Extracted:
    """Hooks name tools; local hooks run an ``entry``; ``additional_dependencies`` are packages."""
    documents, errors = load_yaml(text, path)
    usages: list[Usage] = []
    config = documents[0] if documents else {}
    repos = config.get("repos") if isinstance(config, dict) else None
    for repo in repos if isinstance(repos, list) else []:
        hooks = repo.get("hooks") if isinstance(repo, dict) else None
        for hook in hooks if isinstance(hooks, list) else []:
            if isinstance(hook, dict):
                usages += _hook_usages(hook, str(repo.get("repo", "")), path)
    return usages, errors


def tox_usages(text: str, path: str) -> Extracted:
    """``commands``/``commands_pre``/``commands_post`` of every ``[testenv*]`` section."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        return [], [FileError(path, f"invalid INI: {str(exc).splitlines()[0][:200]}")]
    lines = text.splitlines()
    usages: list[Usage] = []
    for section in parser.sections():
        if not section.startswith("testenv"):
            continue
        for option in ("commands_pre", "commands", "commands_post"):
            for first, command in tox_ini_commands(parser.get(section, option, fallback="")):
                usages += command_usages(command, path, line_of(lines, first), "ci")
    return usages, []


_POSARGS = re.compile(r"\{posargs(?::([^{}]*))?\}")


def tox_ini_commands(value: str) -> list[tuple[str, str]]:
    """The commands of a tox.ini ``commands`` value, each as (its first line, the command).

    A line ending in a backslash continues on the next, and ``{posargs:DEFAULT}`` is what
    runs when no arguments are given, so its default words are part of the command
    (https://tox.wiki/en/latest/config.html#substitutions-for-positional-arguments).
    """
    logical: list[list[str]] = []
    continued = False
    for raw in value.splitlines():
        text = raw.strip()
        if not continued and (not text or text.startswith("#")):
            continue
        if continued:
            logical[-1].append(text)
        else:
            logical.append([text])
        continued = text.endswith("\\")
    commands = []
    for lines in logical:
        joined = " ".join(line.removesuffix("\\") for line in lines)
        command = " ".join(_POSARGS.sub(lambda m: m.group(1) or "", joined).split())
        command = command.lstrip("-!").strip()
        if command:
            commands.append((lines[0], command))
    return commands


def tox_toml_usages(tox: dict[str, object], path: str, lines: list[str]) -> list[Usage]:
    """Commands of tox's TOML configuration (``tox.toml``, or ``[tool.tox]`` in pyproject).

    Environments live in ``env_run_base``, ``env_pkg_base`` and ``env.<name>``; each command
    is an argv list: ``commands = [["pytest", "-v"], ["gha-update"]]``.
    """
    environments = [tox.get("env_run_base"), tox.get("env_pkg_base")]
    named = tox.get("env")
    environments += list(named.values()) if isinstance(named, dict) else []
    usages: list[Usage] = []
    for environment in environments:
        if not isinstance(environment, dict):
            continue
        for option in ("commands_pre", "commands", "commands_post"):
            argvs = environment.get(option)
            for argv in argvs if isinstance(argvs, list) else []:
                words = _tox_words(argv) if isinstance(argv, list) else []
                words = [w.lstrip("-!") if i == 0 else w for i, w in enumerate(words)]
                if words and words[0]:
                    usages += argv_usages(words, path, line_of(lines, words[0]), "ci")
    return usages


def _tox_words(argv: list[object]) -> list[str]:
    """An argv of tox.toml, with ``{replace = "posargs", default = [...], extend = true}``
    spliced in as its default words, which is what runs when no arguments are given
    (https://tox.wiki/en/latest/config.html#positional-argument-reference)."""
    words: list[str] = []
    for word in argv:
        if isinstance(word, str):
            words.append(word)
        elif isinstance(word, dict) and isinstance(word.get("default"), list):
            words += [w for w in word["default"] if isinstance(w, str)]
    return words


def _hook_usages(hook: dict[object, object], repo: str, path: str) -> list[Usage]:
    hook_id = str(hook.get("id", ""))
    line = getattr(hook.get("id"), "line", 0)
    usages: list[Usage] = []
    entry = hook.get("entry")
    if hook.get("language") in _NOT_COMMAND_LANGUAGES:
        pass  # a regular expression or a message
    elif repo == "local" and isinstance(entry, _Line):
        usages += command_usages(entry, path, entry.line, "ci")
    elif not repo.endswith("/pre-commit-hooks"):
        hook_tool = HOOKS.get(hook_id)
        distribution = hook_tool[0] if hook_tool else table.shipped().scripts.get(hook_id)
        if distribution:
            detail = f"pre-commit hook {hook_id} ({repo})"
            usages.append(Usage(distribution, path, line, COMMAND, "ci", True, True, detail))
    extra = hook.get("additional_dependencies")
    for requirement in extra if isinstance(extra, list) else []:
        name = _requirement_name(str(requirement))
        if name:
            detail = f"pre-commit {hook_id} additional_dependencies"
            where = getattr(requirement, "line", line)
            usages.append(Usage(name, path, where, COMMAND, "ci", True, True, detail))
    return usages


def _requirement_name(text: str) -> str:
    try:
        return canonicalize_name(Requirement(text).name)
    except InvalidRequirement:
        return ""


def _plain(node: yaml.Node, memo: dict[int, object]) -> object:
    if id(node) in memo:
        return memo[id(node)]
    if isinstance(node, yaml.ScalarNode):
        scalar = _Line(node.value)
        block = node.style in ("|", ">")  # text starts on the line after the indicator
        scalar.line = node.start_mark.line + (2 if block else 1)
        memo[id(node)] = scalar
        return scalar
    if isinstance(node, yaml.SequenceNode):
        items: list[object] = []
        memo[id(node)] = items
        items.extend(_plain(child, memo) for child in node.value)
        return items
    mapping: dict[object, object] = {}
    memo[id(node)] = mapping
    for key_node, value_node in node.value:
        key = _plain(key_node, memo)
        if isinstance(key, str):
            mapping[key] = _plain(value_node, memo)
    return mapping


def _keyed_values(documents: list[object]) -> list[tuple[str, object]]:
    """(key, value) for every mapping entry, visiting shared nodes once."""
    found = []
    seen: set[int] = set()
    stack = list(documents)
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, dict):
            found += [(str(k), v) for k, v in current.items()]
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return found


def _scalars(value: object) -> list[_Line]:
    if isinstance(value, _Line):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, _Line)]
    return []
