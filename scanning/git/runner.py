"""The one way Debtboard runs git: hardened against the repository it reads.

A repository we scan is a stranger's: its ``.git/config`` may name programs (an
``uploadpack`` command that a lazy fetch of a partial clone runs, an fsmonitor hook, hooks,
a pager, ssh and proxy commands). Every git process therefore runs from an argument list
(never a shell), in its own process group that is killed with it, with a clean environment
(no user or system config, no prompts, no lazy fetch of missing objects) and command-line
config that switches off every transport (callers that clone allow https and ssh only) and
every setting that runs a program. Callers ask for ``-z`` output where git has it, so a path
holding a line break is read whole.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

_POLL_SECONDS = 0.5
MB = 1024 * 1024

# Config that a repository could use to make git run a program, set to do nothing. Given
# with -c, it takes precedence over the repository's own .git/config.
_NEUTRAL_CONFIG = (
    "protocol.allow=never",  # no transport at all: lazy fetches and remote helpers fail
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.pager=cat",
    "core.editor=false",
    "core.askPass=",
    "core.gitProxy=",
    "core.alternateRefsCommand=",
    "credential.helper=",
    "diff.external=",
    "gpg.program=false",
    "uploadpack.packObjectsHook=",
    "submodule.recurse=false",
    "fetch.recurseSubmodules=false",
)


class GitFailed(Exception):
    """git could not run, ran out of time or space, or exited with an error."""

    def __init__(self, message: str, *, returncode: int | None = None, stderr: str = "") -> None:
        super().__init__(message)
        self.returncode = returncode
        self.stderr = stderr


@dataclass(frozen=True)
class Result:
    stdout: bytes
    stderr: str


def git_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The whole environment of a git process: nothing of the worker's own but PATH."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": "/nonexistent",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_ATTR_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "/bin/false",
        "SSH_ASKPASS": "/bin/false",
        "GIT_PAGER": "cat",
        "GIT_NO_LAZY_FETCH": "1",  # git >= 2.44; protocol.allow=never covers older ones
        "GIT_NO_REPLACE_OBJECTS": "1",
        "GIT_OPTIONAL_LOCKS": "0",  # reading never rewrites the index of a local path
        "GIT_ALLOW_PROTOCOL": "",
        "GIT_PROTOCOL_FROM_USER": "0",
        "LC_ALL": "C",
    }
    env.update(extra or {})
    return env


def config_options(pairs: Sequence[str]) -> list[str]:
    """``-c key=value`` words for ``pairs``."""
    return [word for pair in pairs for word in ("-c", pair)]


def run_git(
    args: Sequence[str],
    *,
    timeout: float,
    options: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    watch: Path | None = None,
    max_bytes: int = 0,
) -> Result:
    """Run ``git <neutral config> <options> <args>`` and return its output.

    ``options`` come after the neutral config, so a caller can allow what it needs (the
    transports a clone may use).

    Kills git's whole process group when it outlives ``timeout`` or ``watch`` outgrows
    ``max_bytes``. Raises GitFailed with git's last error line when it exits non-zero.
    """
    command = ["git", *config_options(_NEUTRAL_CONFIG), *options, *args]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            process = subprocess.Popen(
                command,
                env=git_env(env),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )
        except OSError as exc:
            raise GitFailed(f"git could not run: {exc.strerror}") from exc
        problem = _supervise(process, timeout=timeout, watch=watch, max_bytes=max_bytes)
        if problem:
            raise GitFailed(problem)
        out.seek(0)
        err.seek(0)
        stdout = out.read()
        stderr = err.read().decode("utf-8", "replace")
    if process.returncode != 0:
        lines = stderr.strip().splitlines()
        raise GitFailed(
            lines[-1][:500] if lines else f"exit {process.returncode}",
            returncode=process.returncode,
            stderr=stderr,
        )
    return Result(stdout, stderr)


def tree_bytes(path: Path) -> int:
    """Bytes of the regular files below ``path`` (links not followed); 0 when it is gone."""
    total = 0
    stack = [path]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                else:
                    total += entry.stat(follow_symlinks=False).st_size
            except OSError:
                continue
    return total


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


class _ExitWaiter:
    """Waits up to some seconds for ``process`` to end, and returns as soon as it does.

    ``Popen.wait(timeout=...)`` polls with sleeps that double up to 50 ms, so a git run of
    100 ms was noticed up to 50 ms late, once per git process of every scan. A pidfd
    (Linux 5.3+) becomes readable the moment the process exits; elsewhere this falls back
    to ``Popen.wait``.
    """

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self.poller: select.poll | None = None
        self.descriptor: int | None = None
        try:
            self.descriptor = os.pidfd_open(process.pid)
        except (AttributeError, OSError):
            return
        self.poller = select.poll()
        self.poller.register(self.descriptor, select.POLLIN)

    def __call__(self, seconds: float) -> None:
        if self.poller is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=seconds)
            return
        if self.poller.poll(seconds * 1000):
            self.process.wait()  # it has exited: reaped at once
        else:
            self.process.poll()

    def close(self) -> None:
        if self.descriptor is not None:
            os.close(self.descriptor)
            self.descriptor = None


def _supervise(
    process: subprocess.Popen[bytes], *, timeout: float, watch: Path | None, max_bytes: int
) -> str:
    """Wait for git; the reason it was killed, or "" when it ended by itself within limits."""
    deadline = time.monotonic() + timeout
    problem = ""
    exited = _ExitWaiter(process)
    try:
        while True:
            exited(_POLL_SECONDS)
            too_big = watch is not None and max_bytes and tree_bytes(watch) > max_bytes
            if too_big:
                problem = f"the repository is larger than {max_bytes // MB} MB"
            elif process.returncode is None and time.monotonic() > deadline:
                problem = f"git took longer than {timeout:g}s"
            if problem or process.returncode is not None:
                return problem
    finally:
        # Whatever git started (remote helpers, ssh, index-pack) goes with it.
        _kill_group(process)
        process.wait()
        exited.close()
