"""Commands from every place a repository runs them, each file read as what it is."""

from __future__ import annotations

import json
import textwrap

import pytest

from scanning.evidence import ciconfig
from scanning.types import COMMAND, STATIC_IMPORT

from .conftest import Scan, names


def commands(usages, **where) -> set[str]:
    return names([u for u in usages if u.kind == COMMAND], **where)


def test_python_dash_c_code_is_read_as_python(scan: Scan) -> None:
    makefile = "check:\n\tpython -c 'import yaml, tomli; print(1)'\n"
    usages, _ = scan({"Makefile": makefile})
    assert {"yaml", "tomli"} <= names(usages, kind=STATIC_IMPORT)


def test_ci_step_with_shell_python_is_read_as_python(scan: Scan) -> None:
    workflow = textwrap.dedent(
        """
        on: push
        jobs:
          check:
            runs-on: ubuntu-latest
            steps:
              - name: versions
                shell: python
                run: |
                  import sys
                  import requests
                  print(requests.__version__)
              - run: pytest -q
        """
    )
    usages, errors = scan({".github/workflows/ci.yml": workflow})
    assert errors == []
    imports = {u.name: u for u in usages if u.kind == STATIC_IMPORT}
    assert set(imports) == {"sys", "requests"}
    assert imports["requests"].line == 11
    assert imports["requests"].mode == "ci"
    assert "import" not in commands(usages)  # the Python is not read as shell words
    assert "pytest" in commands(usages)


def test_runner_options_before_the_command_are_skipped(scan: Scan) -> None:
    makefile = (
        "test:\n"
        "\tuv run --frozen --with pytest-cov --index-strategy unsafe-best-match pytest -q\n"
        "\tuvx --from 'ruff==0.5.0' ruff check .\n"
        "\tpoetry run -- mypy src\n"
        "\tpipx run --spec black==24.1.0 black .\n"
    )
    usages, _ = scan({"Makefile": makefile})
    found = commands(usages)
    assert {"pytest", "ruff", "mypy", "black"} <= found
    assert not found & {"unsafe-best-match", "pytest-cov", "frozen"}


def test_pyproject_task_runner_scripts_are_commands(scan: Scan) -> None:
    pyproject = textwrap.dedent(
        """
        [tool.poe.tasks]
        lint = "ruff check ."
        types = {cmd = "mypy src"}
        serve = {shell = "uvicorn app.main:app --reload"}
        seed = {script = "shop.seed:main"}
        all = ["lint", "types"]

        [tool.hatch.envs.default.scripts]
        cov = ["coverage run -m pytest", "coverage report"]
        docs = "mkdocs build"

        [tool.pdm.scripts]
        start = "gunicorn shop.wsgi"
        migrate = {cmd = ["alembic", "upgrade", "head"]}
        sh = {shell = "black . && isort ."}
        hello = {call = "shop.cli:hello"}

        [tool.rye.scripts]
        fmt = "yapf -r -i src"

        [tool.taskipy.tasks]
        check = {cmd = "flake8 src", help = "lint"}
        """
    )
    usages, errors = scan({"pyproject.toml": pyproject})
    assert errors == []
    found = commands(usages)
    assert {
        "ruff", "mypy", "uvicorn", "coverage", "mkdocs", "gunicorn", "alembic", "black",
        "isort", "yapf", "flake8",
    } <= found  # fmt: skip
    assert "pytest" in names(usages, is_distribution=False)
    assert "shop" in names(usages, is_distribution=False)
    assert not found & {"lint", "types"}  # a poe sequence names other tasks


def test_package_json_scripts_are_commands(scan: Scan) -> None:
    package = {
        "name": "frontend",
        "scripts": {"build": "webpack", "docs": "sphinx-build docs out", "pw": "python -m pytest"},
    }
    usages, errors = scan({"package.json": json.dumps(package, indent=2)})
    assert errors == []
    assert "sphinx" in commands(usages)
    assert "pytest" in names(usages, is_distribution=False)
    sphinx = next(u for u in usages if u.name == "sphinx")
    assert sphinx.line == 5


