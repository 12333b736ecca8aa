"""Run a per-file parser over many files in child processes where a crash costs one file.

Each child handles its share of the files in order (one child, or one per CPU for large scans;
files the caller pins all go to the first child, in order). A child publishes the index of the
file it is working on in shared memory and streams results back in chunks. If it dies (segfault,
SIGXCPU, the kernel's OOM killer, ``os._exit``) or stalls on one file past the time limit, the
supervisor knows exactly which file was in progress: that file becomes a "skipped" FileError and
a fresh child reads that child's files whose results had not arrived yet. This finds the culprit
in one step, where bisecting would rerun log2(n) batches and wait out a timeout at every level.

Where the children come from: forking a Celery worker (threads, locks, sockets) is unsafe, and
``spawn``/``forkserver`` children re-import the main script (celery's, pytest's) every time,
about half a second each. So a *supervisor* process is started once with ``forkserver`` (a clean,
single-threaded process) and kept in a one-task-at-a-time pool; it forks the parser children,
which is then both safe and cheap, watches them and returns the outcome.

None of them outlives the process that scans: on Linux each asks the kernel (prctl
PR_SET_PDEATHSIG) to kill it when its parent dies, so a killed worker leaves no parser burning
CPU and no idle forkserver or supervisor behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import resource
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Generic, TypeVar

from scanning.engine.limits import ParserLimits
from scanning.types import FileError

try:
    import fcntl
except ImportError:  # not on Windows
    fcntl = None  # type: ignore[assignment]

Result = TypeVar("Result")
# worker(root, path, context) -> result; must be a module-level function (it is pickled).
# ``context`` is a fresh copy in every child and the worker may keep state in it.
Worker = Callable[[Path, str, Any], Result]

_SUPERVISOR_CONTEXT = multiprocessing.get_context("forkserver")
_SUPERVISOR_CONTEXT.set_forkserver_preload(
    ["scanning.engine.forkserver_guard", "scanning.engine.isolation", "scanning.engine.pipeline"]
)
_CHILD_CONTEXT = multiprocessing.get_context("fork")  # only ever used inside the supervisor
_MAX_SUPERVISORS = 4  # started on demand: one per scan running at the same time
_supervisors: ProcessPoolExecutor | None = None
_supervisors_lock = threading.Lock()
_FLUSH_EVERY = 256
_FLUSH_SECONDS = 0.2
_POLL_SECONDS = 0.1
_NOT_STARTED = -1
_MIN_FILES_PER_CHILD = 200  # below this a second child costs more than it saves
_MIN_BYTES_PER_CHILD = 512 * 1024  # ... unless the files are this large (parse time is bytes)
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
# Linux's default ceiling for an unprivileged pipe (/proc/sys/fs/pipe-max-size); the results
# of a scan of a few hundred files pickle to 30-200 KB.
_PIPE_BYTES = 1024 * 1024


def die_with_parent(parent: int | None = None) -> None:
    """Have Linux SIGKILL this process when its parent dies (elsewhere: nothing).

    ``parent``, when known, is the pid that should be the parent: if it already died before
    the request was made, this process ends now.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if parent is not None and os.getppid() != parent:
        os._exit(1)


class IsolationError(Exception):
    """The child could not even start a file: the server, not the repository, is at fault."""


@dataclass
class Outcome(Generic[Result]):
    results: dict[str, Result] = field(default_factory=dict)  # in the order of ``paths``
    errors: list[FileError] = field(default_factory=list)
    children: int = 0


def run(
    worker: Worker[Result],
    root: Path,
    paths: Sequence[str],
    *,
    context: Any,
    limits: ParserLimits,
    workers: int = 1,
    pinned: Callable[[str], bool] | None = None,
    in_process: bool = False,
    sizes: Sequence[int] | None = None,
) -> Outcome[Result]:
    """``worker(root, path, context)`` for every path, each file's crash costing only that file.

    With ``workers`` > 1 the files are shared among that many children working at once (one per
    ``_MIN_FILES_PER_CHILD`` files, or with ``sizes``, the bytes of each path, one per
    ``_MIN_BYTES_PER_CHILD`` bytes, at most). Files ``pinned`` says True for all go to the
    first child, in order, so state a worker keeps in ``context`` between them stays whole.

    ``in_process`` makes this process the supervisor (no supervisor process to start) when it
    is single-threaded, as a command-line scan is; a server's processes never are.
    """
    with start(
        worker,
        root,
        paths,
        context=context,
        limits=limits,
        workers=workers,
        pinned=pinned,
        in_process=in_process,
        sizes=sizes,
    ) as pending:
        return pending.result()


