"""Run a per-file parser over many files in a child process where a crash costs one file.

One child handles every file in order (the fast path). It publishes the index of the file it
is working on in shared memory and streams results back in chunks. If it dies (segfault,
SIGXCPU, the kernel's OOM killer, ``os._exit``) or stalls on one file past the time limit, the
parent knows exactly which file was in progress: that file becomes a "skipped" FileError and a
fresh child reads the files whose results had not arrived yet. This finds the culprit in one
step, where bisecting would rerun log2(n) batches and wait out a timeout at every level.

Where the children come from: forking a Celery worker (threads, locks, sockets) is unsafe, and
``spawn``/``forkserver`` children re-import the main script (celery's, pytest's) every time,
about half a second each. So a *supervisor* process is started once with ``forkserver`` (a clean,
single-threaded process) and kept in a one-task-at-a-time pool; it forks the parser children,
which is then both safe and cheap, watches them and returns the outcome.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import resource
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Generic, TypeVar

from scanning.limits import ParserLimits
from scanning.types import FileError

Result = TypeVar("Result")
# worker(root, path, context) -> result; must be a module-level function (it is pickled).
# ``context`` is a fresh copy in every child and the worker may keep state in it.
Worker = Callable[[Path, str, Any], Result]

_SUPERVISOR_CONTEXT = multiprocessing.get_context("forkserver")
_SUPERVISOR_CONTEXT.set_forkserver_preload(["scanning.isolation", "scanning.scanner"])
_CHILD_CONTEXT = multiprocessing.get_context("fork")  # only ever used inside the supervisor
_MAX_SUPERVISORS = 4  # started on demand: one per scan running at the same time
_supervisors: ProcessPoolExecutor | None = None
_supervisors_lock = threading.Lock()
_FLUSH_EVERY = 256
_FLUSH_SECONDS = 0.2
_POLL_SECONDS = 0.1
_NOT_STARTED = -1


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
) -> Outcome[Result]:
    """``worker(root, path, context)`` for every path, each file's crash costing only that file."""
    global _supervisors
    if not paths:
        return Outcome()
    for _attempt in range(2):
        with _supervisors_lock:
            if _supervisors is None:
                _supervisors = ProcessPoolExecutor(_MAX_SUPERVISORS, _SUPERVISOR_CONTEXT)
            pool = _supervisors
        try:
            return pool.submit(_supervise, worker, root, list(paths), context, limits).result()
        except BrokenProcessPool:
            with _supervisors_lock:
                if _supervisors is pool:
                    _supervisors = None
    raise IsolationError("the parser supervisor process keeps dying")


def _supervise(
    worker: Worker[Result],
    root: Path,
    paths: list[str],
    context: Any,
    limits: ParserLimits,
) -> Outcome[Result]:
    """``run`` inside the supervisor process, which is single-threaded and so may fork."""
    if threading.active_count() != 1:
        raise IsolationError("parser children may only be forked from a single-threaded process")
    outcome: Outcome[Result] = Outcome()
    received: dict[int, Result] = {}
    failed: set[int] = set()
    todo = list(range(len(paths)))
    while todo:
        outcome.children += 1
        before = len(received) + len(failed)
        failed_at, reason = _one_child(worker, root, paths, todo, context, limits, received)
        if failed_at is None:
            break
        if failed_at == _NOT_STARTED:
            raise IsolationError(f"the parser process failed before reading a file: {reason}")
        if failed_at not in received:
            failed.add(failed_at)
            outcome.errors.append(FileError(paths[failed_at], f"skipped: {reason}"))
        if len(received) + len(failed) == before:
            raise IsolationError(f"the parser process keeps failing between files: {reason}")
        # Files finished but not yet sent when the child died are read again by the next one.
        todo = [i for i in todo if i not in received and i not in failed]
    for index in sorted(received):
        value = received[index]
        if isinstance(value, FileError):
            outcome.errors.append(value)
        else:
            outcome.results[paths[index]] = value
    return outcome


def _one_child(
    worker: Worker[Result],
    root: Path,
    paths: Sequence[str],
    todo: list[int],
    context: Any,
    limits: ParserLimits,
    received: dict[int, Result],
) -> tuple[int | None, str]:
    """Run one child over ``todo``; (index it failed at, why) or (None, "") when it finished."""
    current = _CHILD_CONTEXT.Value("q", _NOT_STARTED, lock=False)
    reader, writer = _CHILD_CONTEXT.Pipe(duplex=False)
    process = _CHILD_CONTEXT.Process(
        target=_child_main,
        args=(writer, current, worker, root, list(paths), todo, context, limits),
        daemon=True,
    )
    process.start()
    writer.close()
    try:
        return _watch(process, reader, current, limits, received)
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        reader.close()


def _watch(
    process: Any,
    reader: Connection,
    current: Any,
    limits: ParserLimits,
    received: dict[int, Result],
) -> tuple[int | None, str]:
    seen, since = current.value, time.monotonic()
    while True:
        ready = wait([reader, process.sentinel], timeout=_POLL_SECONDS)
        if reader in ready:
            try:
                message = reader.recv()
            except (EOFError, OSError):
                message = None
            if message == "done":
                return None, ""
            if message is not None:
                received.update(message)
                continue
        if not process.is_alive():
            _drain(reader, received)
            process.join()
            return current.value, _death(process.exitcode)
        if current.value != seen:
            seen, since = current.value, time.monotonic()
        elif time.monotonic() - since > limits.timeout_seconds:
            process.kill()
            process.join()
            return current.value, f"parser timed out after {limits.timeout_seconds:g}s"


def _drain(reader: Connection, received: dict[int, Any]) -> None:
    with contextlib.suppress(EOFError, OSError):
        while reader.poll():
            message = reader.recv()
            if isinstance(message, dict):
                received.update(message)


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