def test_taskfile_commands(scan: Scan) -> None:
    taskfile = textwrap.dedent(
        """
        version: '3'
        tasks:
          lint:
            cmds:
              - ruff check .
              - cmd: mypy src
          serve:
            cmd: uvicorn app.main:app
        """
    )
    usages, errors = scan({"Taskfile.yml": taskfile})
    assert errors == []
    assert {"ruff", "mypy", "uvicorn"} <= commands(usages)


def test_scripts_without_a_suffix_are_read_by_their_shebang(scan: Scan) -> None:
    usages, errors = scan(
        {
            "docker/entrypoint": "#!/bin/sh\nset -e\nexec gunicorn app.wsgi\n",
            "bin/report": "#!/usr/bin/env python3\nimport pandas\n",
            "LICENSE": "MIT License\nimport nothing\n",
        }
    )
    assert errors == []
    assert "gunicorn" in commands(usages)
    assert names(usages, kind=STATIC_IMPORT) == {"pandas"}


def test_a_file_is_read_as_what_it_is_not_by_what_its_name_starts_with(scan: Scan) -> None:
    usages, _ = scan(
        {
            "Procfile.md": "web: gunicorn not.run\n",
            "Dockerfile.md": "CMD uvicorn not.run\n",
            "Procfile.dev": "web: flask run\n",
        }
    )
    assert commands(usages) == {"flask"}


def test_a_shell_script_named_after_the_procfile_is_read_as_a_script(scan: Scan) -> None:
    usages, _ = scan(
        {
            "Procfile": "web: bash Procfile.sh\n",
            "Procfile.sh": "#!/bin/bash\n\npython manage.py migrate\n\ngunicorn app.wsgi\n",
        }
    )
    gunicorn = [u for u in usages if u.name == "gunicorn"]
    assert [(u.path, u.line) for u in gunicorn] == [("Procfile.sh", 5)]


def test_a_repository_wrapper_script_starting_a_known_program_is_a_possible_use(
    scan: Scan,
) -> None:
    usages, _ = scan({"Procfile": "web: bin/start-nginx gunicorn -c gunicorn.conf app.wsgi\n"})
    gunicorn = [u for u in usages if u.name == "gunicorn"]
    assert gunicorn and all(u.optional for u in gunicorn)
    assert "app" not in names(usages)  # the wrapper's other words are not programs


def test_a_script_path_with_plain_arguments_wraps_nothing(scan: Scan) -> None:
    usages, _ = scan({"Procfile": "release: bin/deploy production migrate\n"})
    assert commands(usages) <= {"deploy"}


GULPFILE = """\
const child_process = require("child_process");
const es = child_process.execSync;
const spawn = child_process.spawn;

function _runInPipenv(command) {
  command.unshift("run");
  return spawn("pipenv", command, { stdio: "inherit" });
}

function coverage(cb) {
  es("pipenv run coverage erase", { stdio: "inherit" });
  spawn("pipenv", ["run", "coverage", "run", "manage.py", "test", "--parallel"]);
}

function docs() {
  return _runInPipenv(["mkdocs", "build"]);
}

function lint() {
  return gulp.parallel(_runInPipenv(["black", ".", "--check"]), _runInPipenv(["djlint", "."]));
}

function test(cb) {
  let command = ["run", "python", "-Wa", "manage.py", "test", "--parallel"];
  spawn("pipenv", command, { stdio: "inherit" });
}

const styles = ["babybuddy/static_src/scss/**/*.scss", "dashboard/**/*.scss"];
"""


def test_gulpfile_commands_are_read_from_its_string_literals(scan: Scan) -> None:
    usages, errors = scan({"gulpfile.js": GULPFILE})
    assert errors == []
    found = commands(usages)
    assert {"coverage", "mkdocs", "black", "djlint", "pipenv"} <= found
    assert not found & {"babybuddy", "dashboard", "stdio"}
    black = next(u for u in usages if u.name == "black")
    assert black.line == 20


