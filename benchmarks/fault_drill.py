"""Fault drills against the local PostgreSQL and Redis: kill, redeliver, race, restart.

    python benchmarks/fault_drill.py                       # every drill
    python benchmarks/fault_drill.py --only killed-worker  # no server restarts

Runs tests/integration/test_fault_drills.py (real Celery workers on Redis, scanning into
PostgreSQL; the full set restarts both servers) and prints what happened to each drill. The
killed-worker drill SIGKILLs a worker mid-scan with a 10 s heartbeat timeout and presses
"Scan now" until the run is taken over: ``blocked_seconds`` is how long the repository could
not be scanned (target: no longer than the heartbeat timeout, plus one "Scan now" poll; the
drill fails past it, and prints the figure all the same).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DRILLS = "tests/integration/test_fault_drills.py"
ONLY = {"killed-worker": "test_scan_now_after_a_worker_is_killed_takes_the_repository_over"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=sorted(ONLY), help="run one drill")
    options = parser.parse_args()
    report = Path(tempfile.mkdtemp()) / "drill-report"
    env = {
        **os.environ,
        "DEBTBOARD_FAULT_DRILLS": "1",
        "DATABASE_URL": os.environ.get(
            "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/debtboard_drills"
        ),
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/13"),
        "DEBTBOARD_DRILL_REPORT": str(report),
    }
    target = f"{DRILLS}::{ONLY[options.only]}" if options.only else DRILLS
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            target,
            "-v",
            "-p",
            "no:cacheprovider",
            "--create-db",
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    outcomes = re.findall(r"::(test_\w+) (PASSED|FAILED|SKIPPED|ERROR)", result.stdout)
    for name, outcome in outcomes:
        print(f"{outcome:7} {name.removeprefix('test_').replace('_', ' ')}")
    if result.returncode not in (0, 5):
        print(result.stdout[-4000:])
    passed = sum(1 for _, o in outcomes if o == "PASSED")
    failed = sum(1 for _, o in outcomes if o in ("FAILED", "ERROR"))
    skipped = sum(1 for _, o in outcomes if o == "SKIPPED")
    measured = report.read_text().strip() if report.exists() else "blocked_seconds=unmeasured"
    print(
        f"RESULT drills_passed={passed} drills_failed={failed} drills_skipped={skipped} "
        f"{measured} wall_s={time.perf_counter() - started:.0f}"
    )


if __name__ == "__main__":
    main()
