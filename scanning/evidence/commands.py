"""Console scripts a repository runs, read from command lines, and what they load.

``gunicorn app.wsgi`` is evidence for the *distribution* gunicorn; ``python -m pytest`` for the
*import name* pytest. Tool options that load modules (``-k uvicorn.workers.UvicornWorker``,
``celery -A proj``) become string references.
"""

from __future__ import annotations

import ast
import dataclasses
import re
import shlex
from collections.abc import Mapping
from pathlib import PurePosixPath

from packaging.utils import canonicalize_name

from scanning.distributions import table
from scanning.evidence import patterns, pytest_plugins, script_paths
from scanning.evidence.imports import str_value
from scanning.evidence.strings import GUNICORN_WORKERS
from scanning.types import COMMAND, CONFIG, STRING_REFERENCE, DistributionFacts, Usage

# Real command lines are short; pure-Python shlex takes seconds over a megabyte-long word.
MAX_COMMAND_CHARS = 20_000
_SEPARATOR = re.compile(r"&&|\|\||[;|\n]")
_SEPARATORS = frozenset({"&&", "||", ";", "|", "&", "(", ")", "|&", ";;", "!", "{", "}"})
# Words that only introduce the real command.
_PREFIXES = frozenset(
    {"exec", "sudo", "env", "time", "nohup", "nice", "command", "xvfb-run", "dumb-init", "tini",
     "then", "do", "else", "if", "while", "until", "--", "eval", "watch", "newrelic-admin",
     "ddtrace-run", "opentelemetry-instrument", "timeout"}
)  # fmt: skip
# Options of wrapper commands that take a value (their man pages: sudo(8), nice(1), env(1),
# timeout(1), watch(1), nohup takes none); ``timeout 30s cmd``: the duration is no program.
_PREFIX_VALUE_OPTIONS = {
    "sudo": frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-U", "-r", "-t", "-T"}),
    "nice": frozenset({"-n"}),
    "env": frozenset({"-u", "-C", "-S", "--unset", "--chdir", "--split-string"}),
    "timeout": frozenset({"-s", "-k", "--signal", "--kill-after"}),
    "watch": frozenset({"-n", "--interval", "-d"}),
}
# A program named through a variable holding its folder: ``${PREFIX}twine`` runs twine.
_VARIABLE_PREFIX = re.compile(r"\$[({]\w+[)}](?=[A-Za-z])")
_DURATION = re.compile(r"^\d+(?:\.\d+)?[smhd]?$")
# What _resolve returns for ``python -c CODE``: no word of a command line can be it (a CI
# action's ``args: -c`` is a word "-c", not Python code).
_PYTHON_CODE = "\0python -c"
# A word of an argv list computed at run time: no program or option can be it.
_COMPUTED_WORD = "\0value"
_RUNNERS = frozenset({"poetry", "uv", "pipenv", "pdm", "hatch", "rye", "pipx"})
# Options of ``uv run``/``uvx``/``pipx run``/``pdm run``/``poetry run`` that take a value: the
# value is neither the command nor a package (``--index-strategy unsafe-best-match``).
# Sources: https://docs.astral.sh/uv/reference/cli/#uv-run and #uv-tool-run,
# https://pipx.pypa.io/stable/docs/#pipx-run, https://pdm-project.org/en/latest/reference/cli/#run,
# https://python-poetry.org/docs/cli/#global-options
_RUNNER_VALUE_OPTIONS = frozenset(
    {"--with", "--with-editable", "--with-requirements", "--extra", "--group", "--no-group",
     "--only-group", "--package", "--python", "-p", "--index", "--default-index", "--index-url",
     "-i", "--extra-index-url", "--find-links", "-f", "--index-strategy", "--keyring-provider",
     "--resolution", "--prerelease", "--exclude-newer", "--link-mode", "--directory", "--project",
     "--env-file", "--config-file", "--cache-dir", "--color", "--refresh-package",
     "--reinstall-package", "--upgrade-package", "-P", "--config-setting", "-C",
     "--no-build-package", "--no-binary-package", "--only-binary-package", "--from", "--spec",
     "--pip-args", "--venv"}
)  # fmt: skip
_TAKES_USER = frozenset({"gosu", "su-exec", "chpst", "setuidgid"})
_PYTHON = re.compile(r"^(?:python[\d.]*|py|pypy3?|\$[({]?PYTHON[)}]?)$", re.IGNORECASE)
_VARIABLE = re.compile(r"\$[({](\w+)[)}]")
_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ash"})
_ASSIGNMENT = re.compile(r"^[A-Za-z_]\w*=")
# Shell keywords and builtins: never a package's console script.
_SHELL_WORDS = frozenset(
    {"set", "unset", "fi", "done", "esac", "then", "echo", "printf", "cd", "export", "exit",
     "return", "test", "true", "false", "source", "shift", "trap", "wait", "read", "local",
     "declare", "alias", "exec", "eval", "cat", "ls", "cp", "mv", "rm", "mkdir", "chmod",
     "chown", "touch", "ln"}
)  # fmt: skip
_PROGRAM_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9._-]{0,99}$")
_APP_SPEC = re.compile(r"^([A-Za-z_][\w.]*):[A-Za-z_]\w*(?:\(.*\))?$")
_SHELL_RUNNERS = frozenset({"c", "ctx", "context", "conn", "connection", "delegator"})
_RUNNING_CALLS = frozenset({"run", "call", "check_call", "check_output", "Popen", "run_always"})
_WEB_SERVERS = frozenset({"gunicorn", "uvicorn", "daphne", "hypercorn", "uwsgi", "waitress"})
_MODE_BY_TOOL = {
    "pytest": "test", "tox": "test", "nox": "test", "coverage": "test",
    "sphinx": "docs", "mkdocs": "docs", "alembic": "migration",
    "rq": "worker", "dramatiq": "worker", "huey": "worker",
}  # fmt: skip