def test_pre_commit_pygrep_entry_is_a_pattern_not_a_command(scan: Scan) -> None:
    config = textwrap.dedent(
        """
        repos:
          - repo: local
            hooks:
              - id: no-print
                name: no print
                language: pygrep
                entry: pdb
              - id: tests
                name: tests
                language: system
                entry: pytest -q
        """
    )
    usages, _ = scan({".pre-commit-config.yaml": config})
    assert commands(usages) == {"pytest"} | ({"pre-commit"} & commands(usages))


@pytest.mark.parametrize(("hook_id", "known"), sorted(ciconfig.HOOKS.items()))
def test_each_pre_commit_hook_id_names_its_tool(scan: Scan, hook_id: str, known) -> None:
    distribution, source = known
    assert source.startswith("https://")
    config = (
        "repos:\n  - repo: https://example.org/hooks\n    rev: v1\n"
        f"    hooks:\n      - id: {hook_id}\n"
    )
    usages, _ = scan({".pre-commit-config.yaml": config})
    assert distribution in commands(usages, is_distribution=True)


def test_wrapper_option_values_are_not_programs(scan: Scan) -> None:
    script = (
        "#!/bin/sh\n"
        "sudo -u www-data gunicorn app.wsgi\n"
        "timeout 30s celery -A app inspect ping\n"
        "nice -n 10 uvicorn app.main:app\n"
    )
    usages, _ = scan({"deploy/start.sh": script})
    found = commands(usages)
    assert {"gunicorn", "celery", "uvicorn"} <= found
    assert not found & {"www-data", "30s", "10"}


def test_wrapped_commands_and_programs_named_through_a_folder_variable(scan: Scan) -> None:
    usages, _ = scan(
        {
            "scripts/publish": "#!/bin/sh -e\n${PREFIX}twine upload dist/*\n",
            "docker-compose.yml": (
                "services:\n  web:\n    command: sh -c 'wait-for-it db:5432 -- honcho start'\n"
            ),
        }
    )
    assert {"twine", "honcho"} <= commands(usages, is_distribution=True, optional=False)


def test_options_after_a_computed_word_of_an_argv_list_still_count(scan: Scan) -> None:
    source = textwrap.dedent(
        """
        import subprocess

        def worker(level):
            subprocess.run(["celery", "-A", "app", "worker", "-l", f"{level}", "-P", "gevent"])

        def anything(program, args):
            subprocess.run([program, "-P", "eventlet"])
            subprocess.run(["celery", *args, "-P", "eventlet"])
        """
    )
    usages, _ = scan({"cli.py": source})
    assert "gevent" in names(usages)
    assert "eventlet" not in names(usages)  # a computed program or *args ends the argv
    assert not [u for u in usages if "\0" in u.name]


def test_supervisor_program_commands_are_commands(scan: Scan) -> None:
    usages, errors = scan(
        {
            "deploy/supervisor/worker.conf": (
                "[program:worker]\ndirectory=/app\n"
                "command=/usr/local/bin/celery -A app.tasks worker -P gevent --loglevel=INFO\n"
                "autostart=true\n"
            ),
            "deploy/supervisor/supervisord.conf": (
                "[supervisord]\nnodaemon=true\n\n[include]\nfiles = /etc/supervisor/conf.d/*.conf\n"
            ),
            "deploy/nginx.conf": "server {\n  command = gunicorn\n}\n",
        }
    )
    assert errors == []
    celery = next(u for u in usages if u.name == "celery")
    assert (celery.path, celery.line, celery.mode) == ("deploy/supervisor/worker.conf", 3, "worker")
    assert "gevent" in names(usages)
    assert "gunicorn" not in names(usages)  # no program section: not supervisor's


