"""Which purpose group a manifest path or a dependency group name serves."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from scanning.types import DEV, DOCS, JOB, NOTEBOOK, RUNTIME, TEST

_WORDS = re.compile(r"[a-z0-9]+")

# Checked in this order, so ``test-dev`` is a test group and ``docs-lint`` a docs group.
_PURPOSE_WORDS: tuple[tuple[str, frozenset[str]], ...] = (
    (
        TEST,
        frozenset({"test", "tests", "testing", "pytest", "coverage", "cov", "tox", "nox", "e2e"}),
    ),
    (DOCS, frozenset({"doc", "docs", "documentation", "sphinx", "mkdocs"})),
    (NOTEBOOK, frozenset({"notebook", "notebooks", "jupyter", "ipython", "nb"})),
    (JOB, frozenset({"job", "jobs", "cron", "batch", "etl"})),
    (
        DEV,
        frozenset(
            {
                "dev",
                "devel",
                "develop",
                "development",
                "lint",
                "linting",
                "linters",
                "typing",
                "types",
                "mypy",
                "style",
                "format",
                "fmt",
                "precommit",
                "tools",
                "tooling",
                "ci",
                "local",
                "debug",
                "build",
                "qa",
                "check",
                "checks",
                "bench",
                "benchmark",
                "benchmarks",
                "release",
            }
        ),
    ),
)


def purpose_for_name(name: str, default: str = RUNTIME) -> str:
    """Purpose of a group or extra such as ``dev``, ``tests``, ``docs-build``, ``lint``."""
    words = set(_WORDS.findall(name.lower().replace("pre-commit", "precommit")))
    for purpose, vocabulary in _PURPOSE_WORDS:
        if words & vocabulary:
            return purpose
    return default


def purpose_for_path(path: str, default: str = RUNTIME) -> str:
    """Purpose of a manifest from its file name first, then its folders nearest first.

    ``requirements-dev.txt`` → dev, ``requirements/test.txt`` → test,
    ``docs/requirements.txt`` → docs.
    """
    posix = PurePosixPath(path)
    for part in (posix.name, *reversed(posix.parent.parts)):
        purpose = purpose_for_name(part, default="")
        if purpose:
            return purpose
    return default
