"""Incremental rescans: a file whose bytes did not change since the repository's last scan is
not parsed again, and what the scan reports is the same as reading everything."""

from __future__ import annotations

import json
import logging
import os
import shutil
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from scanning import cache, scanner

# This module is unpickled in the parser supervisor (for ``logging_parse``), which has no Django
# apps loaded: it must not import models, so no tests.factories here.

FILES = {
    "requirements.txt": "requests==2.31.0\npyyaml==6.0\n-r base.txt\n",
    "base.txt": "django>=4.2\n",
    "app/a.py": "import yaml\n",
    "app/b.py": "import requests\nDATABASE_URL = 'postgres://db/app'\n",
    "app/broken.py": "def broken(:\n    import celery\n",
    "README.md": "# app\n",
}


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content)
    return root


def logging_parse(log: str, root: Path, path: str, context: Any) -> scanner.FileParse:
    """``scanner.parse_file`` that notes each path it reads (in the parser child, so in a file)."""
    with open(log, "a") as handle:
        handle.write(path + "\n")
    return scanner.parse_file(root, path, context)


@pytest.fixture
def cache_dir(settings, tmp_path: Path) -> Path:
    settings.DEBTBOARD_SCAN_CACHE_DIR = str(tmp_path / "scan-cache")
    return tmp_path / "scan-cache"


@pytest.fixture
def parsed(monkeypatch, tmp_path: Path):
    """Call it to get (and forget) the paths parsed since the last call."""
    log = tmp_path / "parsed.log"
    monkeypatch.setattr(scanner, "parse_file", partial(logging_parse, str(log)))

    def read() -> list[str]:
        paths = log.read_text().split() if log.exists() else []
        log.unlink(missing_ok=True)
        return sorted(paths)

    return read


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "repo", FILES)


def _summary(tree) -> tuple:
    return (
        [(m.path, m.kind, m.declarations, m.errors) for m in tree.manifests],
        tree.usages,
        tree.errors,
        tree.first_party,
        tree.findings,
        tree.files_seen,
    )


def test_an_unchanged_file_is_not_parsed_again_and_a_changed_one_is(repo, cache_dir, parsed):
    scanner.scan_tree(repo, cache_key=1)
    assert parsed() == ["app/a.py", "app/b.py", "app/broken.py", "requirements.txt"]

    (repo / "app/b.py").write_text("import requests\nimport httpx\n")
    tree = scanner.scan_tree(repo, cache_key=1)

    # Manifests are always read again: a file they include may have changed.
    assert parsed() == ["app/b.py", "requirements.txt"]
    assert {u.name for u in tree.usages} == {"yaml", "requests", "httpx", "celery"}


def test_a_rescan_reports_exactly_what_a_full_scan_reports(repo, cache_dir):
    full = scanner.scan_tree(repo)
    first = scanner.scan_tree(repo, cache_key=1)
    again = scanner.scan_tree(repo, cache_key=1)
    assert _summary(first) == _summary(full)
    assert _summary(again) == _summary(full)
    assert any(e.path == "app/broken.py" for e in again.errors)  # cached errors come back too


def test_a_fresh_clone_with_the_same_bytes_is_not_parsed_again(repo, tmp_path, cache_dir, parsed):
    scanner.scan_tree(repo, cache_key=1)
    parsed()
    clone = shutil.copytree(repo, tmp_path / "clone")  # new inodes and times, same content
    tree = scanner.scan_tree(clone, cache_key=1)
    assert parsed() == ["requirements.txt"]
    assert {u.name for u in tree.usages} == {"yaml", "requests", "psycopg2", "psycopg", "celery"}


def test_added_and_removed_files_are_picked_up(repo, cache_dir, parsed):
    scanner.scan_tree(repo, cache_key=1)
    parsed()
    (repo / "app/a.py").unlink()
    write_tree(repo, {"app/c.py": "import httpx\n"})
    tree = scanner.scan_tree(repo, cache_key=1)
    assert parsed() == ["app/c.py", "requirements.txt"]
    assert {u.path for u in tree.usages} == {"app/b.py", "app/broken.py", "app/c.py"}


def test_repositories_never_share_a_cache(repo, cache_dir, parsed):
    scanner.scan_tree(repo, cache_key=1)
    parsed()
    scanner.scan_tree(repo, cache_key=2)
    assert "app/a.py" in parsed()
    assert len(list(cache_dir.glob("*.json"))) == 2


def test_no_cache_key_reads_everything_and_writes_nothing(repo, cache_dir, parsed):
    scanner.scan_tree(repo)
    scanner.scan_tree(repo)
    assert parsed().count("app/a.py") == 2
    assert not cache_dir.exists()


def _with_rows(text: str, path: str, rows: list) -> str:
    document = json.loads(text)
    document["files"][path][2] = rows
    return json.dumps(document)


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # cut short
        lambda text: "not json at all",
        lambda text: json.dumps({**json.loads(text), "files": {"app/a.py": [1, 2]}}),
        lambda text: _with_rows(text, "app/a.py", [["yaml"]]),  # current stat, bad rows
    ],
)
def test_a_damaged_cache_is_ignored_with_a_log_line(repo, cache_dir, parsed, caplog, damage):
    full = scanner.scan_tree(repo)
    scanner.scan_tree(repo, cache_key=1)
    (cached,) = cache_dir.glob("*.json")
    cached.write_text(damage(cached.read_text()))
    parsed()
    with caplog.at_level(logging.WARNING, logger="scanning.cache"):
        tree = scanner.scan_tree(repo, cache_key=1)
    assert "app/a.py" in parsed()
    assert _summary(tree) == _summary(full)
    assert "scan cache" in caplog.text


def test_a_cache_from_other_parser_code_is_not_used(repo, cache_dir, parsed, monkeypatch):
    scanner.scan_tree(repo, cache_key=1)
    parsed()
    monkeypatch.setattr(cache, "parser_fingerprint", lambda: "2-different")
    scanner.scan_tree(repo, cache_key=1)
    assert "app/a.py" in parsed()


def test_the_fingerprint_changes_with_the_evidence_code(monkeypatch):
    before = cache.parser_fingerprint()
    cache.parser_fingerprint.cache_clear()
    monkeypatch.setattr(cache, "CACHE_VERSION", cache.CACHE_VERSION + 1)
    try:
        assert cache.parser_fingerprint() != before
    finally:
        cache.parser_fingerprint.cache_clear()


def test_the_cache_folder_stays_under_its_size_limit(repo, cache_dir, settings):
    scanner.scan_tree(repo, cache_key=1)
    (first,) = cache_dir.glob("*.json")
    settings.DEBTBOARD_SCAN_CACHE_MB = first.stat().st_size * 1.5 / (1024 * 1024)
    os.utime(first, ns=(1, 1))  # the least recently written
    scanner.scan_tree(repo, cache_key=2)
    remaining = list(cache_dir.glob("*.json"))
    assert len(remaining) == 1 and remaining[0] != first
    assert not list(cache_dir.glob("*.tmp"))


def test_caching_is_off_without_a_data_folder(repo, settings, parsed):
    del settings.DATA_DIR
    settings.DEBTBOARD_SCAN_CACHE_DIR = None
    scanner.scan_tree(repo, cache_key=1)
    scanner.scan_tree(repo, cache_key=1)
    assert parsed().count("app/a.py") == 2