def test_django_parallel_tests_possibly_use_tblib(scan: Scan) -> None:
    usages, _ = scan(
        {
            "Makefile": "test:\n\tpython -Wa manage.py test --parallel --settings=x\n",
            "gulpfile.js": 'spawn("pipenv", ["run", "./manage.py", "test", "--parallel=4"])',
            "tox.ini": "[testenv]\ncommands = python manage.py test\n",
        }
    )
    tblib = [u for u in usages if u.name == "tblib"]
    assert {u.path for u in tblib} == {"Makefile", "gulpfile.js"}
    assert all(u.optional for u in tblib)


def test_shell_command_strings_run_from_python_are_commands(scan: Scan) -> None:
    source = textwrap.dedent(
        """
        import os, subprocess, delegator
        from invoke import task

        @task
        def release(c):
            c.run("twine upload dist/*")

        os.system("gunicorn app.wsgi")
        subprocess.run("celery -A app worker", shell=True)
        delegator.run("honcho start")
        subprocess.run("not-a-shell-line")  # without shell=True: a program path, no command line
        print("black .")
        """
    )
    usages, _ = scan({"tasks.py": source})
    found = commands(usages)
    assert {"twine", "gunicorn", "celery", "honcho"} <= found
    assert "black" not in found


def test_a_program_looked_up_by_name_is_a_command(scan: Scan) -> None:
    source = textwrap.dedent(
        """
        import shutil, subprocess
        tool = shutil.which("deptry", path="/opt/venv/bin")
        subprocess.run([tool, "."])
        shutil.which(name)  # a name we cannot read: nothing
        shutil.which("not a program")
        """
    )
    usages, _ = scan({"tests/test_tools.py": source})
    found = commands(usages)
    assert "deptry" in found
    assert not found & {"not a program", "name"}


def test_an_f_string_command_line_runs_the_words_before_its_first_value(scan: Scan) -> None:
    source = textwrap.dedent(
        """
        import delegator, os
        delegator.run(f"twine upload {path}")
        os.system(f"{tool} --version")
        os.system(f"gunic{suffix} app")
        """
    )
    usages, _ = scan({"jobs.py": source})
    found = commands(usages)
    assert "twine" in found
    assert not {name for name in found if name.startswith("gunic")}


def test_a_script_started_by_its_path_in_the_environment_is_a_command(scan: Scan) -> None:
    source = textwrap.dedent(
        """
        import os, subprocess, sys, sysconfig
        from pathlib import Path
        server = str(Path(sys.executable).parent / "pypi-server")
        subprocess.run([server, "run", "--port", "8080"])
        twine = os.path.join(sys.prefix, "bin", "twine")
        build = os.path.join(os.path.dirname(sys.executable), "pyproject-build")
        tox = Path(sysconfig.get_path("scripts")) / "tox.exe"
        nox = Path(sys.prefix) / "Scripts" / "nox"
        flake8 = Path(sys.executable).with_name("flake8")
        """
    )
    usages, errors = scan({"tests/conftest.py": source})
    assert not errors
    assert {"pypiserver", "twine", "pyproject-build", "tox", "nox", "flake8"} <= commands(usages)


def test_a_path_not_in_the_environment_scripts_folder_is_no_command(scan: Scan) -> None:
    source = textwrap.dedent(
        """
        import os, sys
        from pathlib import Path
        data = Path(__file__).parent / "fixtures"
        lib = os.path.join(sys.prefix, "lib", "python3.12")
        here = Path(sys.executable).parent / name
        nested = Path(sys.executable).parent / "sub/dir"
        share = Path(sys.prefix) / "share"
        """
    )
    usages, _ = scan({"tests/conftest.py": source})
    assert not commands(usages) & {"fixtures", "python3.12", "lib", "sub/dir", "dir", "share"}


def test_a_script_run_from_a_virtualenv_folder_in_shell_is_a_command(scan: Scan) -> None:
    script = "#!/bin/sh\n.venv/bin/twine upload dist/*\n$VIRTUAL_ENV/bin/tox -e py\n"
    usages, _ = scan({"scripts/release": script})
    assert {"twine", "tox"} <= commands(usages)
