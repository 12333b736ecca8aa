"""Incremental rescans: a file whose bytes did not change since the repository's last scan is
not parsed again, and what the scan reports is the same as reading everything."""

from __future__ import annotations

import ast
import json
import logging
import os
import shutil
import time
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from scanning.engine import cache, isolation, pipeline, walk
from scanning.options import scan_options

# This module is unpickled in the parser supervisor (for ``logging_parse``), which has no Django
# apps loaded: it must not import models, so no tests.factories here.

FILES = {
    "requirements.txt": "requests==2.31.0\npyyaml==6.0\n-r base.txt\n",
    "base.txt": "django>=4.2\n",
    "app/a.py": "import yaml\n",
    "app/b.py": "import requests\nSQLALCHEMY_DATABASE_URI = 'postgresql://db/app'\n",
    "app/broken.py": "def broken(:\n    import celery\n",
    "README.md": "# app\n",
}


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content)
    return root


def logging_parse(log: str, root: Path, path: str, context: Any) -> pipeline.FileParse:
    """``pipeline.parse_file`` that notes each path it reads (in the parser child, so in a file)."""
    with open(log, "a") as handle:
        handle.write(path + "\n")
    return pipeline.parse_file(root, path, context)


def crashing_parse(victim: str, root: Path, path: str, context: Any) -> pipeline.FileParse:
    """``pipeline.parse_file`` that kills its parser child on ``victim``."""
    if path == victim:
        os._exit(3)
    return pipeline.parse_file(root, path, context)


@pytest.fixture
def cache_dir(settings, tmp_path: Path) -> Path:
    settings.DEBTBOARD_SCAN_CACHE_DIR = str(tmp_path / "scan-cache")
    return tmp_path / "scan-cache"


@pytest.fixture
def parsed(monkeypatch, tmp_path: Path):
    """Call it to get (and forget) the paths parsed since the last call."""
    log = tmp_path / "parsed.log"
    monkeypatch.setattr(pipeline, "parse_file", partial(logging_parse, str(log)))

    def read() -> list[str]:
        paths = log.read_text().split() if log.exists() else []
        log.unlink(missing_ok=True)
        return sorted(paths)

    return read


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "repo", FILES)


@pytest.fixture
def old_files(monkeypatch) -> None:
    """Every file counts as written long before the scan, so its stat is trusted."""
    monkeypatch.setattr(cache, "RACY_NS", -3600 * 10**9)


@pytest.fixture
def hashed(monkeypatch):
    """Paths the scanning process hashes (parser children hash new files on their own)."""
    seen: list[str] = []
    real = cache.file_hash

    def counting(root: Path, path: str) -> str | None:
        seen.append(path)
        return real(root, path)

    monkeypatch.setattr(cache, "file_hash", counting)
    return seen


@pytest.fixture
def children(monkeypatch):
    """Paths sent to parser processes and how many processes started, per scan."""
    runs: list[tuple[list[str], int]] = []
    real = isolation.start

    def counting(worker, root, paths, **options):
        pending = real(worker, root, paths, **options)
        wait = pending.result

        def result():
            outcome = wait()
            runs.append((list(paths), outcome.children))
            return outcome

        pending.result = result
        return pending

    monkeypatch.setattr(isolation, "start", counting)
    return runs


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
    pipeline.scan_tree(repo, scan_options(cache_key=1))
    assert parsed() == ["app/a.py", "app/b.py", "app/broken.py", "requirements.txt"]

    (repo / "app/b.py").write_text("import requests\nimport httpx\n")
    tree = pipeline.scan_tree(repo, scan_options(cache_key=1))

    # Neither requirements.txt nor base.txt, which it includes, changed: no manifest is read.
    assert parsed() == ["app/b.py"]
    assert {u.name for u in tree.usages} == {"yaml", "requests", "httpx", "celery"}


