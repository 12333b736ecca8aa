from __future__ import annotations

import textwrap

import pytest

from scanning.distributions import table
from scanning.evidence.commands import is_named_like
from scanning.types import COMMAND, CONFIG, STRING_REFERENCE

from .conftest import Scan, names

# Console scripts named otherwise than the distribution that installs them (knowledge.toml).
RENAMED = sorted((s, d) for s, d in table.shipped().scripts.items() if s != d)


@pytest.mark.parametrize(("script", "distribution"), RENAMED)
def test_each_renamed_script_runs_its_distribution(scan: Scan, script: str, distribution) -> None:
    usages, _ = scan({"Makefile": f"x:\n\t{script} --help\n"})
    assert names(usages, kind=COMMAND, is_distribution=True, optional=False) == {distribution}


def test_a_script_the_table_does_not_know_is_only_an_optional_use(scan: Scan) -> None:
    usages, _ = scan({"Makefile": "x:\n\tfrobnicate-everything --help\n"})
    assert names(usages, kind=COMMAND, is_distribution=True, optional=False) == set()
    assert names(usages, kind=COMMAND, optional=True) == {"frobnicate-everything"}


def test_dockerfile_cmd_and_run_commands(scan: Scan) -> None:
    dockerfile = textwrap.dedent(
        """
        FROM python:3.11
        # RUN black .
        RUN --mount=type=cache,target=/root/.cache pip install -r requirements.txt && \\
            pybabel compile -d locale
        ENTRYPOINT ["/usr/bin/tini", "--"]
        CMD ["gunicorn", "-k", "uvicorn.workers.UvicornWorker", "config.asgi:application"]
        """
    )
    usages, errors = scan({"Dockerfile": dockerfile})
    assert errors == []
    commands = {u.name: u for u in usages if u.kind == COMMAND}
    assert set(commands) == {"babel", "gunicorn", "pip"}
    assert commands["pip"].optional  # a program we know no distribution for: named like one
    assert commands["babel"].mode == "script"
    assert commands["babel"].line == 4
    assert commands["gunicorn"].mode == "web"
    assert commands["gunicorn"].is_distribution
    assert {"uvicorn", "config"} == names(usages, kind=STRING_REFERENCE)


def test_procfile_process_names_give_modes(scan: Scan) -> None:
    procfile = (
        "web: gunicorn config.wsgi --log-file -\n"
        "worker: celery -A config worker -l info\n"
        "beat: celery -A config beat\n"
        "release: python manage.py migrate\n"
    )
    usages, _ = scan({"Procfile": procfile})
    modes = {(u.name, u.mode) for u in usages if u.kind == COMMAND}
    assert modes == {("gunicorn", "web"), ("celery", "worker"), ("celery", "cron")}
    assert "config" in names(usages, kind=STRING_REFERENCE)


def test_python_dash_m_is_an_import_name_not_a_distribution(scan: Scan) -> None:
    usages, _ = scan({"Makefile": "test:\n\t$(PYTHON) -m pytest -x\n\t@python3 manage.py check\n"})
    assert len(usages) == 1
    assert usages[0].name == "pytest"
    assert not usages[0].is_distribution
    assert usages[0].mode == "test"
    assert usages[0].line == 2


def test_github_workflow_run_steps_are_ci_commands_with_lines(scan: Scan) -> None:
    workflow = textwrap.dedent(
        """
        on: push
        jobs:
          test:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: pip install -r requirements/dev.txt
              - run: |
                  ruff check .
                  coverage run -m pytest
        """
    )
    usages, errors = scan({".github/workflows/ci.yml": workflow})
    assert errors == []
    found = {(u.name, u.line, u.is_distribution) for u in usages if not is_named_like(u)}
    assert found == {("ruff", 10, True), ("coverage", 11, True), ("pytest", 11, False)}
    assert {u.mode for u in usages} == {"ci"}


def test_gitlab_ci_scripts_and_tox_commands(scan: Scan) -> None:
    gitlab = "test:\n  script:\n    - tox -e py311\n    - mypy src\n"
    tox = "[tox]\nenv_list = py311\n\n[testenv]\ncommands =\n    pytest {posargs}\n    - flake8\n"
    usages, errors = scan({".gitlab-ci.yml": gitlab, "tox.ini": tox})
    assert errors == []
    assert names(usages, path=".gitlab-ci.yml") == {"tox", "mypy"}
    assert names(usages, path="tox.ini", kind=COMMAND) == {"pytest", "flake8"}
    assert names(usages, path="tox.ini", kind=CONFIG) == {"tox"}  # the file is tox's settings
    assert all(u.mode == "ci" for u in usages)


