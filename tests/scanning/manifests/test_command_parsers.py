from __future__ import annotations

import pytest

from scanning.manifests import pipinstall
from scanning.types import DEV, RUNTIME, TEST

DOCKERFILE = """\
FROM python:3.12-slim
COPY requirements/ /app/requirements/
RUN pip install --no-cache-dir -U pip \\
    && pip install --no-cache-dir -r requirements/prod.txt \\
    && python -m pip install "gunicorn==22.0.0" 'uvicorn[standard]>=0.29'
RUN apt-get update && apt-get install -y curl
RUN ["pip3", "install", "whitenoise"]
RUN pip install -e . && pip install /wheels/*.whl
# RUN pip install commented-out
"""


def test_dockerfile_run_lines_continuations_chains_and_exec_form(scan):
    manifests = scan({"Dockerfile": DOCKERFILE, "requirements/prod.txt": "django==5.0\n"})
    manifest = manifests["Dockerfile"]
    assert (manifest.kind, manifest.purpose) == ("dockerfile", RUNTIME)
    assert manifest.errors == []
    found = {d.name: (d.line, d.specifier) for d in manifest.declarations}
    assert found == {
        "pip": (3, ""),
        "gunicorn": (3, "==22.0.0"),
        "uvicorn": (3, ">=0.29"),
        "whitenoise": (7, ""),
    }
    assert manifests["requirements/prod.txt"].kind == "requirements"
    assert manifests["requirements/prod.txt"].declarations[0].name == "django"


def test_dockerfile_variants_and_purpose_from_name(scan):
    manifests = scan(
        {
            "Dockerfile.dev": "RUN pip install ipdb\n",
            "docker/worker.dockerfile": "RUN uv pip install --system celery\n",
        }
    )
    assert manifests["Dockerfile.dev"].purpose == DEV
    assert [d.name for d in manifests["docker/worker.dockerfile"].declarations] == ["celery"]


def test_command_referencing_missing_or_escaping_file_is_an_error(scan):
    manifest = scan(
        {"Dockerfile": "RUN pip install -r missing.txt\nRUN pip install -r ../../etc/passwd\n"}
    )["Dockerfile"]
    assert [(e.line, e.message.split(":")[0]) for e in manifest.errors] == [
        (1, "included file not found"),
        (2, "include outside the repository"),
    ]


WORKFLOW = """\
name: ci
on: [push]
defaults: &defaults
  runs-on: ubuntu-latest
jobs:
  test:
    <<: *defaults
    steps:
      - uses: actions/checkout@v4
      - run: python -m pip install --upgrade pip
      - run: |
          pip install -r requirements-test.txt
          pip install tox-gh-actions \\
            coverage[toml]
      - name: lint
        run: uv add --dev ruff && pip install "https://user:secret@host/pkg-1.0.tar.gz"
"""


def test_github_workflow_strings_give_dev_declarations_with_lines(scan):
    manifests = scan({".github/workflows/ci.yml": WORKFLOW, "requirements-test.txt": "pytest\n"})
    manifest = manifests[".github/workflows/ci.yml"]
    assert (manifest.kind, manifest.purpose) == ("ci", DEV)
    assert manifest.errors == []
    found = {d.name: d.line for d in manifest.declarations}
    assert found == {"pip": 10, "tox-gh-actions": 13, "coverage": 13, "ruff": 16, "pkg": 16}
    assert "secret" not in repr(manifest)
    assert manifests["requirements-test.txt"].purpose == TEST


def test_gitlab_ci_and_yaml_errors(scan):
    manifests = scan(
        {
            ".gitlab-ci.yml": "test:\n  script:\n    - pip install pytest-cov\n",
            ".github/workflows/broken.yaml": "jobs: [unclosed\n",
        }
    )
    assert [(d.name, d.line) for d in manifests[".gitlab-ci.yml"].declarations] == [
        ("pytest-cov", 3)
    ]
    assert manifests[".github/workflows/broken.yaml"].errors[0].message.startswith("invalid YAML")


def test_yaml_alias_bomb_is_walked_once_per_node(scan):
    lines = ['a0: &a0 ["pip install boom"]']
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 30)]
    manifest = scan({".gitlab-ci.yml": "\n".join(lines) + "\n"})[".gitlab-ci.yml"]
    assert [d.name for d in manifest.declarations] == ["boom"]


