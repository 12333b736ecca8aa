"""Small projects in the shapes deptry's functional tests use, written afresh for our tests.

Each maps to the DEP codes Debtboard reports for it; ``benchmarks/README.md`` lists where and
why these differ from deptry's verdicts.
"""

from __future__ import annotations

SITUATIONS: dict[str, dict[str, str]] = {
    # requirements.txt that includes another file, a dev file, and code importing across them.
    "requirements-files": {
        "requirements.txt": "-r requirements-base.txt\nslugify-tool==1.0\nhttpx==0.27.0\n",
        "requirements-base.txt": "isort==5.13.2\n",
        "requirements-dev.txt": "black==24.1.0\n",
        "requirements-extra.txt": "idna==3.7\n",
        "src/app.py": (
            "from os import path\nimport black\nimport httpx\nimport phantom_mod as pm\n"
            "from idna import core\n"
        ),
    },
    # PEP 621 with optional dev extras and PEP 735 dependency groups.
    "pep621-groups": {
        "pyproject.toml": (
            '[project]\nname = "demo"\nversion = "0.1"\n'
            'dependencies = ["click==8.1.7", "requests==2.32.3", "asyncio==3.4.3"]\n'
            "[project.optional-dependencies]\n"
            'dev = ["black==24.1.0"]\ntest = ["pytest==8.2.0"]\nplot = ["matplotlib==3.9.0"]\n'
            "[dependency-groups]\n"
            'lint = ["packaging==24.1"]\n'
        ),
        "src/main.py": "import asyncio\nimport click\nimport black\nimport packaging\n",
    },
    # An implicit namespace package (no __init__.py) of the project's own.
    "namespace-project": {
        "pyproject.toml": (
            '[project]\nname = "acme"\nversion = "0.1"\ndependencies = ["arrow==1.3.0"]\n'
            '[project.optional-dependencies]\ndev = ["flake8==7.0.0"]\n'
        ),
        "acme/db/store.py": "import flake8\nimport phantom_mod\nfrom acme import web\n",
        "acme/web/http.py": "from acme.db import store\n",
    },
    # A project that tells deptry which extras are dev and which dependency groups are not.
    "deptry-settings": {
        "pyproject.toml": (
            '[project]\nname = "relay"\nversion = "0.1"\ndependencies = ["click==8.1.7"]\n'
            "[project.optional-dependencies]\n"
            'cli = ["rich==13.7.1"]\nqa = ["httpx==0.27.0"]\n'
            "[dependency-groups]\n"
            'edge = ["idna==3.7"]\nhelpers = ["certifi==2024.7.4"]\n'
            "[tool.deptry]\n"
            'optional_dependencies_dev_groups = ["qa"]\nnon_dev_dependency_groups = ["edge"]\n'
        ),
        "relay/main.py": "import click\nimport rich\nimport idna\nimport certifi\n",
    },
    # A Poetry project with its lock: an import of something only the lock lists.
    "poetry-lock": {
        "pyproject.toml": (
            '[tool.poetry]\nname = "svc"\nversion = "0.1"\n'
            '[tool.poetry.dependencies]\npython = "^3.11"\nrequests = "^2.32"\n'
            '[tool.poetry.group.dev.dependencies]\nmypy = "^1.10"\n'
        ),
        "poetry.lock": (
            '[[package]]\nname = "requests"\nversion = "2.32.3"\n\n'
            '[[package]]\nname = "urllib3"\nversion = "2.2.2"\n\n'
            '[[package]]\nname = "mypy"\nversion = "1.10.0"\ngroups = ["dev"]\n'
        ),
        "svc/__init__.py": "",
        "svc/client.py": "import requests\nimport urllib3\n",
    },
}

# What Debtboard reports for each: (code, subject) for the four deptry codes.
EXPECTED: dict[str, set[tuple[str, str]]] = {
    # slugify-tool (nothing says what it installs) beside the unmapped phantom_mod: deptry,
    # with the packages installed, knows; Debtboard bare reports one unverified mapping.
    "requirements-files": {
        ("DEP002", "isort"),
        ("DEP004", "black"),
        ("DBT111", "slugify-tool"),
    },
    # pytest: a test-extra tool that nothing runs (the finding says it may be run by hand).
    "pep621-groups": {
        ("DEP002", "pytest"),
        ("DEP002", "requests"),
        ("DEP002", "matplotlib"),
        ("DEP002", "asyncio"),
        ("DEP004", "black"),
        ("DEP004", "packaging"),
    },
    "namespace-project": {("DEP002", "arrow"), ("DEP004", "flake8"), ("DEP001", "phantom-mod")},
    "poetry-lock": {("DEP003", "urllib3"), ("DEP002", "mypy")},  # mypy: nothing runs it
    # idna: its group is runtime by the project's word; httpx: a dev extra nothing imports
    # (deptry never calls a dev dependency unused); certifi: an unnamed group stays dev.
    "deptry-settings": {("DEP002", "httpx"), ("DEP004", "certifi")},
}
