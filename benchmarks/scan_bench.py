"""Cold and warm scans of a generated corpus, beside deptry on the same repositories.

    python benchmarks/scan_bench.py [--repos 20] [--files 1000] [--keep DIR]
    python benchmarks/scan_bench.py --cli REPO [REPO ...] [--advisories OSV] [--rounds 3]

Generates (seeded, so every run reads the same bytes) N repositories of M Python files each,
with requirements files, a pyproject, tests, scripts and realistic imports; scans each with
``scanning.engine.pipeline.scan_tree`` with an empty scan cache (cold), scans them all again
(warm: an incremental rescan of unchanged repositories: every file's stat matches the cache,
so evidence and manifests are read back from it and no parser process starts; the rules run
in full), and runs deptry on every repository when it is installed in this venv or found on
PATH (e.g. ``PATH=/tmp/deptry-venv/bin:$PATH``). The last line is machine-readable:

    RESULT cold_s=… warm_s=… files_per_s=… peak_mb=… deptry_s=… ratio_vs_deptry=… warm_ratio=…
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SEED = 20240611

# (distribution, import name): a mix of names that match and the classic mismatches.
THIRD_PARTY = [
    ("requests", "requests"),
    ("django", "django"),
    ("flask", "flask"),
    ("celery", "celery"),
    ("numpy", "numpy"),
    ("pandas", "pandas"),
    ("pyyaml", "yaml"),
    ("python-dateutil", "dateutil"),
    ("pillow", "PIL"),
    ("beautifulsoup4", "bs4"),
    ("djangorestframework", "rest_framework"),
    ("scikit-learn", "sklearn"),
    ("sqlalchemy", "sqlalchemy"),
    ("redis", "redis"),
    ("boto3", "boto3"),
    ("click", "click"),
    ("pydantic", "pydantic"),
    ("httpx", "httpx"),
    ("jinja2", "jinja2"),
    ("attrs", "attr"),
    ("structlog", "structlog"),
    ("tenacity", "tenacity"),
    ("google-cloud-storage", "google.cloud.storage"),
    ("sentry-sdk", "sentry_sdk"),
]
STDLIB = ["os", "sys", "json", "re", "logging", "pathlib", "datetime", "collections", "typing"]
BODY = '''

def handler_{n}(payload: dict) -> dict:
    """Transform one payload."""
    result = {{}}
    for key, value in payload.items():
        if isinstance(value, str):
            result[key] = value.strip().lower()
        else:
            result[key] = value
    return result
'''


def _module(rng: random.Random, declared: list[tuple[str, str]], package: str, n: int) -> str:
    lines = [f"import {name}" for name in rng.sample(STDLIB, 3)]
    for _, module in rng.sample(declared, min(3, len(declared))):
        lines.append(f"import {module}")
    if rng.random() < 0.02:
        lines.append("import undeclared_helper_lib")
    lines.append(f"from {package} import util_{rng.randrange(20)}")
    lines.append("try:\n    import ujson\nexcept ImportError:\n    ujson = None")
    return "\n".join(lines) + "".join(BODY.format(n=i) for i in range(3))


def generate(root: Path, repos: int, files: int) -> list[Path]:
    rng = random.Random(SEED)
    paths = []
    for index in range(repos):
        repo = root / f"repo-{index:03d}"
        package = f"service{index}"
        declared = rng.sample(THIRD_PARTY, 12)
        used = declared[:9]  # the last three are declared and never imported
        requirements = "".join(
            f"{dist}=={rng.randrange(1, 9)}.{rng.randrange(30)}\n" for dist, _ in declared
        )
        (repo / package).mkdir(parents=True)
        (repo / "tests").mkdir()
        (repo / "requirements.txt").write_text(requirements)
        (repo / "requirements-dev.txt").write_text("pytest\nruff\n")
        (repo / "Dockerfile").write_text(
            "FROM python:3.12\nCOPY . /app\nRUN pip install -r requirements.txt\n"
            'CMD ["gunicorn", "app:wsgi"]\n'
        )
        for n in range(files):
            if n % 10 == 0:
                target = repo / "tests" / f"test_{n}.py"
                target.write_text("import pytest\n" + _module(rng, used, package, n))
            else:
                target = repo / package / f"mod_{n}.py"
                target.write_text(_module(rng, used, package, n))
        (repo / package / "__init__.py").write_text("")
        for u in range(20):
            (repo / package / f"util_{u}.py").write_text("VALUE = 1\n")
        paths.append(repo)
    return paths


def scan_all(repos: list[Path]) -> tuple[float, int]:
    from scanning.engine.pipeline import scan_tree
    from scanning.options import scan_options

    started = time.perf_counter()
    files = 0
    for repo in repos:
        tree = scan_tree(repo, scan_options(cache_key=f"bench:{repo.name}"))
        files += tree.files_seen
    return time.perf_counter() - started, files


def deptry_seconds(repos: list[Path]) -> float | None:
    deptry = shutil.which("deptry") or str(Path(sys.executable).parent / "deptry")
    if not Path(deptry).exists():
        return None
    started = time.perf_counter()
    for repo in repos:
        subprocess.run([deptry, "."], cwd=repo, capture_output=True, timeout=600, check=False)
    return time.perf_counter() - started


def peak_megabytes() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024  # ru_maxrss is in KiB on Linux


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(wall seconds, peak MB of that process, exit status) of one whole process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - started, usage.ru_maxrss / 1024, process.returncode


def cli_mode(repos: list[Path], advisories: Path, rounds: int) -> None:
    """Whole ``python -m scanning.cli`` processes beside whole deptry processes, alternating.

    Per repository and round: ours cold (empty scan cache, no kept answer), deptry, ours warm
    (the caches the cold run left), deptry again. Start-up is included. Both run with bytecode
    cached (as an installed tool has it: deptry's site-packages carry theirs), in a prefix of
    their own; one unmeasured run of each comes first. The advisory source is read into its
    on-disk form once before (as a server syncs its mirror); cold runs keep that, not the scan
    cache.
    """
    deptry = shutil.which("deptry") or str(Path(sys.executable).parent / "deptry")
    if not Path(deptry).exists():
        raise SystemExit("deptry is not installed in this venv nor on PATH")
    work = Path(tempfile.mkdtemp(prefix="scan-bench-cli-"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    cache = work / "cache"

    def ours(repo: Path) -> list[str]:
        flags = ["--format", "json", "--advisories", str(advisories), "--cache-dir", str(cache)]
        return [sys.executable, "-m", "scanning.cli", str(repo), *flags]

    totals = {"cold": 0.0, "warm": 0.0, "deptry": 0.0}
    peak = 0.0
    try:
        os.chdir(BASE_DIR)
        _timed(ours(repos[0]), env)  # bytecode, and the advisories' on-disk form
        _timed([deptry, str(repos[0])], env)
        for round_number in range(rounds):
            for repo in repos:
                shutil.rmtree(cache / "scan", ignore_errors=True)
                shutil.rmtree(cache / "results", ignore_errors=True)  # no kept answer either
                cold, cold_mb, _ = _timed(ours(repo), env)
                first, first_mb, _ = _timed([deptry, str(repo)], env)
                warm, warm_mb, _ = _timed(ours(repo), env)
                second, second_mb, _ = _timed([deptry, str(repo)], env)
                totals["cold"] += cold
                totals["warm"] += warm
                totals["deptry"] += (first + second) / 2
                peak = max(peak, cold_mb, warm_mb)
                print(
                    f"round {round_number + 1} {repo.name}: ours cold {cold:.2f}s "
                    f"warm {warm:.2f}s ({max(cold_mb, warm_mb):.0f} MB), deptry "
                    f"{first:.2f}s/{second:.2f}s ({max(first_mb, second_mb):.0f} MB)"
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ratio = totals["cold"] / totals["deptry"]
    print(
        f"RESULT repos={len(repos)} rounds={rounds} cold_s={totals['cold']:.2f} "
        f"warm_s={totals['warm']:.2f} deptry_s={totals['deptry']:.2f} "
        f"ratio_vs_deptry={ratio:.2f} warm_ratio_vs_deptry={totals['warm'] / totals['deptry']:.2f} "
        f"warm_ratio={totals['warm'] / totals['cold']:.3f} peak_mb={peak:.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", nargs="+", type=Path, metavar="REPO", help="per-repository mode")
    parser.add_argument(
        "--advisories",
        type=Path,
        default=BASE_DIR.parent / "shared" / "data" / "pypa-advisory-db",
        help="OSV source for the command's audit in --cli mode",
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repos", type=int, default=20)
    parser.add_argument("--files", type=int, default=1000, help="Python files per repository")
    parser.add_argument("--keep", type=Path, help="generate here and leave the corpus behind")
    parser.add_argument(
        "--default-gc",
        action="store_true",
        help="keep CPython's default collector settings instead of the Celery worker's",
    )
    args = parser.parse_args()
    if args.cli:
        cli_mode(args.cli, args.advisories, args.rounds)
        return

    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    if not args.default_gc:  # as a Celery worker does when it starts (config/celery.py)
        from config import memory

        memory.tune_for_serving()

    root = args.keep or Path(tempfile.mkdtemp(prefix="scan-bench-"))
    from django.conf import settings

    cache_dir = Path(tempfile.mkdtemp(prefix="scan-bench-cache-"))
    settings.DEBTBOARD_SCAN_CACHE_DIR = str(cache_dir)  # starts empty: the first pass is cold
    try:
        started = time.perf_counter()
        repos = generate(root, args.repos, args.files)
        print(
            f"generated {len(repos)} repositories, {args.repos * (args.files + 21)} .py files "
            f"in {time.perf_counter() - started:.1f}s under {root}"
        )
        cold, files = scan_all(repos)
        print(f"cold scan: {cold:.1f}s, {files} files, {files / cold:.0f} files/s")
        warm, _ = scan_all(repos)
        print(f"warm rescan (incremental, nothing changed): {warm:.1f}s ({warm / cold:.3f}x cold)")
        peak = peak_megabytes()
        print(f"peak memory (largest of this process and its parser children): {peak:.0f} MB")
        deptry = deptry_seconds(repos)
        if deptry is None:
            print("deptry: not installed (nor on PATH)")
        else:
            print(f"deptry: {deptry:.1f}s (ratio ours/deptry {cold / deptry:.2f})")
        deptry_text = "n/a" if deptry is None else f"{deptry:.2f}"
        ratio_text = "n/a" if deptry is None else f"{cold / deptry:.2f}"
        print(
            f"RESULT cold_s={cold:.2f} warm_s={warm:.2f} files_per_s={files / cold:.0f} "
            f"peak_mb={peak:.0f} deptry_s={deptry_text} ratio_vs_deptry={ratio_text} "
            f"warm_ratio={warm / cold:.3f}"
        )
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