class Pending(Generic[Result]):
    """A ``run`` under way: the children parse while the caller does other work.

    ``result()`` waits for the outcome (and restarts children that died, as ``run`` does).
    Leaving the ``with`` block without it kills the children still at work when this
    process forked them; a supervisor process finishes its run and the result is dropped.
    """

    def __init__(
        self,
        wait: Callable[[], Outcome[Result]],
        stop: Callable[[], None] = lambda: None,
    ) -> None:
        self._wait = wait
        self._stop = stop
        self._outcome: Outcome[Result] | None = None

    def result(self) -> Outcome[Result]:
        if self._outcome is None:
            self._outcome = self._wait()
        return self._outcome

    def __enter__(self) -> Pending[Result]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._outcome is None:
            self._stop()


def start(
    worker: Worker[Result],
    root: Path,
    paths: Sequence[str],
    *,
    context: Any,
    limits: ParserLimits,
    workers: int = 1,
    pinned: Callable[[str], bool] | None = None,
    in_process: bool = False,
    sizes: Sequence[int] | None = None,
) -> Pending[Result]:
    """``run``, started: the first children are at work when this returns.

    In process, they are forked now, while this process is still single-threaded, and
    their results wait in their pipes (made large enough for a scan's results) until
    ``result()`` reads them; otherwise the supervisor process works meanwhile.
    """
    if not paths:
        return Pending(Outcome)
    shards = _shards(paths, workers, pinned, sizes)
    if in_process and threading.active_count() == 1:
        supervision = _Supervision(worker, root, list(paths), shards, context, limits)
        supervision.start()
        return Pending(supervision.finish, supervision.stop)
    arguments = (worker, root, list(paths), shards, context, limits)
    submitted = _submit(arguments)
    return Pending(lambda: _pooled_result(submitted, arguments), submitted[1].cancel)


def _submit(arguments: tuple) -> tuple[ProcessPoolExecutor, Future]:
    global _supervisors
    with _supervisors_lock:
        if _supervisors is None:
            _supervisors = ProcessPoolExecutor(
                _MAX_SUPERVISORS, _SUPERVISOR_CONTEXT, initializer=die_with_parent
            )
        pool = _supervisors
    return pool, pool.submit(_supervise, *arguments)


def _pooled_result(submitted: tuple[ProcessPoolExecutor, Future], arguments: tuple) -> Outcome:
    global _supervisors
    for attempt in range(2):
        pool, future = submitted
        try:
            return future.result()
        except BrokenProcessPool:
            with _supervisors_lock:
                if _supervisors is pool:
                    _supervisors = None
            if attempt == 0:
                submitted = _submit(arguments)
    raise IsolationError("the parser supervisor process keeps dying")


