"""A rescan from the scan cache reports exactly what a scan reading every file reports, whatever
changed in between: edited, emptied, added, deleted and renamed files, an edit that keeps the
size and puts the mtime back, included requirements files, includes that start or stop finding
their file, symbolic links, virtualenvs appearing, and the rules' options."""

from __future__ import annotations

import os
import random
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from scanning.engine import cache, pipeline
from tests.factories import write_tree

PACKAGES = ["requests", "yaml", "django", "celery", "boto3", "PIL", "bs4", "attr", "numpy"]


def generated_tree(root: Path, seed: int = 7) -> Path:
    rng = random.Random(seed)
    files = {
        "requirements.txt": "-r requirements/base.txt\nrequests==2.31.0\npyyaml\n",
        "requirements/base.txt": "django>=4.2\ncelery==5.3.0\n",
        "requirements-dev.txt": "-c constraints.txt\npytest\nnumpy\n",
        "constraints.txt": "numpy<2\n",
        "Dockerfile": "FROM python:3.12\nRUN pip install -r deps/extra.pip\n",
        "app/__init__.py": "",
        "tests/test_app.py": "import pytest\nimport app.mod_0\n",
    }
    for n in range(12):
        imports = rng.sample(PACKAGES, 3)
        files[f"app/mod_{n}.py"] = "".join(f"import {name}\n" for name in imports)
    return write_tree(root, files)


def settle(path: Path, before: os.stat_result | None) -> None:
    """Wait until ``path``'s ctime differs from ``before``'s: an edit in the same clock tick as
    the last scan's stat is exactly what the racy-file rule is for, not what these tests are."""
    if before is None:
        return
    deadline = time.monotonic() + 5
    while os.lstat(path).st_ctime_ns == before.st_ctime_ns:
        assert time.monotonic() < deadline, "the filesystem clock does not move"
        time.sleep(0.002)
        os.utime(path, ns=(os.lstat(path).st_atime_ns, os.lstat(path).st_mtime_ns))


def write(path: Path, text: str) -> None:
    before = os.lstat(path) if path.exists() else None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    settle(path, before)


def rewrite_keeping_size_and_mtime(path: Path, old: str, new: str) -> None:
    before = os.lstat(path)
    text = path.read_text()
    assert old in text and len(old) == len(new)
    path.write_text(text.replace(old, new))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    settle(path, before)
    after = os.lstat(path)
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )


def _swap_import(repo: Path) -> None:
    path = repo / "app/mod_3.py"
    first = path.read_text().split("\n")[0]  # "import <name>"
    replacement = "import " + "z" * (len(first) - len("import "))
    rewrite_keeping_size_and_mtime(path, first, replacement)


def _retarget_link(repo: Path) -> None:
    (repo / "shared").unlink()
    (repo / "shared").symlink_to("shared-b", target_is_directory=True)


EDITS: list[tuple[str, Callable[[Path], None]]] = [
    ("edit a module", lambda repo: write(repo / "app/mod_1.py", "import httpx\nimport yaml\n")),
    ("same size, mtime put back", _swap_import),
    ("empty a module", lambda repo: write(repo / "app/mod_2.py", "")),
    ("delete a module", lambda repo: (repo / "app/mod_4.py").unlink()),
    ("add a module", lambda repo: write(repo / "app/new.py", "import sentry_sdk\n")),
    ("edit an included file", lambda repo: write(repo / "requirements/base.txt", "django\n")),
    ("edit a constraints file", lambda repo: write(repo / "constraints.txt", "numpy==1.26\n")),
    ("include now finds its file", lambda repo: write(repo / "deps/extra.pip", "gunicorn\n")),
    ("edit a file only an include names", lambda repo: write(repo / "deps/extra.pip", "uwsgi\n")),
    ("include loses its file", lambda repo: (repo / "deps/extra.pip").unlink()),
    ("delete an included manifest", lambda repo: (repo / "requirements/base.txt").unlink()),
    (
        "include through a link",
        lambda repo: write(repo / "requirements.txt", "-r shared/common.txt\nrequests==2.31.0\n"),
    ),
    ("link retargeted", _retarget_link),
    ("file behind the link edited", lambda repo: write(repo / "shared-b/common.txt", "rq\n")),
    (
        "include outside the walk",
        lambda repo: write(repo / "requirements-dev.txt", "-r build/pins.txt\npytest\n"),
    ),
    ("file outside the walk edited", lambda repo: write(repo / "build/pins.txt", "numpy==2.0\n")),
    (
        "new manifest",
        lambda repo: write(
            repo / "pyproject.toml", '[project]\nname = "app"\ndependencies = ["attrs"]\n'
        ),
    ),
    ("rename a folder", lambda repo: (repo / "tests").rename(repo / "checks")),
    ("a virtualenv appears", lambda repo: write(repo / "app/pyvenv.cfg", "home = /usr\n")),
    ("the virtualenv goes", lambda repo: (repo / "app/pyvenv.cfg").unlink()),
    ("file becomes a link", lambda repo: _replace_with_link(repo / "app/mod_5.py")),
    ("nothing", lambda repo: None),
]