def test_an_unchanged_tree_is_neither_read_nor_hashed_and_starts_no_parser(
    repo, cache_dir, old_files, parsed, hashed, children
):
    first = pipeline.scan_tree(repo, scan_options(cache_key=1))
    parsed()
    hashed.clear()
    again = pipeline.scan_tree(repo, scan_options(cache_key=1))
    assert (parsed(), hashed, children[-1]) == ([], [], ([], 0))
    assert _summary(again) == _summary(first)


def test_files_touched_just_before_a_scan_are_hashed_on_the_next(repo, cache_dir, hashed, parsed):
    pipeline.scan_tree(repo, scan_options(cache_key=1))  # every file was written a moment ago
    parsed()
    hashed.clear()
    pipeline.scan_tree(repo, scan_options(cache_key=1))
    assert parsed() == []
    assert {"app/a.py", "app/b.py", "requirements.txt", "base.txt"} <= set(hashed)


def test_a_change_in_the_timestamp_tick_of_the_last_scan_is_seen(repo, cache_dir, monkeypatch):
    """On a filesystem with coarse timestamps, bytes rewritten in the same tick as the last
    scan's stat leave size, mtime, ctime and inode as they were: only the hash can tell."""
    monkeypatch.setattr(cache, "RACY_NS", 3600 * 10**9)  # however slow this machine is today
    pipeline.scan_tree(repo, scan_options(cache_key=1))
    before = {path: os.lstat(repo / path) for path in ("app/a.py", "base.txt")}
    (repo / "app/a.py").write_text("import toml\n")  # as long as "import yaml\n"
    (repo / "base.txt").write_text("flask>=4.2\n")  # as long as "django>=4.2\n"
    real_walk = walk.walk_files

    def coarse_walk(*args, **kwargs) -> walk.Listing:
        listing = real_walk(*args, **kwargs)
        listing.stats.update(before)
        return listing

    monkeypatch.setattr(walk, "walk_files", coarse_walk)
    tree = pipeline.scan_tree(repo, scan_options(cache_key=1))
    assert "toml" in {u.name for u in tree.usages}
    assert "flask" in {d.name for d in tree.declarations}


def test_a_same_size_change_with_the_mtime_put_back_is_seen(repo, cache_dir, old_files, parsed):
    pipeline.scan_tree(repo, scan_options(cache_key=1))
    parsed()
    target = repo / "app/a.py"
    before = os.lstat(target)
    target.write_text("import toml\n")
    while os.lstat(target).st_ctime_ns == before.st_ctime_ns:  # a later clock tick
        time.sleep(0.002)
        os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    tree = pipeline.scan_tree(repo, scan_options(cache_key=1))
    assert parsed() == ["app/a.py"]
    assert "toml" in {u.name for u in tree.usages}
    assert _summary(tree) == _summary(pipeline.scan_tree(repo, scan_options()))


def test_an_include_that_now_finds_its_file_sends_the_manifests_to_the_parser(
    repo, cache_dir, old_files, parsed
):
    (repo / "requirements.txt").write_text("-r extra.in.txt\nrequests==2.31.0\n")
    first = pipeline.scan_tree(repo, scan_options(cache_key=1))
    assert any("included file not found" in e.message for e in first.errors)
    parsed()
    write_tree(repo, {"extra.in.txt": "httpx\n"})  # no manifest by its name: only -r reads it
    tree = pipeline.scan_tree(repo, scan_options(cache_key=1))
    assert parsed() == ["requirements.txt"]
    assert "httpx" in {d.name for d in tree.declarations}
    assert _summary(tree) == _summary(pipeline.scan_tree(repo, scan_options()))


def test_a_changed_included_file_sends_the_manifests_to_the_parser(repo, cache_dir, parsed):
    pipeline.scan_tree(repo, scan_options(cache_key=1))
    parsed()
    (repo / "base.txt").write_text("django>=5.0\n")
    tree = pipeline.scan_tree(repo, scan_options(cache_key=1))
    assert parsed() == ["requirements.txt"]
    assert [d.specifier for d in tree.declarations if d.name == "django"] == [">=5.0"]


