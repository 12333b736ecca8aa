"""The parser child process: a crash, hang or memory blow-up on one file costs only that file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import pytest

from scanning.engine import isolation, pipeline
from scanning.engine.limits import ParserLimits
from scanning.options import scan_options
from tests.factories import write_tree
from tests.security import crashers

GOOD = {
    "requirements.txt": "requests==2.31.0\n-r base.txt\n",
    "base.txt": "django>=4.2\n",
    "app/a.py": "import yaml\n",
    "app/bad.py": "import celery\n",
    "app/z.py": "import httpx\n",
}
BASE_DIR = Path(__file__).resolve().parents[2]
LIMITS = ParserLimits(memory_bytes=1024**3, cpu_seconds=60, timeout_seconds=60)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "repo", GOOD)


def _used(tree) -> set[str]:
    return {usage.name for usage in tree.usages}


def test_clean_repository_is_parsed_in_one_child(repo: Path) -> None:
    outcome = isolation.run(
        crashers.path_length, repo, ["a", "bb", "ccc"], context=None, limits=LIMITS
    )
    assert outcome.results == {"a": 1, "bb": 2, "ccc": 3}
    assert outcome.errors == []
    assert outcome.children == 1


@pytest.mark.parametrize("in_process", [True, False])
def test_a_started_run_parses_while_the_caller_does_other_work(tmp_path, in_process) -> None:
    paths = ["a", "bb", "ccc"]
    with isolation.start(
        crashers.leave_mark, tmp_path, paths, context=None, limits=LIMITS, in_process=in_process
    ) as pending:
        # Nobody reads the children's results yet: they get on with the files all the same.
        assert _wait_for(lambda: all((tmp_path / f"{p}.done").exists() for p in paths), 60)
        outcome = pending.result()
    assert outcome.results == {"a": 1, "bb": 2, "ccc": 3}
    assert outcome.errors == []
    assert pending.result() is outcome  # waited for once


_LEAVE_UNREAD = """
import os, sys, time
from pathlib import Path
from scanning.engine import isolation
from scanning.engine.limits import ParserLimits
from tests.security import crashers

limits = ParserLimits(memory_bytes=1024**3, cpu_seconds=600, timeout_seconds=600)
root = Path(sys.argv[1])
pids = root / "pids"
with isolation.start(
    crashers.report_and_spin, root, ["pids"], context=None, limits=limits, in_process=True
):
    while not (pids.exists() and " " in pids.read_text()):
        time.sleep(0.02)
    parser, supervisor = (int(word) for word in pids.read_text().split())
    assert supervisor == os.getpid()  # this process forked it: the in-process path
print(parser)
try:
    os.kill(parser, 0)
except ProcessLookupError:
    print("gone")
