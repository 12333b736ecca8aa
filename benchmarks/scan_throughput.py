"""Scan throughput: real Celery workers over Redis scan a generated organisation into PostgreSQL.

    python benchmarks/scan_throughput.py                 # 1,000 repositories
    python benchmarks/scan_throughput.py --repos 200     # smaller, when time is short

Generates N small git repositories (a requirements.txt of 3-6 exact pins, 3-5 Python modules
importing some of them and something undeclared), registers them as Team + Repository rows
(local paths) in the database ``debtboard_bench_throughput`` (dropped and created here), and for
each worker count (1, then 2 ``celery -A config worker --pool=solo -Q scans`` processes)
registers the organisation again under its own team, queues a scan of every repository through
``decisions.services.scan_request`` before the workers start, starts them, and waits until every
run has finished. Each phase has its own empty scan cache (shared by its workers), so both
phases do the same work. Solo workers, not ``--pool=prefork -c 2``: a prefork pool's children
are daemonic, and the scan's parser processes (``scanning/engine/isolation.py``) cannot start
inside one ("daemonic processes are not allowed to have children"), so every scan fails there.

Repositories per minute are counted from the first run a worker claimed to the last one it
finished (worker start-up excluded; the wall time including it is printed too). Then, per
phase: every repository has exactly one ScanRun and it succeeded (``lost`` counts those without
a succeeded run, ``duplicates`` repositories with more than one run plus duplicate decision
records). The broker is Redis database 13 (flushed before each phase, never another one).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import BASE_DIR, django_on_fresh_database

DATABASE = "debtboard_bench_throughput"
BROKER = "redis://127.0.0.1:6379/13"
PACKAGES = [
    ("requests", "requests", "2.31.0"),
    ("flask", "flask", "3.0.0"),
    ("click", "click", "8.1.7"),
    ("attrs", "attr", "23.2.0"),
    ("pyyaml", "yaml", "6.0.1"),
    ("rich", "rich", "13.7.0"),
    ("httpx", "httpx", "0.27.0"),
    ("jinja2", "jinja2", "3.1.3"),
    ("six", "six", "1.16.0"),
    ("python-dateutil", "dateutil", "2.9.0"),
    ("toml", "toml", "0.10.2"),
    ("tqdm", "tqdm", "4.66.1"),
]
UNDECLARED = ["boto3", "numpy", "redis", "pydantic"]
STDLIB = ["os", "sys", "json", "pathlib", "logging", "re", "typing", "dataclasses"]
GIT = ["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.invalid"]


def generate(root: Path, count: int, seed: int = 15) -> list[Path]:
    """``count`` small committed git repositories under ``root``, from a fixed seed."""
    rng = random.Random(seed)
    paths = []
    for i in range(count):
        path = root / f"svc-{i:05d}"
        package = path / f"svc{i:05d}"
        package.mkdir(parents=True)
        pins = rng.sample(PACKAGES, rng.randint(3, 6))
        (path / "requirements.txt").write_text(
            "".join(f"{dist}=={version}\n" for dist, _, version in pins)
        )
        (package / "__init__.py").write_text("")
        imported = [module for _, module, _ in pins[:-1]]  # the last pin is never imported
        for m in range(rng.randint(3, 5)):
            lines = [f"import {rng.choice(STDLIB)}"]
            lines += [f"import {name}" for name in rng.sample(imported, min(2, len(imported)))]
            if m == 0:
                lines.append(f"import {rng.choice(UNDECLARED)}")
            lines.append(f"\n\ndef handler_{m}():\n    return {m}\n")
            (package / f"module_{m}.py").write_text("\n".join(lines))
        subprocess.run([*GIT, "init", "-q", "-b", "main"], cwd=path, check=True)
        subprocess.run([*GIT, "add", "-A"], cwd=path, check=True)
        subprocess.run([*GIT, "commit", "-q", "-m", "state"], cwd=path, check=True)
        paths.append(path)
    return paths


def flush_broker() -> None:
    import redis

    redis.Redis.from_url(BROKER).flushdb()


def start_worker(index: int, cache_dir: Path, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "CELERY_BROKER_URL": BROKER,
        "DEBTBOARD_ALLOW_LOCAL_REPOSITORIES": "1",
        "DEBTBOARD_SCAN_CACHE_DIR": str(cache_dir),
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool=solo",
        "-Q",
        "scans",
        "-n",
        f"throughput-{index}-{os.getpid()}@%h",
        "--without-gossip",
        "--without-mingle",
        "-l",
        "WARNING",
    ]
    return subprocess.Popen(
        command,
        cwd=BASE_DIR,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopping it stops its children only
    )


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # warm shutdown of the worker we started
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the group we created, nothing else
        process.wait()


def phase(concurrency: int, paths: list[Path], workdir: Path, timeout: float) -> dict:
    from django.db import OperationalError, connection
    from django.db.models import Count, Max, Min

    from decisions.models import DecisionRecord
    from decisions.services import scan_request
    from inventory.models import Repository, Team
    from scanning.models import ScanRun, ScanStatus

    team = Team.objects.create(name=f"Throughput {concurrency}", slug=f"throughput-{concurrency}")
    repositories = Repository.objects.bulk_create(
        Repository(team=team, name=path.name, location=str(path)) for path in paths
    )
    flush_broker()
    for repository in repositories:
        scan_request(repository=repository)  # autocommit: the task is sent at once
    runs = ScanRun.objects.filter(repository__team=team)
    cache = workdir / f"scan-cache-{concurrency}"
    started = time.perf_counter()
    workers = [
        start_worker(i, cache, workdir / f"worker-{concurrency}-{i}.log")
        for i in range(concurrency)
    ]
    try:
        deadline = started + timeout
        while time.perf_counter() < deadline:
            if any(worker.poll() is not None for worker in workers):
                print(f"a worker of phase {concurrency} exited; see {workdir}")
                break
            try:
                active = runs.exclude(status__in=[ScanStatus.SUCCEEDED, ScanStatus.FAILED]).count()
            except OperationalError as error:  # the shared server restarted: ask again
                print(f"  database unavailable, retrying: {str(error).strip()[:80]}")
                connection.close()
                time.sleep(2)
                continue
            if active == 0:
                break
            time.sleep(1)
        wall = time.perf_counter() - started
        # Let a redelivered or duplicate task show itself before counting.
        time.sleep(3)
    finally:
        for worker in workers:
            stop_worker(worker)
    span = runs.aggregate(first=Min("started_at"), last=Max("finished_at"))
    succeeded = runs.filter(status=ScanStatus.SUCCEEDED)
    seconds = (
        (span["last"] - span["first"]).total_seconds() if span["first"] and span["last"] else 0
    )
    done = succeeded.count()
    rerun = (
        Repository.objects.filter(team=team).annotate(n=Count("scan_runs")).filter(n__gt=1).count()
    )
    duplicate_records = (
        DecisionRecord.objects.filter(repository__team=team)
        .values("repository", "kind", "subject")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    lost = Repository.objects.filter(team=team).exclude(scan_runs__in=succeeded).count()
    failed = runs.filter(status=ScanStatus.FAILED)
    for error in failed.values_list("error", flat=True)[:3]:
        print(f"  failed run: {error[:300]}")
    result = {
        "concurrency": concurrency,
        "succeeded": done,
        "failed": failed.count(),
        "seconds": seconds,
        "wall": wall,
        "rpm": done / seconds * 60 if seconds else 0.0,
        "duplicates": rerun + duplicate_records,
        "lost": lost,
        "records": DecisionRecord.objects.filter(repository__team=team).count(),
    }
    print(
        f"{concurrency} worker(s): {done}/{len(paths)} succeeded, {result['failed']} failed, "
        f"{seconds:.1f} s first claim to last finish ({wall:.1f} s with start-up), "
        f"{result['rpm']:.1f} repositories/min, {result['records']} records, "
        f"{rerun} repositories run twice, {duplicate_records} duplicate records, "
        f"{lost} lost; load average {os.getloadavg()[0]:.2f}"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repos", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per phase")
    parser.add_argument("--keep", type=Path, help="generate into (and leave) this folder")
    options = parser.parse_args()
    os.environ.setdefault("DEBTBOARD_ALLOW_LOCAL_REPOSITORIES", "1")
    os.environ["CELERY_BROKER_URL"] = BROKER  # where scan_request sends, not the default
    workdir = options.keep or Path(tempfile.mkdtemp(prefix="throughput-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        started = time.perf_counter()
        paths = generate(workdir / "org", options.repos)
        print(f"generated {len(paths)} repositories in {time.perf_counter() - started:.1f} s")
        django_on_fresh_database(DATABASE)
        load = os.getloadavg()
        cpus = os.cpu_count()
        print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {cpus} CPUs")
        one = phase(1, paths, workdir, options.timeout)
        two = phase(2, paths, workdir, options.timeout)
    finally:
        if options.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    scaling = two["rpm"] / one["rpm"] if one["rpm"] else 0.0
    print(
        f"RESULT repos={options.repos} one_worker_rpm={one['rpm']:.1f} "
        f"two_workers_rpm={two['rpm']:.1f} scaling={scaling:.2f} "
        f"duplicates={one['duplicates'] + two['duplicates']} lost={one['lost'] + two['lost']}"
    )


if __name__ == "__main__":
    main()
