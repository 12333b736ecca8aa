"""Commands in Dockerfiles, Procfiles, Makefiles, justfiles, shell scripts and crontabs."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator

from scanning.evidence.commands import command_usages, is_named_like
from scanning.types import Usage

_PROCESS = re.compile(r"^([\w-]+)\s*:\s*(.+)$")
_PROCESS_MODES = {
    "web": "web",
    "worker": "worker",
    "celery": "worker",
    "beat": "cron",
    "clock": "cron",
    "scheduler": "cron",
    "cron": "cron",
    "release": "migration",
}
_DOCKER_RUNS = frozenset({"RUN", "CMD", "ENTRYPOINT"})
_DOCKER_FLAG = re.compile(r"^(?:--[\w-]+(?:=\S*)?\s+)+")
_JUST_RECIPE = re.compile(r"^@?[\w-]+[^=:]*:(?!=)")
_CRON_SCHEDULE = re.compile(r"^(?:@\w+|(?:\S+\s+){5})\s*(.+)$")


def dockerfile_usages(text: str, path: str) -> list[Usage]:
    """RUN commands build the image ("script"); CMD/ENTRYPOINT run it (mode from the tool)."""
    usages = []
    for line, logical in _logical_lines(text):
        instruction, _, rest = logical.strip().partition(" ")
        instruction = instruction.upper()
        if instruction not in _DOCKER_RUNS:
            continue
        rest = rest.strip()
        if rest.startswith("["):
            rest = _exec_form(rest)
        if instruction == "RUN":
            rest = _DOCKER_FLAG.sub("", rest)  # RUN --mount=type=cache,target=... cmd
            usages += command_usages(rest, path, line, "script")
        else:
            usages += command_usages(rest, path, line, "web", infer_mode=True)
    return usages


def procfile_usages(text: str, path: str) -> list[Usage]:
    """``web: gunicorn app.wsgi``: the process name gives the mode, else the tool does."""
    usages = []
    for line, logical in _logical_lines(text):
        match = _PROCESS.match(logical.strip())
        if not match:
            continue
        process, command = match.groups()
        mode = _PROCESS_MODES.get(process.lower().split("-")[0])
        usages += command_usages(command, path, line, mode or "web", infer_mode=mode is None)
    return usages


# supervisord's programs: ``[program:x]`` (and ``[fcgi-program:x]``) sections whose ``command``
# it starts and keeps running (https://supervisord.org/configuration.html#program-x-section-settings),
# in supervisord.conf or any file its [include] pulls in (conf.d/*.conf).
_SUPERVISOR_SECTION = re.compile(r"^\[(?:fcgi-)?program:[^\]]+\]\s*$")
_SUPERVISOR_COMMAND = re.compile(r"^command\s*[=:]\s*(.+)$")


def supervisor_usages(text: str, path: str) -> list[Usage]:
    """The ``command`` of each program section; the tool gives the mode (web by default)."""
    if "program:" not in text:
        return []
    usages: list[Usage] = []
    in_program = False
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("["):
            in_program = bool(_SUPERVISOR_SECTION.match(line))
            continue
        match = _SUPERVISOR_COMMAND.match(line) if in_program else None
        if match:
            usages += command_usages(match.group(1), path, number, "web", infer_mode=True)
    return usages


def makefile_usages(text: str, path: str, mode: str) -> list[Usage]:
    """Recipe lines (tab-indented) of a Makefile."""
    usages = []
    for line, logical in _logical_lines(text):
        if logical.startswith("\t"):
            usages += command_usages(_recipe(logical), path, line, mode, infer_mode=True)
    return usages


def justfile_usages(text: str, path: str, mode: str) -> list[Usage]:
    """Indented recipe bodies of a justfile."""
    usages = []
    in_recipe = False
    for line, logical in _logical_lines(text):
        if not logical.strip() or logical.lstrip().startswith("#"):
            continue
        if logical[0] in " \t":
            if in_recipe:
                usages += command_usages(_recipe(logical), path, line, mode, infer_mode=True)
        else:
            in_recipe = bool(_JUST_RECIPE.match(logical))
    return usages


def shell_usages(text: str, path: str, mode: str, *, infer_mode: bool = True) -> list[Usage]:
    """Every command line of a shell script (or of a `run:` block)."""
    usages = []
    for line, logical in _logical_lines(text):
        usages += command_usages(logical, path, line, mode, infer_mode=infer_mode)
    return usages


def crontab_usages(text: str, path: str) -> list[Usage]:
    """``*/5 * * * * celery -A proj call ...`` or ``@daily python -m app.report``."""
    usages = []
    for line, logical in _logical_lines(text):
        match = _CRON_SCHEDULE.match(logical.strip())
        if not match or "=" in logical.split()[0]:
            continue
        found = command_usages(match.group(1), path, line, "cron")
        if all(is_named_like(u) for u in found):  # system crontabs put a user before the command
            _, _, without_user = match.group(1).partition(" ")
            found += command_usages(without_user, path, line, "cron")
        usages += found
    return usages


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, text) with backslash continuations joined and comments skipped."""
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
            if raw.lstrip().startswith("#") or not raw.strip():
                continue
        elif raw.lstrip().startswith("#"):
            continue  # comment inside a continued line (allowed in Dockerfiles)
        if raw.rstrip().endswith("\\"):
            pending.append(raw.rstrip()[:-1])
            continue
        pending.append(raw)
        yield start, " ".join(pending)
        pending = []
    if pending:
        yield start, " ".join(pending)


def _exec_form(rest: str) -> str:
    try:
        argv = json.loads(rest)
    except (ValueError, RecursionError):
        return rest
    if isinstance(argv, list) and all(isinstance(arg, str) for arg in argv):
        return shlex.join(argv)
    return rest


def _recipe(line: str) -> str:
    return line.strip().lstrip("@-+").strip()