def command_usages(
    command: str, path: str, line: int, mode: str, *, infer_mode: bool = False
) -> list[Usage]:
    """Usages in one shell command line (may hold several commands joined by ``&&``, ``|``...)."""
    usages: list[Usage] = []
    if len(command) > MAX_COMMAND_CHARS:  # shlex is slow on huge words: split, drop the huge
        pieces = [p for p in _SEPARATOR.split(command) if len(p) <= MAX_COMMAND_CHARS]
        return [
            u for p in pieces for u in command_usages(p, path, line, mode, infer_mode=infer_mode)
        ]
    command = _VARIABLE_PREFIX.sub("", command)
    command = _VARIABLE.sub(r"$\1", command)  # $(PYTHON) / ${BIN}: keep the name, drop brackets
    for argv in _simple_commands(command):
        usages.extend(argv_usages(argv, path, line, mode, infer_mode=infer_mode))
    return usages


def argv_usages(
    argv: list[str], path: str, line: int, mode: str, *, infer_mode: bool = False
) -> list[Usage]:
    """Usages for one already-split command."""
    found = _program_usages(argv, path, line, mode, infer_mode=infer_mode)
    return found + _django_option_usages(argv, path, line, mode)


def _django_option_usages(argv: list[str], path: str, line: int, mode: str) -> list[Usage]:
    """What a Django management command's option loads (``manage.py test --parallel``)."""
    position = next(
        (i for i, word in enumerate(argv) if word.endswith("manage.py") or word == "django-admin"),
        -1,
    )
    if position < 0:
        return []
    words = argv[position + 1 :]
    command = next((word for word in words if not word.startswith("-")), "")
    usages = []
    for (subcommand, option), implied in patterns.DJANGO_COMMAND_OPTIONS.items():
        if command == subcommand and any(w.split("=", 1)[0] == option for w in words):
            detail = f"manage.py {subcommand} {option} per {implied.source}"
            usages += [
                Usage(module, path, line, CONFIG, mode, not implied.required, detail=detail)
                for module in implied.modules
            ]
    return usages