"""


def test_a_started_run_left_unread_takes_its_children_with_it(tmp_path) -> None:
    # In a process of its own: the in-process path needs a single-threaded process, which
    # pytest's is not once a test has started the supervisor pool.
    script = tmp_path / "leave_unread.py"
    script.write_text(_LEAVE_UNREAD)
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path)],
        cwd=BASE_DIR,
        env={**os.environ, "PYTHONPATH": str(BASE_DIR)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    parser, verdict = done.stdout.split()
    if verdict != "gone":  # never leave a spinning process behind, even when failing
        os.kill(int(parser), signal.SIGKILL)
    assert verdict == "gone"  # killed and reaped on leaving the block, not left spinning


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_isolated_scan_matches_the_parsers_run_directly(repo: Path) -> None:
    from scanning import evidence, manifests

    paths = sorted(GOOD)
    tree = pipeline.scan_tree(repo, scan_options())
    direct_usages, _ = evidence.collect_usages(repo, tree_paths := _walk(repo))
    assert sorted(_used(tree)) == sorted({u.name for u in direct_usages})
    assert [m.path for m in tree.manifests] == [
        m.path for m in manifests.parse_manifests(repo, tree_paths)
    ]
    assert sorted(tree_paths) == paths


def _walk(repo: Path) -> list[str]:
    from scanning.engine import walk

    return walk.list_files(repo)[0]


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("exit", "skipped: parser crashed (exit 3)"),
        ("segfault", "skipped: parser crashed (SIGSEGV)"),
        ("memory-error", "skipped: parser ran out of memory"),
        ("allocate", "skipped: parser ran out of memory"),
        ("bug", "skipped: parser failed (KeyError)"),
    ],
)
def test_a_parser_crash_costs_only_that_file(repo: Path, monkeypatch, how, message) -> None:
    monkeypatch.setattr(pipeline, "parse_file", partial(crashers.crash_on, ("app/bad.py",), how))
    tree = pipeline.scan_tree(repo, scan_options())
    assert [(e.path, e.message) for e in tree.errors] == [("app/bad.py", message)]
    assert _used(tree) == {"yaml", "httpx"}  # files before and after the crash
    assert [m.path for m in tree.manifests] == ["base.txt", "requirements.txt"]


def test_a_parser_that_hangs_is_killed_and_only_its_file_skipped(repo, monkeypatch, settings):
    settings.DEBTBOARD_PARSER_TIMEOUT_SECONDS = 1
    crash = partial(crashers.crash_on, ("app/bad.py",), "sleep")
    monkeypatch.setattr(pipeline, "parse_file", crash)
    tree = pipeline.scan_tree(repo, scan_options())
    assert [(e.path, e.message) for e in tree.errors] == [
        ("app/bad.py", "skipped: parser timed out after 1s")
    ]
    assert _used(tree) == {"yaml", "httpx"}


def test_a_parser_that_spins_hits_the_cpu_limit(repo, monkeypatch, settings):
    settings.DEBTBOARD_PARSER_CPU_SECONDS = 1
    monkeypatch.setattr(pipeline, "parse_file", partial(crashers.crash_on, ("app/a.py",), "spin"))
    tree = pipeline.scan_tree(repo, scan_options())
    assert [(e.path, e.message) for e in tree.errors] == [
        ("app/a.py", "skipped: parser exceeded its CPU time")
    ]
    assert _used(tree) == {"celery", "httpx"}


def test_every_crashing_file_is_named_and_the_rest_still_read(repo, monkeypatch):
    targets = ("app/a.py", "app/z.py", "base.txt")
    monkeypatch.setattr(pipeline, "parse_file", partial(crashers.crash_on, targets, "exit"))
    outcome = isolation.run(
        pipeline.parse_file,
        repo,
        _walk(repo),
        context=pipeline.ParseContext(()),
        limits=LIMITS,
    )
    assert sorted(e.path for e in outcome.errors) == sorted(targets)
    assert outcome.children == len(targets) + 1
    assert set(outcome.results) == {"app/bad.py", "requirements.txt"}
    # base.txt still arrives as requirements.txt's include: only its own visit crashed
    manifests = [m.path for r in outcome.results.values() for m in r.manifests]
    assert sorted(manifests) == ["base.txt", "requirements.txt"]


def test_nothing_to_read_starts_no_child(repo):
    outcome = isolation.run(crashers.path_length, repo, [], context=None, limits=LIMITS)
    assert outcome.children == 0


def test_two_children_share_the_files_and_a_crash_still_costs_one_file(tmp_path, monkeypatch):
    files = {f"app/m{n:03}.py": f"import mod{n}\n" for n in range(450)}
    files.update(GOOD)
    repo = write_tree(tmp_path / "big", files)
    paths = _walk(repo)
    outcome = isolation.run(
        partial(crashers.crash_on, ("app/m100.py", "app/m401.py"), "segfault"),
        repo,
        paths,
        context=pipeline.ParseContext(()),
        limits=LIMITS,
        workers=2,
        pinned=lambda path: path.endswith(".txt"),
    )
    assert [(e.path, e.message) for e in outcome.errors] == [
        ("app/m100.py", "skipped: parser crashed (SIGSEGV)"),
        ("app/m401.py", "skipped: parser crashed (SIGSEGV)"),
    ]
    assert list(outcome.results) == [p for p in paths if p not in ("app/m100.py", "app/m401.py")]
    assert outcome.children == 4  # two at once, each restarted once after its crash
    # Both requirements files went to the same child: base.txt was read once, as an include.
    manifests = [m.path for r in outcome.results.values() for m in r.manifests]
    assert sorted(manifests) == ["base.txt", "requirements.txt"]


def test_a_large_scan_in_two_children_matches_one_child(tmp_path, settings) -> None:
    files = {f"pkg/m{n:03}.py": f"import mod{n % 7}\n" for n in range(450)}
    repo = write_tree(tmp_path / "big", {**files, **GOOD})
    settings.DEBTBOARD_SCAN_WORKERS = 1
    alone = pipeline.scan_tree(repo, scan_options())
    settings.DEBTBOARD_SCAN_WORKERS = 2
    shared = pipeline.scan_tree(repo, scan_options())
    assert shared.usages == alone.usages and shared.errors == alone.errors
    assert [m.path for m in shared.manifests] == [m.path for m in alone.manifests]


def test_large_files_are_dealt_by_bytes_so_no_child_gets_them_all() -> None:
    paths = ["requirements.txt", "a.py", "big1.py", "big2.py", "b.py", "big3.py", "c.py"]
    sizes = [100, 10, 900_000, 800_000, 10, 700_000, 10]
    shards = isolation._shards(paths, 2, lambda path: path.endswith(".txt"), sizes)
    assert sorted(i for shard in shards for i in shard) == list(range(len(paths)))
    assert 0 in shards[0]  # the pinned manifest stays with the first child
    big = [{paths[i] for i in shard if sizes[i] > 1000} for shard in shards]
    assert sorted(big, key=len) == [{"big1.py"}, {"big2.py", "big3.py"}]  # not all three in one
    assert all(shard == sorted(shard) for shard in shards)  # each child reads in walk order
    # Seven small files: one child, whatever is asked for.
    assert isolation._shards(paths, 2, None, [10] * len(paths)) == [list(range(len(paths)))]


def test_a_few_large_files_in_two_children_match_one_child(tmp_path) -> None:
    body = "VALUES = [" + ", ".join(str(n) for n in range(60_000)) + "]\n"
    files = {f"pkg/data{n}.py": f"import mod{n}\n{body}" for n in range(3)}
    repo = write_tree(tmp_path / "few", {**files, **GOOD})
    paths = _walk(repo)
    sizes = [(repo / path).stat().st_size for path in paths]

    def parse(workers: int) -> isolation.Outcome:
        return isolation.run(
            pipeline.parse_file,
            repo,
            paths,
            context=pipeline.ParseContext(()),
            limits=LIMITS,
            workers=workers,
            pinned=pipeline.manifests.manifest_kind,
            sizes=sizes,
        )

    alone, shared = parse(1), parse(2)
    assert (alone.children, shared.children) == (1, 2)
    assert shared.results == alone.results and shared.errors == alone.errors == []
