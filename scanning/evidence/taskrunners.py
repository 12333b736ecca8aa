"""Commands that task runners run: poe, hatch, pdm, rye and taskipy scripts in pyproject.toml,
``package.json`` scripts, gulp and Grunt files, and Taskfile tasks.

Each runner's format is its own: a string is a shell command line, a ``call``/``script``
names a ``module:function``, and a sequence of other tasks names tasks, not programs.
"""

from __future__ import annotations

import json
import re

from scanning.distributions import table
from scanning.evidence.commands import argv_usages, command_usages
from scanning.evidence.sources import line_of
from scanning.evidence.strings import module_usages
from scanning.types import FileError, Usage

Extracted = tuple[list[Usage], list[FileError]]
MODE = "script"


class _Reader:
    def __init__(self, path: str, lines: list[str]) -> None:
        self.path, self.lines = path, lines
        self.usages: list[Usage] = []

    def shell(self, command: object) -> None:
        if isinstance(command, str) and command.strip():
            for number, text in enumerate(command.splitlines()):
                if not text.strip() or text.lstrip().startswith("#"):
                    continue
                line = line_of(self.lines, text.strip())
                where = line or (line_of(self.lines, command.splitlines()[0]) + number)
                self.usages += command_usages(text, self.path, where, MODE, infer_mode=True)
        elif isinstance(command, list):  # an argv: ["alembic", "upgrade", "head"]
            argv = [word for word in command if isinstance(word, str)]
            if argv:
                line = line_of(self.lines, argv[0])
                self.usages += argv_usages(argv, self.path, line, MODE, infer_mode=True)

    def call(self, target: object, runner: str) -> None:
        if isinstance(target, str) and target.strip():
            module = target.strip().split("(")[0].split(":")[0]
            line = line_of(self.lines, target.strip())
            self.usages += module_usages(module, self.path, line, MODE, f"{runner} call {target}")


def pyproject_task_usages(tools: dict[str, object], path: str, lines: list[str]) -> list[Usage]:
    """Commands of ``[tool.poe.tasks]``, ``[tool.hatch.envs.*.scripts]``, ``[tool.pdm.scripts]``,
    ``[tool.rye.scripts]`` and ``[tool.taskipy.tasks]``."""
    reader = _Reader(path, lines)
    # poe: https://poethepoet.natn.io/tasks/index.html (an array is a sequence of task names)
    for task in _table(_table(tools, "poe"), "tasks").values():
        if isinstance(task, str):
            reader.shell(task)
        elif isinstance(task, dict):
            reader.shell(task.get("cmd"))
            reader.shell(task.get("shell"))
            reader.call(task.get("script"), "poe")
    # hatch: https://hatch.pypa.io/latest/config/environment/overview/#scripts
    for environment in _table(_table(tools, "hatch"), "envs").values():
        for script in _table(environment, "scripts").values():
            for command in script if isinstance(script, list) else [script]:
                reader.shell(command)
    # pdm: https://pdm-project.org/en/latest/usage/scripts/ (``_`` holds shared settings)
    # rye: https://rye.astral.sh/guide/pyproject/#toolryescripts
    for runner in ("pdm", "rye"):
        for name, script in _table(_table(tools, runner), "scripts").items():
            if name == "_":
                continue
            if isinstance(script, str):
                reader.shell(script)
            elif isinstance(script, dict):
                reader.shell(script.get("cmd"))
                reader.shell(script.get("shell"))
                reader.call(script.get("call"), runner)
    # taskipy: https://github.com/taskipy/taskipy#adding-tasks
    for task in _table(_table(tools, "taskipy"), "tasks").values():
        reader.shell(task.get("cmd") if isinstance(task, dict) else task)
    return reader.usages


def package_json_usages(text: str, path: str) -> Extracted:
    """npm ``scripts``: https://docs.npmjs.com/cli/using-npm/scripts (each a shell command)."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return [], [FileError(path, f"invalid JSON: {str(exc)[:200]}")]
    reader = _Reader(path, text.splitlines())
    for command in _table(document, "scripts").values():
        reader.shell(command)
    return reader.usages, []


# gulp and Grunt files are JavaScript: their commands are string literals handed to
# child_process (``spawn("pipenv", ["run", "black", "."])``, ``execSync("pipenv run x")``) or
# kept in an array a helper hands over (``_runInPipenv(["mkdocs", "build"])``).
JS_TASK_FILES = frozenset(
    f"{stem}.{ext}"
    for stem in ("gulpfile", "Gulpfile", "gulpfile.babel", "Gruntfile", "gruntfile")
    for ext in ("js", "cjs", "mjs", "ts")
)
_JS_STRING = r"""(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`$\\]*`)"""
_JS_ARRAY = re.compile(rf"\[\s*{_JS_STRING}(?:\s*,\s*{_JS_STRING})*\s*,?\s*\]")
_JS_SPAWN = re.compile(
    rf"\b(?:spawn|spawnSync|execFile|execFileSync|execa)\(\s*({_JS_STRING})\s*,\s*"
)
_JS_EXEC = re.compile(rf"\b(?:exec|execSync|es|sh|shell|run|execaCommand)\(\s*({_JS_STRING})")
_JS_WORD = re.compile(_JS_STRING)
# A runner's subcommand that starts a program: ["run", "black", "."] is handed to pipenv/poetry.
_RUN_WORDS = frozenset({"run", "exec"})


def gulpfile_usages(text: str, path: str) -> Extracted:
    """Commands of a gulp or Grunt file, read from its string literals (no JavaScript parser)."""
    usages: list[Usage] = []
    taken: set[int] = set()  # arrays already read as a spawn's arguments
    for match in _JS_SPAWN.finditer(text):
        program = _js_literal(match.group(1))
        array = _JS_ARRAY.match(text, match.end())
        argv = [program, *_js_words(array.group(0))] if array else [program]
        if array:
            taken.add(array.start())
        usages += _js_argv(argv, path, _line_at(text, match.start()))
    for match in _JS_EXEC.finditer(text):
        command = _js_literal(match.group(1))
        if " " in command.strip():
            line = _line_at(text, match.start())
            usages += command_usages(command, path, line, MODE, infer_mode=True)
    for match in _JS_ARRAY.finditer(text):
        if match.start() in taken:
            continue
        argv = _js_words(match.group(0))
        if argv and argv[0] in _RUN_WORDS:  # let command = ["run", "python", "manage.py", ...]
            argv = argv[1:]
        if argv and (argv[0] in table.shipped().scripts or argv[0].startswith("python")):
            usages += _js_argv(argv, path, _line_at(text, match.start()))
    return usages, []


def _js_argv(argv: list[str], path: str, line: int) -> list[Usage]:
    if not argv or not argv[0]:
        return []
    return argv_usages(argv, path, line, MODE, infer_mode=True)


def _js_words(array: str) -> list[str]:
    return [_js_literal(word) for word in _JS_WORD.findall(array)]


def _js_literal(literal: str) -> str:
    body = literal[1:-1]
    return re.sub(r"\\(.)", r"\1", body) if "\\" in body else body


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _table(document: object, key: str) -> dict[str, object]:
    value = document.get(key) if isinstance(document, dict) else None
    return value if isinstance(value, dict) else {}
