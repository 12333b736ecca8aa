"""A repository full of hostile files, built in a temporary directory by the tests themselves.

``HOSTILE`` maps each hostile path to a piece of the error message its scan must produce
(``zz-many/`` is a folder: the first file over the cap is somewhere in it);
``GOOD_REQUIREMENTS`` / ``GOOD_IMPORTS`` are what the well-formed files beside them declare and
import, so a test can assert both that every problem is listed and that the rest was read.
"""

from __future__ import annotations

import os
from pathlib import Path

MANY_FILES = 2_100
FILE_CAP = 2_000  # DEBTBOARD_MAX_FILES for the corpus scan: the "zz-many" folder overflows it
MB = 1024 * 1024

GOOD_REQUIREMENTS = {"requests", "django", "httpx", "pytest", "pkg-from-file"}
GOOD_IMPORTS = {"requests", "django", "celery", "httpx", "yaml"}

_ALIAS_BOMB = "\n".join(
    ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    + ["services:", "  web:", "    command: gunicorn app:app", "    x: *a9"]
)

HOSTILE: dict[str, str] = {
    "app/syntax_error.py": "syntax error",
    "app/nul.py": "null bytes",
    "app/klingon.py": "bad encoding declaration",
    "app/parens.py": "too many nested parentheses",
    "app/huge.py": "skipped: too large",
    "deep/pyproject.toml": "nested too deeply",
    "deep/Pipfile.lock": "invalid JSON",
    "notebooks/big.ipynb": "skipped: too large",
    "notebooks/deep.ipynb": "invalid notebook JSON",
    "requirements-huge.txt": "skipped: too large",
    "requirements-link.txt": "skipped: symbolic link",
    "outside-dir": "skipped: symbolic link",
    "app/fifo.py": "skipped: named pipe",
    "requirements-fifo.txt": "skipped: named pipe",
    "zz-many/": f"skipped: more than {FILE_CAP} files",
}
# Hostile files still read in part (Python that does not parse is scanned for imports line by
# line): every other file of ``HOSTILE`` was not read at all, and nothing in it counts as gone.
PARTLY_READ = frozenset({"app/syntax_error.py", "app/nul.py", "app/klingon.py", "app/parens.py"})
# Line-level problems inside requirements.txt: (line, message fragment).
REQUIREMENT_LINE_ERRORS = [
    (4, "invalid requirement"),  # invalid marker
    (5, "invalid requirement"),  # non-PEP 440 version
    (6, "invalid"),  # confusable (Cyrillic) name
    (7, "requirement too long"),
    (8, "include outside the repository"),
    (9, "remote include not followed"),
    (10, "included file not found"),  # ${VAR} include, never expanded
    (11, "invalid requirement"),  # ${VAR} version, never expanded
    (12, "included file not found"),  # the FIFO is not a regular file
    (13, "include outside the repository"),  # absolute path
]
REQUIREMENTS_TXT = "\n".join(
    [
        "requests==2.31.0",
        "django>=4.2",
        "-r cycle-a.txt",
        'broken; python_version >>> "3"',
        "celery==latest",
        "r\u0435quests==1.0",
        "x" * 20_000,
        "-r ../../../etc/passwd",
        "-r https://evil.example/reqs.txt",
        "-r ${REQS_DIR}/base.txt",
        "httpx==${HTTPX_VERSION}",
        "-r requirements-fifo.txt",
        "-r /etc/passwd",
        "pkg-from-file @ file:///etc/passwd",
        "",
    ]
)


def build(root: Path, outside: Path) -> Path:
    """Write the hostile repository at ``root``; ``outside`` is a folder beside it, not in it."""
    files: dict[str, str | bytes] = {
        "requirements.txt": REQUIREMENTS_TXT,
        "cycle-a.txt": "httpx\n-r cycle-b.txt\n",
        "cycle-b.txt": "pytest\n-r cycle-a.txt\n",
        "pyproject.toml": '[project]\nname = "victim"\ndependencies = ["requests"]\n',
        "app/good.py": "import requests\nimport django\nimport celery\n",
        "app/more.py": "import httpx\nimport yaml\n",
        "app/syntax_error.py": "def f(:\n",
        "app/nul.py": b"import os\x00\nimport sys\n",
        "app/klingon.py": b"# -*- coding: klingon -*-\nimport yaml\n",
        "app/parens.py": "(" * 200_000,
        "app/huge.py": "import numpy\n" + "#" * (3 * MB),
        "deep/pyproject.toml": "x = " + "[" * 100_000 + "]" * 100_000 + "\n",
        "deep/Pipfile.lock": "[" * 100_000 + "]" * 100_000,
        "notebooks/big.ipynb": '{"cells": [], "x": "' + "a" * (25 * MB) + '"}',
        "notebooks/deep.ipynb": "[" * 100_000 + "]" * 100_000,
        "docker-compose.yml": _ALIAS_BOMB,
        ".github/workflows/bomb.yml": _ALIAS_BOMB,
        "requirements-huge.txt": "requests\n" * (400_000),
    }
    for relative, content in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "requirements.txt").write_text("stolen-secret-package\n")
    (root / "requirements-link.txt").symlink_to("/etc/passwd")
    (root / "outside-dir").symlink_to(outside, target_is_directory=True)
    os.mkfifo(root / "app" / "fifo.py")
    os.mkfifo(root / "requirements-fifo.txt")
    many = root / "zz-many"
    many.mkdir()
    for number in range(MANY_FILES):
        (many / f"f{number:04d}.py").write_text("import os\n")
    return root


# Text people or scanned repositories put where Debtboard shows it again (subjects, notes, paths,
# repository names, minutes): each must come out as the same visible text, never as markup, a
# hidden character, a terminal escape or a notification. Name -> text.
HOSTILE_TEXT: dict[str, str] = {
    "zero-width": "req\u200buests",
    "bidi-override": "safe\u202eevil\u202c",
    "bidi-isolate": "a\u2066b\u2069c",
    "tag-characters": "ok\U000e0041\U000e0042",
    "ansi-colour": "\x1b[31mred\x1b[0m",
    "ansi-title": "\x1b]0;pwned\x07",
    "nul-and-bell": "a\x01b\x07c",  # a NUL cannot be stored in PostgreSQL text at all
    "line-separator": "one\u2028two",
    "heading-injection": "libs\n# Approved by security\n@security-team please merge",
    "setext-injection": "libs\n===",
    "list-injection": "libs\n- [x] reviewed",
    "mention": "@octocat and @org/team",
    "entity-mention": "&#64;octocat",
    "html": "<img src=x onerror=alert(1)>",
    "table-break": "a | b",
    "code-fence": "```\ninjected\n```",
    "link": "[click](javascript:alert(1))",
    "prose-with-scheme-words": "no lock file: pins are not reproducible; data: none",
    "url-credentials": "https://bob:hunter2SECRET@git.example/x.git",
}
HIDDEN_IN = {"zero-width", "bidi-override", "bidi-isolate", "tag-characters", "line-separator"}
