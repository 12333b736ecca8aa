"""Fault drills against the real services: kill, redeliver, race, restart.

These start Celery worker processes on Redis and scan into PostgreSQL, and some restart
those servers, so they run only when DEBTBOARD_FAULT_DRILLS=1 (``.ci/run`` sets it).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from decisions import services
from decisions.models import DecisionRecord
from scanning import services as scanning_services
from scanning.models import Evidence, ScanRun, ScanStatus
from tests import factories

BASE_DIR = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        os.environ.get("DEBTBOARD_FAULT_DRILLS") != "1"
        or not settings.CELERY_BROKER_URL.startswith("redis")
        or connection.vendor != "postgresql",
        reason="fault drills need DEBTBOARD_FAULT_DRILLS=1, Redis and PostgreSQL",
    ),
]


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(
    name: str, *, visibility_timeout: int = 6, hold: Path | None = None
) -> subprocess.Popen:
    """A solo worker; with ``hold``, its scans wait while that file exists (drill_app)."""
    env = {
        **os.environ,
        "DEBTBOARD_DRILL_HOLD": str(hold or ""),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "DEBTBOARD_SCAN_HEARTBEAT_SECONDS": "1",
        "DEBTBOARD_SCAN_HEARTBEAT_TIMEOUT_SECONDS": "10",
        "DEBTBOARD_BROKER_VISIBILITY_TIMEOUT": str(visibility_timeout),
        "DEBTBOARD_SCAN_RETRY_SECONDS": "11",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tests.integration.drill_app",
            "worker",
            "--pool=solo",
            "-n",
            f"{name}@%h",
            "-l",
            "INFO",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> str:
    if process.poll() is None:
        os.killpg(process.pid, sig)
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
    return output or ""


def wait_for(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def hold(tmp_path) -> Path:
    """While this file exists, a held worker's scan waits after it has started."""
    path = tmp_path / "hold"
    path.touch()
    return path


def wait_until_held(hold: Path, run: ScanRun) -> None:
    wait_for(lambda: Path(f"{hold}.started").exists(), 60, "the scan to start reading")
    assert _status(run) == ScanStatus.RUNNING


@pytest.fixture
def big_repository(tmp_path):
    """A repository whose stored scan is large (4000 files, as many evidence rows)."""
    files = {"requirements.txt": "requests==2.31.0\nleftpad==1.0\n"}
    for n in range(4000):
        files[f"pkg/mod{n}.py"] = f"import os\nimport requests\nimport boto3\n\nVALUE_{n} = {n}\n"
    files["pkg/__init__.py"] = ""
    path = factories.git_repository(tmp_path / "big", files)
    return factories.repository(factories.team(), location=str(path))


def _status(run: ScanRun) -> str:
    run.refresh_from_db()
    return run.status


def _assert_scanned_once(repository, run: ScanRun) -> None:
    run.refresh_from_db()
    assert run.status == ScanStatus.SUCCEEDED, run.error
    assert ScanRun.objects.filter(repository=repository).count() == 1
    kinds = set(DecisionRecord.objects.filter(repository=repository).values_list("kind", "subject"))
    assert {("unused", "leftpad"), ("missing", "boto3")} <= kinds
    # Evidence of exactly one stored scan: one row per import of requests in 4000 files.
    assert (
        Evidence.objects.filter(scan_run=run, name="requests", kind="static-import").count() == 4000
    )


def test_worker_killed_mid_scan_is_redelivered_and_completes_once(big_repository, hold):
    first = start_worker("first", hold=hold)
    second = None
    try:
        run = services.scan_request(repository=big_repository)
        wait_until_held(hold, run)
        stop(first, signal.SIGKILL)
        assert _status(run) == ScanStatus.RUNNING  # nobody finished it
        hold.unlink()
        second = start_worker("second")
        wait_for(
            lambda: _status(run) in (ScanStatus.SUCCEEDED, ScanStatus.FAILED), 180, "the takeover"
        )
        _assert_scanned_once(big_repository, run)
        assert run.attempts == 2
    finally:
        stop(first, signal.SIGKILL)
        if second:
            print(stop(second)[-3000:])


HEARTBEAT_TIMEOUT = 10  # what start_worker gives its workers
# The last beat came before the kill, so past the timeout a repository waits only for the next
# "Scan now" poll and its request (slow on a loaded machine); more is a takeover come late.
TAKEOVER_SLACK_SECONDS = 3
PRODUCTION_VISIBILITY_TIMEOUT = 2 * 60 * 60


def _drill_report(figures: str) -> None:
    """What benchmarks/fault_drill.py prints (DEBTBOARD_DRILL_REPORT names the file)."""
    report = os.environ.get("DEBTBOARD_DRILL_REPORT")
    if report:
        Path(report).write_text(figures + "\n")


