"""Parser stand-ins that misbehave on one file, for the isolation tests.

They run inside the parser child process, so they must be module-level (pickled by name) and
free of Django.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

from scanning.engine import pipeline


def _misbehave(how: str) -> None:
    if how == "exit":
        os._exit(3)
    elif how == "segfault":
        os.kill(os.getpid(), signal.SIGSEGV)
    elif how == "memory-error":
        raise MemoryError
    elif how == "allocate":
        # Far above the child's address-space limit: the allocation itself fails.
        hog = bytearray(8 * 1024**3)
        hog[0] = 1
    elif how == "sleep":
        time.sleep(3600)
    elif how == "spin":
        while True:
            pass
    elif how == "bug":
        raise KeyError("parser bug")


def crash_on(targets: tuple[str, ...], how: str, root: Path, path: str, context: Any) -> Any:
    """``pipeline.parse_file``, except that it misbehaves ``how`` on the ``targets``."""
    if path in targets:
        _misbehave(how)
    return pipeline.parse_file(root, path, context)


def path_length(root: Path, path: str, context: Any) -> int:
    return len(path)


def report_and_spin(root: Path, path: str, context: Any) -> int:
    """Write "<parser pid> <supervisor pid>" to ``root/path``, then burn CPU until killed."""
    (root / path).write_text(f"{os.getpid()} {os.getppid()}")
    while True:
        pass


def leave_mark(root: Path, path: str, context: Any) -> int:
    """Write "<parser pid>" beside ``path`` (``path.done``), as a sign the child reached it."""
    (root / f"{path}.done").write_text(str(os.getpid()))
    return len(path)