def _replace_with_link(path: Path) -> None:
    path.unlink()
    path.symlink_to("mod_6.py")


def _summary(tree) -> tuple:
    return (
        [
            (m.path, m.kind, m.purpose, m.content_hash, m.declarations, m.errors)
            for m in tree.manifests
        ],
        tree.usages,
        tree.errors,
        tree.first_party,
        tree.findings,
        tree.files_seen,
    )


@pytest.fixture
def repo(tmp_path: Path, settings) -> Path:
    settings.DEBTBOARD_SCAN_CACHE_DIR = str(tmp_path / "scan-cache")
    repo = generated_tree(tmp_path / "repo")
    write_tree(repo, {"shared-a/common.txt": "flask\n", "shared-b/common.txt": "bottle\n"})
    (repo / "shared").symlink_to("shared-a", target_is_directory=True)
    return repo


@pytest.mark.parametrize("clock", ["files older than the scan", "files just written"])
def test_every_rescan_after_an_edit_equals_a_cold_scan(repo, monkeypatch, clock):
    if clock == "files older than the scan":
        # Every stat is trusted, so only a changed stat can reveal an edit.
        monkeypatch.setattr(cache, "RACY_NS", -3600 * 10**9)
    assert _summary(pipeline.scan_tree(repo, cache_key=1)) == _summary(pipeline.scan_tree(repo))
    for name, edit in EDITS:
        edit(repo)
        warm = pipeline.scan_tree(repo, cache_key=1)
        cold = pipeline.scan_tree(repo)
        assert _summary(warm) == _summary(cold), name


def test_the_edits_change_what_a_scan_reports(repo):
    """Guards the test above: each edit must change the outcome, or it would prove nothing."""
    unchanged = []
    before = _summary(pipeline.scan_tree(repo))
    for name, edit in EDITS[:-1]:
        edit(repo)
        after = _summary(pipeline.scan_tree(repo))
        if after == before:
            unchanged.append(name)
        before = after
    assert unchanged == []


def test_a_fresh_clone_after_edits_equals_a_cold_scan(repo, tmp_path):
    pipeline.scan_tree(repo, cache_key=1)
    write(repo / "requirements/base.txt", "django>=5\n")
    write(repo / "app/mod_0.py", "import flask\n")
    clone = shutil.copytree(repo, tmp_path / "clone", symlinks=True)
    assert _summary(pipeline.scan_tree(clone, cache_key=1)) == _summary(pipeline.scan_tree(clone))


def test_known_first_party_reaches_the_rules_of_a_rescan(repo):
    write(repo / "app/mod_0.py", "import internal_lib\n")

    def missing(tree) -> set[str]:
        return {f.subject for f in tree.findings if f.kind == "missing"}

    assert "internal-lib" in missing(pipeline.scan_tree(repo, cache_key=1))
    warm = pipeline.scan_tree(repo, cache_key=1, known_first_party=["internal_lib"])
    cold = pipeline.scan_tree(repo, known_first_party=["internal_lib"])
    assert "internal-lib" not in missing(warm)
    assert _summary(warm) == _summary(cold)
    assert "internal-lib" in missing(pipeline.scan_tree(repo, cache_key=1))
