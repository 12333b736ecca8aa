"""The command's kept answer is given back only while nothing it was computed from changed: each
edit below (to the checkout, its git refs, the advisory source, the flags or the environment)
gives exactly what a scan with no cache at all gives, and an unchanged checkout is answered
without running the scanner."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from scanning.cli import scan as cli
from scanning.engine import pipeline, resultcache
from tests.factories import git_repository
from tests.scanning.engine.test_rescan_equals_cold import (
    rewrite_keeping_size_and_mtime,
    settle,
    write,
)

ROOT = Path(__file__).resolve().parents[3]
ADVISORIES = ROOT / "tests" / "fixtures" / "advisories" / "pypa"
FILES = {
    "requirements.txt": "jinja2==2.10\nrequests\npandas==2.1.0\n",
    "app/__init__.py": "",
    "app/main.py": "import jinja2\nimport requests\nimport boto3\n",
    "app/extra.py": "import yaml\n",
}
JINJA_RECORD = "vulns/jinja2/PYSEC-2019-217.yaml"


@pytest.fixture
def old_inputs(monkeypatch) -> None:
    """Every input counts as written long ago, so an answer may be kept right away."""
    monkeypatch.setattr(resultcache, "RACY_NS", -3600 * 10**9)


@pytest.fixture
def scans(monkeypatch) -> list[Path]:
    """Each run of the scanner proper, by root."""
    calls: list[Path] = []
    real = pipeline.scan_checkout

    def counting(root, *args, **kwargs):
        calls.append(root)
        return real(root, *args, **kwargs)

    monkeypatch.setattr(pipeline, "scan_checkout", counting)
    return calls


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Path]:
    advisories = tmp_path / "advisories"
    shutil.copytree(ADVISORIES, advisories)
    repo = git_repository(tmp_path / "repo", FILES)
    return {"repo": repo, "advisories": advisories, "cache": tmp_path / "cache"}


def run(world: dict[str, Path], *extra: str, environ: dict[str, str] | None = None, cached=True):
    out = io.StringIO()
    args = [str(world["repo"]), "--format", "json", "--advisories", str(world["advisories"])]
    args += ["--cache-dir", str(world["cache"])] if cached else ["--no-cache"]
    status = cli.main([*args, *extra], environ=environ or {}, write=out.write)
    return status, out.getvalue()


def _git(repo: Path, *args: str) -> None:
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.invalid", "-C", str(repo)]
    subprocess.run([*git, *args], check=True, capture_output=True)


def _edit_import(world: dict[str, Path]) -> None:
    write(world["repo"] / "app/extra.py", "import lxml\n")


def _same_size_edit(world: dict[str, Path]) -> None:
    rewrite_keeping_size_and_mtime(world["repo"] / "app/extra.py", "yaml", "attr")


def _add_file(world: dict[str, Path]) -> None:
    write(world["repo"] / "app/new.py", "import numpy\n")


def _add_folder(world: dict[str, Path]) -> None:
    write(world["repo"] / "app/sub/deep/more.py", "import scipy\n")


def _delete_file(world: dict[str, Path]) -> None:
    folder = world["repo"] / "app"
    before = os.lstat(folder)
    (folder / "main.py").unlink()
    settle(folder, before)


def _edit_manifest(world: dict[str, Path]) -> None:
    write(world["repo"] / "requirements.txt", "jinja2==3.1.4\nrequests\n")


def _commit_weights(world: dict[str, Path]) -> None:
    repo = world["repo"]
    (repo / "model.ckpt").write_bytes(b"\0" * (11 * 1024 * 1024))  # past the 10 MB default
    _git(repo, "add", "model.ckpt")
    _git(repo, "commit", "-q", "-m", "weights")
    _git(repo, "rm", "-q", "model.ckpt")
    _git(repo, "commit", "-q", "-m", "gone")


def _fix_advisory_in_place(world: dict[str, Path]) -> None:
    record = world["advisories"] / JINJA_RECORD
    before = os.lstat(record)
    with record.open("r+") as handle:  # same inode, same folder times: only its own stat
        text = handle.read()
        handle.seek(0)
        handle.truncate()
        handle.write(text.replace("jinja2", "jinja3"))
    settle(record, before)


def _remove_advisory(world: dict[str, Path]) -> None:
    folder = world["advisories"] / "vulns" / "jinja2"
    before = os.lstat(folder)
    (world["advisories"] / JINJA_RECORD).unlink()
    settle(folder, before)


EDITS: dict[str, Callable[[dict[str, Path]], None]] = {
    "import edited": _edit_import,
    "same size and mtime": _same_size_edit,
    "file added": _add_file,
    "folder added": _add_folder,
    "file deleted": _delete_file,
    "manifest edited": _edit_manifest,
    "history gains weights": _commit_weights,
    "advisory rewritten in place": _fix_advisory_in_place,
    "advisory removed": _remove_advisory,
}


def test_an_unchanged_checkout_is_answered_without_scanning(world, old_inputs, scans):
    cold = run(world)
    warm = run(world)

    assert warm == cold
    assert cold[0] == 1 and json.loads(cold[1])["findings"]
    assert scans == [world["repo"]]  # the second run never reached the scanner


@pytest.mark.parametrize("edit", list(EDITS))
def test_after_each_edit_the_answer_equals_a_scan_without_cache(world, old_inputs, scans, edit):
    first = run(world)
    EDITS[edit](world)

    after = run(world)

    assert after == run(world, cached=False)
    assert after != first
    assert len(scans) == 3


@pytest.mark.parametrize(
    ("flags", "environ"),
    [
        (["--known-first-party", "requests"], {}),
        (["--weight-threshold-mb", "0.001"], {}),
        (["--format", "text"], {}),
        ([], {"DEBTBOARD_MAX_FILES": "2"}),
    ],
)
def test_other_flags_or_environment_are_another_answer(world, old_inputs, scans, flags, environ):
    run(world)

    changed = run(world, *flags, environ=environ)

    assert changed == run(world, *flags, environ=environ, cached=False)
    assert len(scans) == 3


def test_another_copy_of_the_scanner_does_not_take_this_ones_answer(world, monkeypatch):
    args = cli.build_parser().parse_args(run_args(world))
    here = cli.result_key(args, world["repo"], world["advisories"], {})
    monkeypatch.setattr(cli, "__file__", str(world["repo"] / "elsewhere" / "scanning" / "cli.py"))

    assert cli.result_key(args, world["repo"], world["advisories"], {}) != here


def test_inputs_touched_just_before_the_scan_keep_no_answer(world, monkeypatch, scans):
    monkeypatch.setattr(resultcache, "RACY_NS", 3600 * 10**9)  # however slow this machine is

    assert run(world) == run(world)
    assert len(scans) == 2
    assert not list((world["cache"] / "results").glob("*.json"))


def test_a_corrupt_kept_answer_is_scanned_again(world, old_inputs, scans):
    cold = run(world)
    [kept] = (world["cache"] / "results").glob("*.json")
    kept.write_text('{"key": ')

    assert run(world) == cold
    assert len(scans) == 2


def test_past_the_limit_the_oldest_answers_go(tmp_path, monkeypatch):
    monkeypatch.setattr(resultcache, "MAX_ENTRIES", 2)
    folder = tmp_path / "cache"
    for number in range(3):
        assert resultcache.store(folder, f"key {number}", [], f"report {number}", 0, started_ns=0)
        kept = resultcache.entry_path(folder, f"key {number}")
        os.utime(kept, ns=(number * 10**9, number * 10**9))  # written in this order

    assert resultcache.lookup(folder, "key 0") is None
    assert resultcache.lookup(folder, "key 1") == ("report 1", 0)
    assert resultcache.lookup(folder, "key 2") == ("report 2", 0)


def test_a_package_index_or_the_database_keeps_no_answer(world, old_inputs):
    assert not cli.cached_answer_usable(None, "", world["cache"])
    assert not cli.cached_answer_usable(world["advisories"], "https://pypi.example", None)
    assert not cli.cached_answer_usable(world["advisories"], "https://pypi.example", world["cache"])
    assert cli.cached_answer_usable(world["advisories"], "", world["cache"])


def test_a_linked_work_tree_keeps_no_answer(tmp_path):
    repo = tmp_path / "linked"
    repo.mkdir()
    (repo / ".git").write_text("gitdir: /elsewhere/.git/worktrees/linked\n")

    watched = resultcache.watched_paths(repo, skip_dirs=frozenset(), sources=[], code=tmp_path)

    assert watched is None


def test_the_answering_run_loads_no_scanner(world):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DEBTBOARD_")}
    command = [sys.executable, "-c", _PROGRAM, *run_args(world)]
    first = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=environ)
    answered = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=environ)

    assert first.returncode == answered.returncode == 1
    assert first.stdout == answered.stdout
    scanned = json.loads(first.stderr.splitlines()[-1])
    loaded = json.loads(answered.stderr.splitlines()[-1])
    assert "scanning.engine.pipeline" in scanned
    assert not [m for m in loaded if m.startswith(("scanning.engine.pipeline", "scanning.rules"))]


def run_args(world: dict[str, Path]) -> list[str]:
    return [
        str(world["repo"]),
        "--format",
        "json",
        "--advisories",
        str(world["advisories"]),
        "--cache-dir",
        str(world["cache"]),
    ]


_PROGRAM = """
import json, sys
from scanning.cli import scan as cli
from scanning.engine import resultcache
resultcache.RACY_NS = -3600 * 10**9
status = cli.main(sys.argv[1:])
sys.stderr.write("\\n" + json.dumps(sorted(sys.modules)))
sys.exit(status)
"""