def _program_usages(
    argv: list[str], path: str, line: int, mode: str, *, infer_mode: bool = False
) -> list[Usage]:
    program, args, is_module = _resolve(argv)
    if not program:
        return []
    if program == _PYTHON_CODE:  # python -c "import yaml; ...": the code is Python
        return python_code_usages(args[0], path, line, mode)
    if PurePosixPath(program).name in _SHELLS and "-c" in args[:-1]:  # sh -c "gunicorn ..."
        script = args[args.index("-c") + 1]
        return command_usages(script, path, line, mode, infer_mode=infer_mode)
    if is_module:  # python -m churn.report: the whole module, for reachability
        name, distribution = program, ""
    else:
        name = PurePosixPath(program).name
        if name == "jupyter" and args and not args[0].startswith("-"):
            name = f"jupyter-{args[0]}" if f"jupyter-{args[0]}" in table.shipped().scripts else name
        distribution = table.shipped().scripts.get(name, "")
        if not distribution:
            found = _unknown_command(name, path, line, mode, argv)
            if "--" in args:  # wait-for-it db:5432 -- honcho start: a wrapper runs what follows
                wrapped = args[args.index("--") + 1 :]
                found += argv_usages(wrapped, path, line, mode, infer_mode=infer_mode)
            elif "/" in program and args and args[0] in table.shipped().scripts:
                # bin/start-nginx gunicorn -c gunicorn.conf app.wsgi: a repository's wrapper
                # script starting a known program; possibly, since the script decides.
                wrapped = argv_usages(args, path, line, mode, infer_mode=infer_mode)
                found += [dataclasses.replace(u, optional=True) for u in wrapped]
            return found
    tool = distribution or name
    if infer_mode:
        mode = _mode_for_tool(tool, args) or mode
    detail = " ".join(argv)[:200]
    first = Usage(
        distribution or name, path, line, COMMAND, mode, False, bool(distribution), detail
    )
    loaded = [
        Usage(module, path, line, STRING_REFERENCE, mode, detail=f"{tool} {option}")
        for module, option in _loaded_modules(tool, args)
    ]
    if tool in ("pytest", "py.test"):  # --cov, -n 4: options only a plugin understands
        loaded += pytest_plugins.argument_usages(args, path, line, mode)
    if tool == "coverage" and "run" in args:  # coverage run -m pytest
        loaded += argv_usages(["python", *args[args.index("run") + 1 :]], path, line, mode)
    if distribution and args:  # `dagster dev` starts dagster-webserver: a possible use
        loaded += [
            Usage(started, path, line, COMMAND, mode, True, True, f"{detail} (starts {started})")
            for started in table.shipped().subcommands.get((distribution, args[0]), ())
        ]
    return [first, *loaded]


def _unknown_command(name: str, path: str, line: int, mode: str, argv: list[str]) -> list[Usage]:
    """A program we know no distribution for: most console scripts are named like theirs.

    Recorded as an optional use of the distribution of that name (``typos .`` uses typos),
    so it can keep a declaration from looking unused but never makes anything missing; the
    scanner drops those that match no declaration (``ls``, ``echo``).
    """
    if not _PROGRAM_NAME.match(name) or name in _SHELL_WORDS:
        return []
    detail = " ".join(argv)[:200]
    return [Usage(canonicalize_name(name), path, line, COMMAND, mode, True, True, detail)]


def is_named_like(usage: Usage) -> bool:
    """Whether ``usage`` is a program only assumed to belong to the distribution of its name."""
    return usage.kind == COMMAND and usage.optional and usage.is_distribution


def keep_declared_commands(usages: list[Usage], declared: set[str]) -> list[Usage]:
    """``usages`` without unknown programs that no declaration is named like."""
    return [u for u in usages if not is_named_like(u) or u.name in declared]


def undeclared_commands(usages: list[Usage], declared: set[str]) -> list[Usage]:
    """The unknown programs ``keep_declared_commands`` leaves out."""
    return [u for u in usages if is_named_like(u) and u.name not in declared]


def console_script_usages(
    programs: list[Usage], provided: Mapping[str, DistributionFacts]
) -> list[Usage]:
    """Unknown programs that a declared distribution's metadata lists as its console script
    (``pypi-server`` of pypiserver), as uses of that distribution."""
    scripts = {
        canonicalize_name(script): facts.name
        for facts in provided.values()
        for script in facts.console_scripts
    }
    return [
        dataclasses.replace(
            usage,
            name=scripts[usage.name],
            detail=f"{usage.detail} (a console script of {scripts[usage.name]}, per its metadata)"[
                :500
            ],
        )
        for usage in programs
        if usage.name in scripts
    ]


