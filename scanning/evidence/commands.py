"""Console scripts a repository runs, read from command lines, and what they load.

``gunicorn app.wsgi`` is evidence for the *distribution* gunicorn; ``python -m pytest`` for the
*import name* pytest. Tool options that load modules (``-k uvicorn.workers.UvicornWorker``,
``celery -A proj``) become string references.
"""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import PurePosixPath

from scanning.evidence.imports import str_value
from scanning.evidence.strings import GUNICORN_WORKERS
from scanning.types import COMMAND, STRING_REFERENCE, Usage

# Console script -> PEP 503 canonical name of the distribution that installs it.
SCRIPT_DISTRIBUTIONS: dict[str, str] = {
    **{name: name for name in (
        "alembic", "autoflake", "autopep8", "bandit", "black", "celery", "codespell", "coverage",
        "daphne", "deptry", "djlint", "dramatiq", "dvc", "flake8", "flask", "gunicorn", "hatch",
        "honcho", "huey", "hypercorn", "interrogate", "invoke", "ipython", "isort", "jupyter",
        "locust", "mkdocs", "mypy", "nbqa", "nox", "pdm", "pipenv", "poetry", "pre-commit",
        "prefect", "pydocstyle", "pylint", "pyright", "pytest", "pyupgrade", "rq", "ruff", "safety",
        "scrapy", "streamlit", "tox", "towncrier", "twine", "uv", "uvicorn", "uwsgi", "vulture",
        "pip-audit", "yamllint", "sqlfluff", "pycodestyle", "docformatter", "django-upgrade",
        "mlflow", "dagster", "luigi", "sphinx-autobuild", "bump2version", "bump-my-version",
        "cookiecutter", "nbstripout", "semgrep", "yapf", "pytype", "pyflakes", "radon",
    )},
    "py.test": "pytest",
    "pybabel": "babel",
    "sphinx-build": "sphinx",
    "sphinx-apidoc": "sphinx",
    "django-admin": "django",
    "django-admin.py": "django",
    "pip-compile": "pip-tools",
    "pip-sync": "pip-tools",
    "waitress-serve": "waitress",
    "huey_consumer": "huey",
    "huey_consumer.py": "huey",
    "airflow": "apache-airflow",
    "dbt": "dbt-core",
    "inv": "invoke",
    "fab": "fabric",
    "supervisord": "supervisor",
    "watchmedo": "watchdog",
    "jupyter-lab": "jupyterlab",
    "jupyter-notebook": "notebook",
    "jupyter-nbconvert": "nbconvert",
    "jupyter-execute": "nbclient",
    "jupyter-book": "jupyter-book",
    "uvx": "uv",
    "pipx": "pipx",
    "http": "httpie",
    "aws": "awscli",
}
_SEPARATORS = frozenset({"&&", "||", ";", "|", "&", "(", ")", "|&", ";;", "!", "{", "}"})
# Words that only introduce the real command.
_PREFIXES = frozenset(
    {"exec", "sudo", "env", "time", "nohup", "nice", "command", "xvfb-run", "dumb-init", "tini",
     "then", "do", "else", "if", "while", "until", "--", "eval", "watch", "newrelic-admin",
     "ddtrace-run", "opentelemetry-instrument", "timeout"}
)  # fmt: skip
_RUNNERS = frozenset({"poetry", "uv", "pipenv", "pdm", "hatch", "rye", "pipx", "tox"})
_TAKES_USER = frozenset({"gosu", "su-exec", "chpst", "setuidgid"})
_PYTHON = re.compile(r"^(?:python[\d.]*|py|pypy3?|\$[({]?PYTHON[)}]?)$", re.IGNORECASE)
_ASSIGNMENT = re.compile(r"^[A-Za-z_]\w*=")
_APP_SPEC = re.compile(r"^([A-Za-z_][\w.]*):[A-Za-z_]\w*(?:\(.*\))?$")
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
    for argv in _simple_commands(command):
        usages.extend(argv_usages(argv, path, line, mode, infer_mode=infer_mode))
    return usages