def test_a_rescan_reports_exactly_what_a_full_scan_reports(repo, cache_dir):
    full = pipeline.scan_tree(repo, scan_options())
    first = pipeline.scan_tree(repo, scan_options(cache_key=1))
    again = pipeline.scan_tree(repo, scan_options(cache_key=1))
    assert _summary(first) == _summary(full)
    assert _summary(again) == _summary(full)
    assert any(e.path == "app/broken.py" for e in again.errors)  # cached errors come back too


def test_a_fresh_clone_with_the_same_bytes_is_not_parsed_again(repo, tmp_path, cache_dir, parsed):
    pipeline.scan_tree(repo, scan_options(cache_key=1))
    parsed()
    clone = shutil.copytree(repo, tmp_path / "clone")  # new inodes and times, same content
    tree = pipeline.scan_tree(clone, scan_options(cache_key=1))
    assert parsed() == []
    assert {u.name for u in tree.usages} == {"yaml", "requests", "psycopg2", "celery"}


def test_added_and_removed_files_are_picked_up(repo, cache_dir, parsed):
    pipeline.scan_tree(repo, scan_options(cache_key=1))
    parsed()
    (repo / "app/a.py").unlink()
    write_tree(repo, {"app/c.py": "import httpx\n"})
    tree = pipeline.scan_tree(repo, scan_options(cache_key=1))
    assert parsed() == ["app/c.py"]
    assert {u.path for u in tree.usages} == {"app/b.py", "app/broken.py", "app/c.py"}


def test_repositories_never_share_a_cache(repo, cache_dir, parsed):
    pipeline.scan_tree(repo, scan_options(cache_key=1))
    parsed()
    pipeline.scan_tree(repo, scan_options(cache_key=2))
    assert "app/a.py" in parsed()
    assert len(list(cache_dir.glob("*.json"))) == 2


def test_no_cache_key_reads_everything_and_writes_nothing(repo, cache_dir, parsed):
    pipeline.scan_tree(repo, scan_options())
    pipeline.scan_tree(repo, scan_options())
    assert parsed().count("app/a.py") == 2
    assert not cache_dir.exists()


def _with_rows(text: str, path: str, rows: list) -> str:
    document = json.loads(text)
    document["files"][path][3] = rows
    return json.dumps(document)


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # cut short
        lambda text: "not json at all",
        lambda text: json.dumps({**json.loads(text), "files": {"app/a.py": [1, 2]}}),
        lambda text: _with_rows(text, "app/a.py", ["yaml"]),  # current stat, bad rows
        lambda text: _with_rows(text, "app/a.py", ["yaml", 1, 7]),  # no such shape
        lambda text: json.dumps({**json.loads(text), "manifests": {"roots": "requirements.txt"}}),
    ],
)
def test_a_damaged_cache_is_ignored_with_a_log_line(repo, cache_dir, parsed, caplog, damage):
    full = pipeline.scan_tree(repo, scan_options())
    pipeline.scan_tree(repo, scan_options(cache_key=1))
    (cached,) = cache_dir.glob("*.json")
    cached.write_text(damage(cached.read_text()))
    parsed()
    with caplog.at_level(logging.WARNING, logger="scanning.engine.cache"):
        tree = pipeline.scan_tree(repo, scan_options(cache_key=1))
    assert "app/a.py" in parsed()
    assert _summary(tree) == _summary(full)
    assert "scan cache" in caplog.text


def test_damaged_manifest_rows_are_ignored_with_a_log_line(repo, cache_dir, parsed, caplog):
    full = pipeline.scan_tree(repo, scan_options())
    pipeline.scan_tree(repo, scan_options(cache_key=1))
    (cached,) = cache_dir.glob("*.json")
    document = json.loads(cached.read_text())
    document["manifests"]["found"] = [["requirements.txt", "requirements"]]
    cached.write_text(json.dumps(document))
    parsed()
    with caplog.at_level(logging.WARNING, logger="scanning.engine.cache"):
        tree = pipeline.scan_tree(repo, scan_options(cache_key=1))
    assert parsed() == ["requirements.txt"]
    assert _summary(tree) == _summary(full)
    assert "scan cache manifests ignored" in caplog.text


