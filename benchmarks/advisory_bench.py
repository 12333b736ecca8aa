"""Advisory mirror: cold and incremental sync of the PyPA database, and matching 20,000 pins.

    python benchmarks/advisory_bench.py [--source ../shared/data/pypa-advisory-db] [--pins 20000]

Uses a fresh temporary SQLite database unless BENCH_DATABASE_URL is set (its advisory tables
are emptied first). Matching loads the index from the database for the pinned names and runs
the scan rule over N distinct pinned requirements, every one of them a vulnerable version (the
worst case). Peak memory is the process's peak RSS. The last line is machine-readable.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = BASE_DIR.parent / "shared" / "data" / "pypa-advisory-db"


def _django(database_url: str) -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _pins(count: int) -> list:
    from scanning.models import AdvisoryPackage
    from scanning.types import Declaration

    seen: dict[tuple[str, str], None] = {}
    for name, versions in AdvisoryPackage.objects.values_list("name", "versions").order_by("id"):
        for version in versions:
            seen.setdefault((name, version))
    pairs = list(seen)
    pairs = (pairs * (count // max(len(pairs), 1) + 1))[:count]
    return [
        Declaration(
            f"repo-{n % 500}/requirements.txt",
            n,
            name,
            f"{name}=={v}",
            pinned_version=v,
            pin_level="exact",
        )
        for n, (name, v) in enumerate(pairs)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", default=str(DEFAULT_SOURCE))
    parser.add_argument("--pins", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        _django(os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3"))
        from scanning.advisories import store
        from scanning.models import Advisory, AdvisorySync
        from scanning.rules.vulnerable import vulnerability_findings

        Advisory.objects.all().delete()
        AdvisorySync.objects.all().delete()

        started = time.perf_counter()
        cold = store.advisories_sync(source=args.source)
        cold_s = time.perf_counter() - started
        print(f"cold sync: {cold_s:.2f} s, {cold.created} new, {cold.malformed} malformed")

        started = time.perf_counter()
        warm = store.advisories_sync(source=args.source)
        incremental_s = time.perf_counter() - started
        print(f"incremental sync: {incremental_s:.2f} s, {warm.unchanged} unchanged")

        declarations = _pins(args.pins)
        started, cpu_started = time.perf_counter(), time.process_time()
        index = store.index_from_database(names={d.name for d in declarations})
        findings, audit = vulnerability_findings(declarations, index)
        match_s = time.perf_counter() - started
        match_cpu_s = time.process_time() - cpu_started
        distinct = len({(d.name, d.pinned_version) for d in declarations})
        print(
            f"matching {len(declarations)} pins ({distinct} distinct, all vulnerable): "
            f"{match_s:.2f} s ({match_cpu_s:.2f} s CPU), {len(findings)} findings, "
            f"gate {audit['gate']}"
        )
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        print(
            f"RESULT cold_sync_s={cold_s:.2f} incremental_sync_s={incremental_s:.2f} "
            f"match_20k_s={match_s:.2f} peak_mb={peak_mb:.0f}"
        )


if __name__ == "__main__":
    main()