def argv_usages(
    argv: list[str], path: str, line: int, mode: str, *, infer_mode: bool = False
) -> list[Usage]:
    """Usages for one already-split command."""
    program, args, is_module = _resolve(argv)
    if not program:
        return []
    if is_module:
        name, distribution = program.split(".")[0], ""
    else:
        name = PurePosixPath(program).name
        if name == "jupyter" and args and not args[0].startswith("-"):
            name = f"jupyter-{args[0]}" if f"jupyter-{args[0]}" in SCRIPT_DISTRIBUTIONS else name
        distribution = SCRIPT_DISTRIBUTIONS.get(name, "")
        if not distribution:
            return []
    tool = distribution or name
    if infer_mode:
        mode = _mode_for_tool(tool, args) or mode
    detail = " ".join(argv)[:200]
    first = Usage(distribution or name, path, line, COMMAND, mode, is_distribution=bool(distribution), detail=detail)  # fmt: skip
    loaded = [
        Usage(module, path, line, STRING_REFERENCE, mode, detail=f"{tool} {option}")
        for module, option in _loaded_modules(tool, args)
    ]
    return [first, *loaded]


def call_usages(call: ast.Call, path: str, mode: str) -> list[Usage]:
    """Commands in ``subprocess.run([...])`` and nox's ``session.run("pytest", ...)``."""
    func = call.func
    if not isinstance(func, ast.Attribute) or not call.args:
        return []
    first = call.args[0]
    if isinstance(first, ast.List | ast.Tuple):
        argv = _leading_strings(first.elts)
    elif func.attr in ("run", "run_always", "run_install") and isinstance(func.value, ast.Name):
        argv = _leading_strings(call.args) if func.value.id == "session" else []
    else:
        argv = []
    if func.attr not in ("run", "call", "check_call", "check_output", "Popen", "run_always"):
        return []
    return argv_usages(argv, path, call.lineno, mode) if argv else []


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
    index = 0
    while index < len(argv):
        word = argv[index]
        base = PurePosixPath(word).name
        if _ASSIGNMENT.match(word) or base in _PREFIXES or (word.startswith("-") and index == 0):
            index += 1
        elif base in _TAKES_USER:
            index += 2
        elif base in _RUNNERS and index + 1 < len(argv) and argv[index + 1] in ("run", "exec"):
            index += 2
        elif base in ("uvx", "pipx") and index + 1 < len(argv):
            return argv[index + 1], argv[index + 2 :], False
        elif _PYTHON.match(base) or (base == "coverage" and "-m" in argv[index + 1 : index + 3]):
            return _python_module(argv[index + 1 :])
        else:
            return word, argv[index + 1 :], False
    return "", [], False


def _python_module(args: list[str]) -> tuple[str, list[str], bool]:
    for position, arg in enumerate(args):
        if arg == "-m" and position + 1 < len(args):
            return args[position + 1], args[position + 2 :], True
        if arg.startswith("-m") and len(arg) > 2:
            return arg[2:], args[position + 1 :], True
        if not arg.startswith("-") and arg != "run":
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
        found += [(v.split(":")[0].split(".")[0], f"--app {v}") for v in _option_values(args, "-A", "--app")]  # fmt: skip
        found += [(GUNICORN_WORKERS.get(v, ""), f"--pool {v}") for v in _option_values(args, "-P", "--pool")]  # fmt: skip
    if tool in _WEB_SERVERS:
        found += [(m.group(1).split(".")[0], arg) for arg in args if (m := _APP_SPEC.match(arg))]
    return [(module, option) for module, option in found if module.isidentifier()]


def _mode_for_tool(tool: str, args: list[str]) -> str | None:
    if tool == "celery":
        if "beat" in args or "-B" in args or "--beat" in args:
            return "cron"
        return "worker" if "worker" in args else None
    if tool in _WEB_SERVERS:
        return "web"
    return _MODE_BY_TOOL.get(tool)
