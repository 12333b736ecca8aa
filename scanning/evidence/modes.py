"""The execution mode a file belongs to (web, worker, cron, migration, test, ...)."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

_TEST_DIRS = frozenset({"tests", "test", "testing"})
_SCRIPT_DIRS = frozenset({"scripts", "script", "bin", "tools"})
_DOCS_DIRS = frozenset({"docs", "doc"})
_WORKER_DIRS = frozenset({"workers", "worker"})
_CI_FILES = frozenset(
    {".gitlab-ci.yml", "tox.ini", "noxfile.py", ".pre-commit-config.yaml", "Jenkinsfile"}
)
_CI_DIRS = frozenset({".github", ".circleci", ".buildkite"})
_CRONTAB_NAMES = frozenset({"crontab", "cron.d"})
# Files that only run or configure the test suite.
_TEST_RUNNERS = frozenset({"conftest.py", "runtests.py", "run_tests.py", "runtest.py"})
_WORD = re.compile(r"[a-z0-9]+")
_MAIN_GUARD = re.compile(r"""^if\s+__name__\s*==\s*['"]__main__['"]""", re.MULTILINE)
_TASK_DECORATOR = re.compile(
    r"^\s*@(?:shared_task|job|actor|dramatiq\.actor|periodic_task|[\w.]+\.(?:task|job|actor))\b",
    re.MULTILINE,
)
_TASK_MODULES = ("celery", "rq", "dramatiq", "huey")
_TASK_IMPORT = re.compile(rf"^\s*(?:from|import)\s+(?:{'|'.join(_TASK_MODULES)})\b", re.MULTILINE)
_CRONJOB = re.compile(r"^kind:\s*CronJob\s*$", re.MULTILINE)


def mode_for(path: str, source: str | None = None) -> str:
    """Return the execution mode of ``path``; ``source`` refines it for workers and scripts."""
    posix = PurePosixPath(path)
    name = posix.name
    dirs = posix.parts[:-1]
    if name.endswith(".ipynb"):
        return "notebook"
    if _is_test(name, dirs):
        return "test"
    if _is_migration(name, dirs):
        return "migration"
    if name in _CI_FILES or any(d in _CI_DIRS for d in dirs):
        return "ci"
    if any(d in _DOCS_DIRS for d in dirs):
        return "docs"
    if _is_cron(posix, source):
        return "cron"
    if _is_worker(name, dirs, source):
        return "worker"
    if any(d in _SCRIPT_DIRS for d in dirs) or name == "manage.py":
        return "script"
    if dirs[-2:] == ("management", "commands"):  # Django management commands run by hand or cron
        return "script"
    # The guard holds "__main__": a file without it needs no search line by line.
    python = source is not None and name.endswith(".py")
    if python and "__main__" in source and _MAIN_GUARD.search(source):  # type: ignore[operator]
        return "script"
    return "web" if dirs else "script"


def _is_test(name: str, dirs: tuple[str, ...]) -> bool:
    if any(d in _TEST_DIRS for d in dirs):
        return True
    stem = name.removesuffix(".py")
    return name in _TEST_RUNNERS or (
        name.endswith(".py") and (stem.startswith("test_") or stem.endswith("_test"))
    )


def _is_migration(name: str, dirs: tuple[str, ...]) -> bool:
    alembic = "alembic" in dirs and (name == "env.py" or "versions" in dirs)
    return "migrations" in dirs or alembic


def _is_cron(posix: PurePosixPath, source: str | None) -> bool:
    if posix.name in _CRONTAB_NAMES or posix.suffix == ".cron":
        return True
    words = {w for part in posix.parts for w in _WORD.findall(part.lower())}
    if any(w.startswith(("cron", "schedul")) or w in ("beat", "celerybeat") for w in words):
        return True
    if source is not None and posix.suffix in (".yml", ".yaml"):
        return _CRONJOB.search(source) is not None
    return False


def _is_worker(name: str, dirs: tuple[str, ...], source: str | None) -> bool:
    if name == "tasks.py" or any(d in _WORKER_DIRS for d in dirs):
        return True
    if source is None or not name.endswith(".py"):
        return False
    # Both expressions need these characters: looking for them first spares a large file two
    # searches line by line.
    if "@" not in source or not any(module in source for module in _TASK_MODULES):
        return False
    return _TASK_IMPORT.search(source) is not None and _TASK_DECORATOR.search(source) is not None