def test_pre_commit_hooks_name_tools_and_extra_dependencies(scan: Scan) -> None:
    config = textwrap.dedent(
        """
        repos:
          - repo: https://github.com/pre-commit/pre-commit-hooks
            rev: v4.6.0
            hooks:
              - id: check-yaml
          - repo: https://github.com/astral-sh/ruff-pre-commit
            rev: v0.6.0
            hooks:
              - id: ruff-format
          - repo: https://github.com/pre-commit/mirrors-mypy
            rev: v1.11.0
            hooks:
              - id: mypy
                additional_dependencies: [django-stubs==5.0.4, "types_requests"]
          - repo: local
            hooks:
              - id: tests
                name: tests
                entry: pytest -q
                language: system
        """
    )
    usages, errors = scan({".pre-commit-config.yaml": config})
    assert errors == []
    assert names(usages, is_distribution=True, kind=COMMAND) == {
        "ruff",
        "mypy",
        "django-stubs",
        "types-requests",
        "pytest",
    }
    assert names(usages, kind=CONFIG) == {"pre-commit"}  # the file is pre-commit's settings
    mypy = next(u for u in usages if u.name == "mypy")
    assert mypy.line == 14


def test_compose_command_and_shell_entrypoint(scan: Scan) -> None:
    compose = textwrap.dedent(
        """
        services:
          worker:
            command: ["celery", "-A", "proj", "worker", "--pool", "eventlet"]
          web:
            command: uvicorn app.main:app --host 0.0.0.0
        """
    )
    entrypoint = '#!/bin/sh\nset -e\nif [ "$1" = web ]; then\n  exec daphne proj.asgi:app\nfi\n'
    usages, _ = scan({"docker-compose.yml": compose, "docker/entrypoint.sh": entrypoint})
    modes = {(u.name, u.mode) for u in usages if u.kind == COMMAND}
    assert modes == {("celery", "worker"), ("uvicorn", "web"), ("daphne", "web")}
    assert {"proj", "eventlet", "app"} <= names(usages, kind=STRING_REFERENCE)


def test_crontab_lines_are_cron_commands(scan: Scan) -> None:
    crontab = (
        "MAILTO=ops@example.com\n*/5 * * * * root flask send-digest\n@daily python -m app.report\n"
    )
    usages, _ = scan({"deploy/crontab": crontab})
    known = {(u.name, u.mode) for u in usages if not is_named_like(u)}
    assert known == {("flask", "cron"), ("app.report", "cron")}


def test_subprocess_and_nox_sessions_run_commands(scan: Scan) -> None:
    noxfile = (
        'import nox\n@nox.session\ndef lint(session):\n    session.run("black", "--check", ".")\n'
    )
    script = 'import subprocess\nsubprocess.run(["alembic", "upgrade", "head"], check=True)\n'
    usages, _ = scan({"noxfile.py": noxfile, "scripts/migrate.py": script})
    commands = {(u.name, u.mode) for u in usages if u.kind == COMMAND}
    assert commands == {("black", "ci"), ("alembic", "script")}


def test_unknown_commands_and_invalid_yaml_do_not_crash(scan: Scan) -> None:
    usages, errors = scan(
        {"Makefile": "x:\n\techo 'unterminated\n\tls -la\n", ".gitlab-ci.yml": "a: [b\n"}
    )
    assert usages == []  # shell builtins and coreutils are never named like a package
    assert [e.path for e in errors] == [".gitlab-ci.yml"]
    assert errors[0].message.startswith("invalid YAML")


def test_yaml_alias_bomb_is_read_without_expanding(scan: Scan) -> None:
    lines = ['a0: &a0 ["pytest"]']
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 30)]
    usages, errors = scan({".gitlab-ci.yml": "\n".join(lines) + "\n"})
    assert errors == []
    assert usages == []


def test_tox_ini_commands_join_continued_lines_and_take_the_posargs_default() -> None:
    from scanning.evidence.ciconfig import tox_ini_commands

    value = "\npytest \\\n{posargs: \\\n--cov=app \\\ntests \\\n}\n- mypy {posargs}\n# note\n"
    assert tox_ini_commands(value) == [
        ("pytest \\", "pytest --cov=app tests"),
        ("- mypy {posargs}", "mypy"),
    ]


def test_a_subcommand_that_starts_another_program_is_a_possible_use_of_it(scan: Scan) -> None:
    usages, _ = scan({"Makefile": "dev:\n\tdagster dev -m app.defs\nlist:\n\tdagster asset list\n"})
    started = [u for u in usages if u.name == "dagster-webserver"]
    assert [(u.line, u.optional, u.is_distribution) for u in started] == [(2, True, True)]
    assert "dagster" in names(usages, kind=COMMAND)


def test_every_subcommand_entry_names_a_script_of_its_distribution() -> None:
    shipped = table.shipped()
    assert shipped.subcommands
    for distribution, _word in shipped.subcommands:
        assert shipped.distributions[distribution].console_scripts
