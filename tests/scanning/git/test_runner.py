"""Waiting for git: noticed when it exits, killed when it outlives its time, no descriptor left."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from scanning.git import runner


@pytest.fixture(params=["pidfd", "polling"])
def waiter(request, monkeypatch):
    if request.param == "polling":  # no pidfd (not Linux, or before 5.3): Popen.wait
        monkeypatch.setattr(os, "pidfd_open", _refused, raising=False)
    elif not hasattr(os, "pidfd_open"):
        pytest.skip("no pidfd on this system")
    return runner._ExitWaiter


def _refused(pid: int) -> int:
    raise OSError("not here")


def test_an_exited_process_is_reaped_before_the_wait_is_up(waiter):
    process = subprocess.Popen([sys.executable, "-c", "import sys; sys.exit(3)"])
    exited = waiter(process)
    started = time.monotonic()
    exited(60)
    assert process.returncode == 3
    assert time.monotonic() - started < 30  # it did not wait out the minute
    exited.close()


def test_a_running_process_is_waited_for_only_that_long(waiter):
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    exited = waiter(process)
    try:
        started = time.monotonic()
        exited(0.2)
        assert process.returncode is None
        assert time.monotonic() - started >= 0.15
    finally:
        process.kill()
        process.wait()
        exited.close()


def _descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts /proc/self/fd")
def test_running_git_leaves_no_descriptor_open(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    runner.run_git(["-C", str(tmp_path), "rev-parse", "--git-dir"], timeout=30)
    before = _descriptors()
    for _ in range(20):
        runner.run_git(["-C", str(tmp_path), "rev-parse", "--git-dir"], timeout=30)
    assert _descriptors() == before


def test_git_that_outlives_its_time_is_killed(tmp_path, monkeypatch):
    # A fake git that never ends, found first on PATH.
    fake = tmp_path / "bin" / "git"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nexec sleep 60\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(runner, "_POLL_SECONDS", 0.05)
    started = time.monotonic()
    with pytest.raises(runner.GitFailed, match=r"git took longer than 0\.3s"):
        runner.run_git(["status"], timeout=0.3)
    assert time.monotonic() - started < 30