def test_scan_now_after_a_worker_is_killed_takes_the_repository_over(
    big_repository, hold, settings
):
    """A worker killed mid-scan (SIGKILL of that one process, as the OOM killer does) blocks
    its repository until its heartbeat goes stale, and no longer: "Scan now" then takes the
    run over. The time blocked goes to DEBTBOARD_DRILL_REPORT for benchmarks/fault_drill.py."""
    settings.DEBTBOARD_SCAN_HEARTBEAT_TIMEOUT_SECONDS = HEARTBEAT_TIMEOUT
    # The production visibility timeout (2 hours): the broker's redelivery rescues nothing.
    first = start_worker("doomed", visibility_timeout=PRODUCTION_VISIBILITY_TIMEOUT, hold=hold)
    second = None
    try:
        run = services.scan_request(repository=big_repository)
        wait_until_held(hold, run)
        os.kill(first.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        first.wait()
        hold.unlink()
        second = start_worker("rescuer", visibility_timeout=PRODUCTION_VISIBILITY_TIMEOUT)
        answer = services.scan_request(repository=big_repository)
        while answer.status == ScanStatus.RUNNING and time.monotonic() - killed_at < 120:
            assert answer.pk == run.pk  # the dead run, until its heartbeat is stale
            time.sleep(0.25)
            answer = services.scan_request(repository=big_repository)
        blocked = time.monotonic() - killed_at
        figures = f"blocked_seconds={blocked:.1f} heartbeat_timeout_s={HEARTBEAT_TIMEOUT}"
        _drill_report(figures)  # said even when the drill fails below
        assert answer.status == ScanStatus.QUEUED, "Scan now never took the dead run over"
        assert blocked <= HEARTBEAT_TIMEOUT + TAKEOVER_SLACK_SECONDS, (
            f"blocked {blocked:.1f}s with a {HEARTBEAT_TIMEOUT}s heartbeat timeout"
        )
        wait_for(lambda: _status(answer) == ScanStatus.SUCCEEDED, 180, "the rescan")
        rescanned = time.monotonic() - killed_at
        _assert_scanned_once(big_repository, answer)
        _drill_report(f"{figures} rescanned_seconds={rescanned:.1f}")
    finally:
        stop(first, signal.SIGKILL)
        if second:
            print(stop(second)[-3000:])


def test_duplicate_deliveries_run_the_scan_once(big_repository):
    from decisions import tasks

    workers = [start_worker("a"), start_worker("b")]
    try:
        run, _ = scanning_services.scan_run_create(repository=big_repository)
        for _ in range(3):  # the same task delivered three times, to two workers
            tasks.scan_repository_task.delay(big_repository.pk, scan_run_id=run.pk)
        wait_for(lambda: _status(run) == ScanStatus.SUCCEEDED, 180, "the scan")
        time.sleep(3)  # let the duplicates arrive and find the run done
        _assert_scanned_once(big_repository, run)
        assert run.attempts == 1
    finally:
        for worker in workers:
            stop(worker)


def test_concurrent_scan_requests_make_one_run(big_repository):
    runs, errors = [], []

    def request() -> None:
        try:
            runs.append(scanning_services.scan_run_create(repository=big_repository)[0].pk)
        except Exception as exc:  # pragma: no cover - the assertion below shows it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(runs)) == 1
    assert ScanRun.objects.filter(repository=big_repository).count() == 1


def _restart(command: list[str]) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=60)


def test_database_restart_mid_scan_retries_and_completes_once(big_repository, hold):
    worker = start_worker("db", hold=hold)
    try:
        run = services.scan_request(repository=big_repository)
        wait_until_held(hold, run)
        connection.close()
        version = os.listdir("/etc/postgresql")[0]
        _restart(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"])
        hold.unlink()
        wait_for(
            lambda: _status(run) in (ScanStatus.SUCCEEDED, ScanStatus.FAILED), 240, "the retry"
        )
        _assert_scanned_once(big_repository, run)
    finally:
        print(stop(worker)[-3000:])


def test_redis_restart_mid_scan_loses_nothing(big_repository, hold):
    worker = start_worker("redis", hold=hold)
    try:
        run = services.scan_request(repository=big_repository)
        wait_until_held(hold, run)
        subprocess.run(["redis-cli", "-h", "127.0.0.1", "shutdown", "nosave"], timeout=30)
        time.sleep(1)
        _restart(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--port",
                "6379",
                "--save",
                "",
                "--appendonly",
                "no",
            ]
        )
        hold.unlink()
        wait_for(lambda: _status(run) in (ScanStatus.SUCCEEDED, ScanStatus.FAILED), 180, "the scan")
        _assert_scanned_once(big_repository, run)
        # The worker reconnected: a new scan still goes through.
        again = services.scan_request(repository=big_repository)
        wait_for(lambda: _status(again) == ScanStatus.SUCCEEDED, 180, "a scan after the restart")
    finally:
        print(stop(worker)[-3000:])