def call_usages(call: ast.Call, path: str, mode: str) -> list[Usage]:
    """Commands in ``subprocess.run([...])``, nox's ``session.run("pytest", ...)`` and
    ``shutil.which("deptry")`` (code that looks a program up by name goes on to run it)."""
    func = call.func
    if not call.args:
        return []
    script = script_paths.script_name(call)  # os.path.join(sys.prefix, "bin", "twine")
    if script is not None:
        return path_usages(script, path, call.lineno, mode)
    if not isinstance(func, ast.Attribute):
        return []
    first = call.args[0]
    text = str_value(first)
    if _looks_up_program(func) and text is not None:
        return argv_usages([text], path, call.lineno, mode) if _PROGRAM_NAME.match(text) else []
    if text is None:  # f"twine upload {path}": the words before the first value
        text = _literal_head(first)
    if text is not None and _runs_shell_text(func, call):  # os.system("..."), c.run("...")
        return command_usages(text, path, call.lineno, mode)
    if func.attr not in _RUNNING_CALLS:
        return []
    if isinstance(first, ast.List | ast.Tuple):
        argv = _words_around_values(first.elts)
    elif isinstance(func.value, ast.Name) and func.value.id == "session":
        argv = _leading_strings(call.args)
    else:
        return []
    return argv_usages(argv, path, call.lineno, mode) if argv else []


def path_usages(script: str, path: str, line: int, mode: str) -> list[Usage]:
    """A script started by its path in the interpreter's scripts folder: a command."""
    return argv_usages([script], path, line, mode) if _PROGRAM_NAME.match(script) else []


def _looks_up_program(func: ast.Attribute) -> bool:
    return func.attr == "which" and isinstance(func.value, ast.Name) and func.value.id == "shutil"


def _literal_head(node: ast.expr) -> str | None:
    """The whole words an f-string starts with (``twine upload`` of
    ``f"twine upload {path}"``), or None when it starts with a value."""
    if not isinstance(node, ast.JoinedStr) or not node.values:
        return None
    head = node.values[0]
    if not (isinstance(head, ast.Constant) and isinstance(head.value, str)):
        return None
    text = head.value
    if len(node.values) > 1 and not text[-1:].isspace():  # f"tw{x}": the last word is cut
        text = text.rsplit(None, 1)[0] if len(text.split()) > 1 else ""
    return text.strip() or None


def _runs_shell_text(func: ast.Attribute, call: ast.Call) -> bool:
    """Whether the call runs its first argument as a shell command line: ``os.system``,
    ``os.popen``, ``subprocess.*(..., shell=True)``, or ``run`` on an invoke/fabric context or
    delegator (https://docs.pyinvoke.org/en/stable/api/context.html#invoke.context.Context.run)."""
    holder = func.value.id if isinstance(func.value, ast.Name) else ""
    if holder == "os" and func.attr in ("system", "popen"):
        return True
    if func.attr == "run" and holder in _SHELL_RUNNERS:
        return True
    shell = next((k.value for k in call.keywords if k.arg == "shell"), None)
    return func.attr in _RUNNING_CALLS and isinstance(shell, ast.Constant) and shell.value is True


def _words_around_values(nodes: list[ast.expr]) -> list[str]:
    """An argv list's words, a computed one (``f"{level}"``) standing as a placeholder so the
    options after it still count (``["celery", "worker", "-l", level, "-P", "gevent"]``); a
    computed program or a ``*rest`` ends it."""
    argv = []
    for node in nodes:
        value = str_value(node)
        if value is None:
            if not argv or isinstance(node, ast.Starred):
                break
            value = _COMPUTED_WORD
        argv.append(value)
    return argv


def _leading_strings(nodes: list[ast.expr]) -> list[str]:
    argv = []
    for node in nodes:
        value = str_value(node)
        if value is None:
            break
        argv.append(value)
    return argv


def _simple_commands(command: str) -> list[list[str]]:
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        tokens = list(lexer)
    except ValueError:  # unbalanced quotes: fall back to plain words
        tokens = command.split()
    commands: list[list[str]] = [[]]
    for token in tokens:
        if token in _SEPARATORS or token.endswith(("$", "`")):
            commands.append([])
        else:
            commands[-1].append(token.strip("`"))
    return [argv for argv in commands if argv]


