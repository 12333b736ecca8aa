"""Fault drills against the local PostgreSQL and Redis: kill, redeliver, race, restart.

    python benchmarks/fault_drill.py

Runs tests/integration/test_fault_drills.py (real Celery workers on Redis, scanning into
PostgreSQL; it restarts both servers) and prints what happened to each drill.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def main() -> None:
    env = {
        **os.environ,
        "DEBTBOARD_FAULT_DRILLS": "1",
        "DATABASE_URL": os.environ.get(
            "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/debtboard_drills"
        ),
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/13"),
    }
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/integration/test_fault_drills.py",
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
    print(
        f"RESULT drills_passed={passed} drills_failed={failed} drills_skipped={skipped} "
        f"wall_s={time.perf_counter() - started:.0f}"
    )


if __name__ == "__main__":
    main()