def test_a_parser_crash_keeps_the_manifests_out_of_the_cache(repo, cache_dir, monkeypatch):
    monkeypatch.setattr(pipeline, "parse_file", partial(crashing_parse, "app/a.py"))
    pipeline.scan_tree(repo, scan_options(cache_key=1))
    (cached,) = cache_dir.glob("*.json")
    assert json.loads(cached.read_text())["manifests"] is None


def test_a_cache_from_other_parser_code_is_not_used(repo, cache_dir, parsed, monkeypatch):
    pipeline.scan_tree(repo, scan_options(cache_key=1))
    parsed()
    monkeypatch.setattr(cache, "parser_fingerprint", lambda: "2-different")
    pipeline.scan_tree(repo, scan_options(cache_key=1))
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
    pipeline.scan_tree(repo, scan_options(cache_key=1))
    (first,) = cache_dir.glob("*.json")
    settings.DEBTBOARD_SCAN_CACHE_MB = first.stat().st_size * 1.5 / (1024 * 1024)
    os.utime(first, ns=(1, 1))  # the least recently written
    pipeline.scan_tree(repo, scan_options(cache_key=2))
    remaining = list(cache_dir.glob("*.json"))
    assert len(remaining) == 1 and remaining[0] != first
    assert not list(cache_dir.glob("*.tmp"))


def test_caching_is_off_without_a_data_folder(repo, settings, parsed):
    del settings.DATA_DIR
    settings.DEBTBOARD_SCAN_CACHE_DIR = None
    pipeline.scan_tree(repo, scan_options(cache_key=1))
    pipeline.scan_tree(repo, scan_options(cache_key=1))
    assert parsed().count("app/a.py") == 2


_FILESYSTEM_CALLS = frozenset(
    {"open", "read_text", "read_bytes", "stat", "lstat", "exists", "is_file", "is_dir"}
    | {"is_symlink", "iterdir", "glob", "rglob", "readlink"}
)
# Where the code that turns files into manifests and evidence may ask the filesystem anything:
# reading one file, resolving the root, and following an include (recorded for the cache).
_ALLOWED_FILESYSTEM_CALLS = {
    ("manifests/common.py", "load"),
    ("manifests/requirements.py", "_resolve"),
    ("manifests/requirements.py", "__init__"),
    ("manifests/__init__.py", "parse_manifests"),
    ("evidence/sources.py", "read_bytes"),
    ("evidence/sources.py", "read_regular"),  # the one read of a file, for both of the above
    ("evidence/__init__.py", "_read"),  # sources.read_bytes of the file itself
    ("manifests/notebooks.py", "parse"),  # sources.read_bytes of the notebook itself
}


def test_parsers_read_the_filesystem_only_where_the_cache_can_see_it():
    """The cache reuses a file's evidence while its bytes are unchanged, and the manifests while
    the files they read and their include lookups are: a parser that read anything else (a
    sibling file, a directory listing) would make a rescan differ from a full scan."""
    package = Path(pipeline.__file__).parent.parent  # scanning/
    found = set()
    for source in [*package.glob("manifests/**/*.py"), *package.glob("evidence/**/*.py")]:
        name = source.relative_to(package).as_posix()
        for function in ast.walk(ast.parse(source.read_text())):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if not isinstance(node, ast.Call):
                    continue
                dotted = ast.unparse(node.func)
                called = dotted.rpartition(".")[2]
                if (
                    called in _FILESYSTEM_CALLS
                    or (called == "resolve" and not node.args)  # Path.resolve()
                    or dotted.startswith(("os.", "shutil.", "glob."))
                ) and dotted not in ("os.path.join", "os.fspath"):
                    found.add((name, function.name))
    assert found - _ALLOWED_FILESYSTEM_CALLS == set()
    assert found  # the walk does see the allowed calls
