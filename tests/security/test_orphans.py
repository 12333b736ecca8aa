"""A killed scanning process takes its parser processes with it (issue 13.11)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
_SCAN = """
import django, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
django.setup()
from pathlib import Path
from scanning.engine import isolation
from scanning.engine.limits import ParserLimits
from tests.security import crashers

if __name__ == "__main__":
    limits = ParserLimits(memory_bytes=1024**3, cpu_seconds=600, timeout_seconds=600)
    root = Path(sys.argv[1])
    isolation.run(crashers.report_and_spin, root, ["pids"], context=None, limits=limits)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_killing_the_scanning_process_kills_its_parser_supervisor_and_forkserver(tmp_path):
    script = tmp_path / "scan_forever.py"
    script.write_text(_SCAN)
    process = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path)],
        cwd=BASE_DIR,
        env={**os.environ, "PYTHONPATH": str(BASE_DIR)},
    )
    pids = tmp_path / "pids"
    try:
        assert _wait_for(lambda: pids.exists() and " " in pids.read_text(), 60)
        parser, supervisor = (int(word) for word in pids.read_text().split())
        forkserver = _parent(supervisor)
        assert _parent(forkserver) == process.pid
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    # Generous bound: the processes must go by themselves, not at some point within it.
    gone = _wait_for(lambda: not any(map(_alive, (parser, supervisor, forkserver))), 30)
    leftovers = [pid for pid in (parser, supervisor, forkserver) if _alive(pid)]
    for pid in leftovers:  # never leave a spinning process behind, even when failing
        os.kill(pid, signal.SIGKILL)
    assert gone, f"still running after their parent was killed: {leftovers}"