def _resolve(argv: list[str]) -> tuple[str, list[str], bool]:
    """(program, its arguments, whether program is a ``-m`` module) after wrappers and runners."""
    index, prefix = 0, ""
    while index < len(argv):
        word = argv[index]
        base = PurePosixPath(word).name
        skippable_option = prefix and (word.startswith("-") or _DURATION.match(word))
        if skippable_option and word in _PREFIX_VALUE_OPTIONS.get(prefix, ()):
            index += 2  # sudo -u www-data, nice -n 10: the value is no program
        elif _ASSIGNMENT.match(word) or base in _PREFIXES or skippable_option:
            index, prefix = index + 1, base if base in _PREFIXES else prefix
        elif base in _TAKES_USER:
            index += 2
        elif base in _RUNNERS and argv[index + 1 : index + 2] == ["run"]:
            index = _after_runner_options(argv, index + 2)
        elif base == "uvx" or (base == "uv" and argv[index + 1 : index + 3] == ["tool", "run"]):
            index = _after_runner_options(argv, index + (1 if base == "uvx" else 3))
            return (argv[index], argv[index + 1 :], False) if index < len(argv) else ("", [], False)
        elif _PYTHON.match(base):
            return _python_module(argv[index + 1 :])
        else:
            return word, argv[index + 1 :], False
    return "", [], False


def python_code_usages(code: str, path: str, line: int, mode: str) -> list[Usage]:
    """Usages in Python source run from a command or a CI step, at the lines it starts on."""
    from scanning.evidence.pyfiles import python_usages  # pyfiles reads commands in code too

    usages, _ = python_usages(code, path, mode)
    return [dataclasses.replace(u, line=u.line + line - 1) for u in usages]


def _after_runner_options(argv: list[str], index: int) -> int:
    """Index of the command a runner runs (``uv run --with x pytest``), past its options."""
    while index < len(argv):
        word = argv[index]
        if word == "--":
            return index + 1
        if not word.startswith("-"):
            return index
        takes_value = "=" not in word and word in _RUNNER_VALUE_OPTIONS
        index += 2 if takes_value else 1
    return index


def _python_module(args: list[str]) -> tuple[str, list[str], bool]:
    for position, arg in enumerate(args):
        if arg == "-c" and position + 1 < len(args):
            return _PYTHON_CODE, [args[position + 1]], False
        if arg == "-m" and position + 1 < len(args):
            return args[position + 1], args[position + 2 :], True
        if arg.startswith("-m") and len(arg) > 2:
            return arg[2:], args[position + 1 :], True
        if not arg.startswith("-"):
            break  # python script.py ...: a file, not a module
    return "", [], False


def _option_values(args: list[str], short: str, long: str) -> list[str]:
    values = []
    for position, arg in enumerate(args):
        if arg in (short, long) and position + 1 < len(args):
            values.append(args[position + 1])
        elif arg.startswith(f"{long}="):
            values.append(arg.split("=", 1)[1])
        elif short and arg.startswith(short) and not arg.startswith("--") and len(arg) > 2:
            values.append(arg[2:])
    return values


def _loaded_modules(tool: str, args: list[str]) -> list[tuple[str, str]]:
    found = []
    if tool == "gunicorn":
        for value in _option_values(args, "-k", "--worker-class"):
            module = GUNICORN_WORKERS.get(value, value.split(".")[0] if "." in value else "")
            found.append((module, f"--worker-class {value}"))
    if tool == "celery":
        for app in _option_values(args, "-A", "--app"):
            found.append((app.split(":")[0].split(".")[0], f"--app {app}"))
        for pool in _option_values(args, "-P", "--pool"):
            found.append((GUNICORN_WORKERS.get(pool, ""), f"--pool {pool}"))
    if tool in _WEB_SERVERS:
        found += [(m.group(1).split(".")[0], arg) for arg in args if (m := _APP_SPEC.match(arg))]
    return [(module, option) for module, option in found if module.isidentifier()]


def _mode_for_tool(tool: str, args: list[str]) -> str | None:
    if tool == "celery":
        if "beat" in args:
            return "cron"
        return "worker" if "worker" in args else None
    if tool in _WEB_SERVERS:
        return "web"
    return _MODE_BY_TOOL.get(tool)