def _shards(
    paths: Sequence[str],
    workers: int,
    pinned: Callable[[str], bool] | None,
    sizes: Sequence[int] | None = None,
) -> list[list[int]]:
    """Indices of ``paths`` for each child: pinned files first in line, the rest dealt out.

    With ``sizes`` (bytes per path) the largest files are dealt first, each to the child with
    the fewest bytes so far, so one child does not get every large file (parse time follows
    bytes, not files); without, each file goes to the child with the fewest files.
    """
    count = max(1, min(workers, -(-len(paths) // _MIN_FILES_PER_CHILD)))
    if sizes is not None and count < workers:
        count = max(count, min(workers, sum(sizes) // _MIN_BYTES_PER_CHILD))
    if count == 1:
        return [list(range(len(paths)))]
    shards: list[list[int]] = [[] for _ in range(count)]
    loose = []
    for index, path in enumerate(paths):
        (shards[0] if pinned is not None and pinned(path) else loose).append(index)
    if sizes is None:
        for index in loose:
            min(shards, key=len).append(index)
    else:
        load = [sum(sizes[i] for i in shard) for shard in shards]
        for index in sorted(loose, key=lambda i: -sizes[i]):
            lightest = min(range(count), key=lambda n: (load[n], len(shards[n])))
            shards[lightest].append(index)
            load[lightest] += sizes[index]
    return [sorted(shard) for shard in shards if shard]


@dataclass
class _Child:
    """One parser child at work on ``todo``, and what the supervisor knows about its progress."""

    process: Any
    reader: Connection
    current: Any
    todo: list[int]
    seen: int = _NOT_STARTED
    since: float = field(default_factory=time.monotonic)


def _supervise(
    worker: Worker[Result],
    root: Path,
    paths: list[str],
    shards: list[list[int]],
    context: Any,
    limits: ParserLimits,
) -> Outcome[Result]:
    """``run`` inside the supervisor process, which is single-threaded and so may fork."""
    supervision = _Supervision(worker, root, paths, shards, context, limits)
    supervision.start()
    return supervision.finish()


class _Supervision(Generic[Result]):
    """The children of one ``run``: started at once, watched until every file is accounted for."""

    def __init__(
        self,
        worker: Worker[Result],
        root: Path,
        paths: list[str],
        shards: list[list[int]],
        context: Any,
        limits: ParserLimits,
    ) -> None:
        self.worker, self.root, self.paths = worker, root, paths
        self.shards, self.context, self.limits = shards, context, limits
        self.outcome: Outcome[Result] = Outcome()
        self.received: dict[int, Result] = {}
        self.skipped: dict[int, FileError] = {}
        self.running: list[_Child] = []

    def _fork(self, todo: list[int]) -> None:
        if threading.active_count() != 1:
            raise IsolationError(
                "parser children may only be forked from a single-threaded process"
            )
        child = _start(self.worker, self.root, self.paths, todo, self.context, self.limits)
        self.running.append(child)
        self.outcome.children += 1

    def start(self) -> None:
        try:
            for todo in self.shards:
                self._fork(todo)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        for child in self.running:
            _stop(child)
        self.running = []

    def finish(self) -> Outcome[Result]:
        try:
            self._watch()
        finally:
            self.stop()
        outcome, received, skipped = self.outcome, self.received, self.skipped
        outcome.errors.extend(skipped[index] for index in sorted(skipped))
        for index in sorted(received):
            value = received[index]
            if isinstance(value, FileError):
                outcome.errors.append(value)
            else:
                outcome.results[self.paths[index]] = value
        return outcome

    def _watch(self) -> None:
        running, received, skipped = self.running, self.received, self.skipped
        while running:
            waitables = [c.reader for c in running] + [c.process.sentinel for c in running]
            ready = set(wait(waitables, timeout=_POLL_SECONDS))
            for child in list(running):
                status = _check(child, ready, self.limits, received)
                if status is None:
                    continue
                running.remove(child)
                _stop(child)
                failed_at, reason = status
                if failed_at is None:
                    continue
                if failed_at == _NOT_STARTED:
                    raise IsolationError(
                        f"the parser process failed before reading a file: {reason}"
                    )
                if failed_at not in received:
                    skipped[failed_at] = FileError(self.paths[failed_at], f"skipped: {reason}")
                rest = [i for i in child.todo if i not in received and i not in skipped]
                if len(rest) == len(child.todo):
                    raise IsolationError(
                        f"the parser process keeps failing between files: {reason}"
                    )
                if rest:
                    # Files finished but not yet sent when the child died are read again.
                    self._fork(rest)


def _start(
    worker: Worker[Result],
    root: Path,
    paths: Sequence[str],
    todo: list[int],
    context: Any,
    limits: ParserLimits,
) -> _Child:
    current = _CHILD_CONTEXT.Value("q", _NOT_STARTED, lock=False)
    reader, writer = _CHILD_CONTEXT.Pipe(duplex=False)
    _enlarge(writer)
    process = _CHILD_CONTEXT.Process(
        target=_child_main,
        args=(writer, current, worker, root, paths, todo, context, limits),
        daemon=True,
    )
    process.start()
    writer.close()
    return _Child(process, reader, current, todo)


def _enlarge(writer: Connection) -> None:
    """Let the pipe hold a scan's results (Linux; elsewhere it keeps its size): a child whose
    results nobody reads yet, while the caller does other work, goes on parsing."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if set_size is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(writer.fileno(), set_size, _PIPE_BYTES)


def _stop(child: _Child) -> None:
    if child.process.is_alive():
        child.process.kill()
    child.process.join()
    child.reader.close()


def _check(
    child: _Child, ready: set[Any], limits: ParserLimits, received: dict[int, Result]
) -> tuple[int | None, str] | None:
    """None while ``child`` is at work; (index it failed at, why) or (None, "") once it ended."""
    if child.reader in ready:
        try:
            message = child.reader.recv()
        except (EOFError, OSError):
            message = None
        if message == "done":
            return None, ""
        if message is not None:
            received.update(message)
            return None
    if not child.process.is_alive():
        return _ended(child, received)
    current = child.current.value
    if current != child.seen:
        child.seen, child.since = current, time.monotonic()
    elif time.monotonic() - child.since > limits.timeout_seconds:
        child.process.kill()
        child.process.join()
        return current, f"parser timed out after {limits.timeout_seconds:g}s"
    return None


def _ended(child: _Child, received: dict[int, Any]) -> tuple[int | None, str]:
    """The child exited: take what it sent; a "done" among it means it finished cleanly."""
    finished = _drain(child.reader, received)
    child.process.join()
    if finished:
        return None, ""
    return child.current.value, _death(child.process.exitcode)


def _drain(reader: Connection, received: dict[int, Any]) -> bool:
    """Take every message still in the pipe; True when the child's "done" was among them."""
    with contextlib.suppress(EOFError, OSError):
        while reader.poll():
            message = reader.recv()
            if isinstance(message, dict):
                received.update(message)
            elif message == "done":
                return True
    return False


def _death(exitcode: int | None) -> str:
    if exitcode == -signal.SIGXCPU:
        return "parser exceeded its CPU time"
    if exitcode == -signal.SIGKILL:
        return "parser was killed (out of memory?)"
    if exitcode is not None and exitcode < 0:
        return f"parser crashed ({signal.Signals(-exitcode).name})"
    return f"parser crashed (exit {exitcode})"


def _child_main(
    writer: Connection,
    current: Any,
    worker: Worker[Any],
    root: Path,
    paths: list[str],
    todo: list[int],
    context: Any,
    limits: ParserLimits,
) -> None:
    supervisor = multiprocessing.parent_process()
    die_with_parent(supervisor.pid if supervisor is not None else None)
    _limit(resource.RLIMIT_AS, limits.memory_bytes)
    _limit(resource.RLIMIT_CORE, 0)
    pending: dict[int, Any] = {}
    flushed = time.monotonic()
    for index in todo:
        _cpu_budget(limits.cpu_seconds)
        current.value = index
        pending[index] = _guarded(worker, root, paths[index], context)
        if len(pending) >= _FLUSH_EVERY or time.monotonic() - flushed > _FLUSH_SECONDS:
            writer.send(pending)
            pending, flushed = {}, time.monotonic()
    if pending:
        writer.send(pending)
    writer.send("done")
    writer.close()


def _guarded(worker: Worker[Any], root: Path, path: str, context: Any) -> Any:
    """The worker's result; an exception it lets out becomes this file's error."""
    try:
        return worker(root, path, context)
    except MemoryError:
        return FileError(path, "skipped: parser ran out of memory")
    except RecursionError:
        return FileError(path, "skipped: nested too deeply")
    except Exception as exc:
        return FileError(path, f"skipped: parser failed ({type(exc).__name__})")


def _limit(kind: int, value: int) -> None:
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(kind, (value, hard))


def _cpu_budget(seconds: int) -> None:
    """Let the next file use ``seconds`` of CPU on top of what the child has used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = int(usage.ru_utime + usage.ru_stime) + 1
    _limit(resource.RLIMIT_CPU, used + seconds)