TOX = """\
[tox]
requires = tox>=4

[testenv]
deps =
    -r{toxinidir}/requirements-dev.txt
    pytest>=8
    py311: mock
    {[base]deps}
commands =
    pip install coverage
    pytest {posargs}
"""


def test_tox_ini_deps_requires_and_commands(scan):
    manifests = scan({"tox.ini": TOX, "requirements-dev.txt": "ruff\n"})
    manifest = manifests["tox.ini"]
    assert (manifest.kind, manifest.purpose) == ("tox", DEV)
    assert manifest.errors == []
    assert {d.name: d.line for d in manifest.declarations} == {
        "tox": 2,
        "pytest": 7,
        "mock": 8,
        "coverage": 11,
    }
    assert manifests["requirements-dev.txt"].declarations[0].name == "ruff"


NOXFILE = """\
import nox

LINT = ["ruff", "mypy==1.10"]


@nox.session
def tests(session):
    session.install("-r", "requirements.txt", "pytest")
    session.install(*LINT)
    session.install("-e", ".")
    session.run("python", "-m", "pip", "install", "coverage")
    session.run("pytest")
"""


def test_noxfile_install_calls_are_read_statically(scan):
    manifests = scan({"noxfile.py": NOXFILE, "requirements.txt": "attrs\n"})
    manifest = manifests["noxfile.py"]
    assert (manifest.kind, manifest.purpose) == ("nox", DEV)
    assert [(d.name, d.line) for d in manifest.declarations] == [
        ("pytest", 8),
        ("ruff", 9),
        ("mypy", 9),
        ("coverage", 11),
    ]
    assert "requirements.txt" in manifests


def test_makefile_recipes_with_variables_and_prefixes(scan):
    makefile = (
        "PIP ?= pip\n"
        "install:\n"
        "\t@$(PIP) install -c constraints.txt black isort >/dev/null 2>&1\n"
        "\tpip3 install --user $(EXTRA) build\n"
    )
    manifests = scan({"Makefile": makefile, "constraints.txt": "black==24.1\n"})
    manifest = manifests["Makefile"]
    assert [(d.name, d.line) for d in manifest.declarations] == [
        ("black", 3),
        ("isort", 3),
        ("build", 4),
    ]
    assert manifests["constraints.txt"].kind == "constraints"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("pip install a b", ["a", "b"]),
        ("sudo -H pip3.11 install --upgrade a", ["a"]),
        ("/usr/bin/python3 -m pip install -i https://x/simple a", ["a"]),
        ("uv pip install --python 3.12 a", ["a"]),
        ("uv add --group docs mkdocs", ["mkdocs"]),
        ("pip install a; echo pip install b", ["a"]),
        ("pip install 'a>=1' > log.txt", ["a>=1"]),
        ("pip install a==1 || true", ["a==1"]),
        ("pip download a", []),
        ("pip install --requirement=r.txt -rother.txt", []),
        ("echo 'unbalanced", []),
    ],
)
def test_install_commands_are_recognised_in_shell_lines(line, expected):
    requirements = [
        arg.value for arg in pipinstall.from_shell(line) if arg.option == pipinstall.REQUIREMENT
    ]
    assert requirements == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("uv pip install --index-strategy unsafe-best-match -r r.txt flask", ["flask"]),
        ("uv pip install --resolution lowest-direct --prerelease allow a", ["a"]),
        ("pip install --extra-index-url https://x/simple -i https://y/simple a", ["a"]),
        ("uv pip install -P a --upgrade-package b c", ["c"]),
        ("uv add --index-strategy=first-index a", ["a"]),
    ],
)
def test_option_values_are_never_packages(line, expected):
    requirements = [
        arg.value for arg in pipinstall.from_shell(line) if arg.option == pipinstall.REQUIREMENT
    ]
    assert requirements == expected


@pytest.mark.parametrize("option", sorted(pipinstall.VALUE_OPTIONS))
def test_each_option_that_takes_a_value_swallows_it(option):
    arguments = pipinstall.from_shell(f"uv pip install {option} somevalue wanted")
    assert [a.value for a in arguments if a.option == pipinstall.REQUIREMENT] == ["wanted"]
