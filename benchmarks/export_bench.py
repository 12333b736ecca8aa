"""CSV and Markdown export of 100,000 decision records through the real URL, view and streaming.

    .venv/bin/python benchmarks/export_bench.py [--records 100000]

Uses a throwaway database: a test database on the server DATABASE_URL points at (created and
dropped here), or a temporary SQLite file when DATABASE_URL is unset. Prints rows/s of each
format (an untraced run) and the peak Python memory growth while streaming (a tracemalloc run);
one machine-readable line per measured path, the last one last:

    RESULT path=stream csv_rows_per_s=… md_rows_per_s=… peak_growth_mb=…

Targets: ≥ 20,000 rows/s and ≤ 50 MB growth.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
KINDS = ("unused", "missing", "dev-in-prod", "vulnerable", "unpinned")
STATES = ("new", "triaged", "awaiting-approval", "approved", "kept")


def _setup(tmp: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    os.environ["DEBTBOARD_TEST_RUN_ID"] = f"bench-{os.getpid()}"
    import django

    django.setup()


def _populate(count: int):
    from decisions.models import DecisionRecord
    from inventory.models import Membership, Repository, Role, Team
    from tests import factories

    team = Team.objects.create(name="Bench", slug="bench")
    reader = factories.user("bench-reader")
    Membership.objects.create(team=team, user=reader, role=Role.VIEWER)
    owners = [factories.user(f"bench-owner-{n}") for n in range(20)]
    Membership.objects.bulk_create(Membership(team=team, user=o, role=Role.OWNER) for o in owners)
    repositories = Repository.objects.bulk_create(
        Repository(team=team, name=f"service-{n:03d}", location=f"https://git.example/s{n}")
        for n in range(50)
    )
    batch = []
    for n in range(count):
        batch.append(
            DecisionRecord(
                repository=repositories[n % len(repositories)],
                subject=f"package-{n}" if n % 97 else f'=HYPERLINK("x{n}")|pipe',
                kind=KINDS[n % len(KINDS)],
                state=STATES[n % len(STATES)],
                owner=owners[n % len(owners)] if n % 3 else None,
                next_action="remove" if n % 2 else "",
                summary=f"package-{n} is declared in requirements/base.txt:{n % 300} "
                "but nothing imports it (checked web, worker, cron)",
                impact=1 + n % 5,
                confidence=1 + (n // 5) % 5,
            )
        )
        if len(batch) == 5000:
            DecisionRecord.objects.bulk_create(batch)
            batch = []
    DecisionRecord.objects.bulk_create(batch)
    return reader


def _stream_response(reader, fmt: str):
    """What ``record_export`` returns once it streams with ``exports.csv_stream`` /
    ``markdown_stream`` (values rows instead of model instances)."""
    from django.http import QueryDict, StreamingHttpResponse

    from decisions import exports
    from decisions.selectors import records as selectors

    _, records = selectors.record_list(user=reader, params=QueryDict())
    if fmt == "csv":
        return StreamingHttpResponse(exports.csv_stream(records), content_type="text/csv")
    return StreamingHttpResponse(
        exports.markdown_stream(records, title="Debtboard decision records"),
        content_type="text/markdown; charset=utf-8",
    )


def _export(client, fmt: str, *, reader=None) -> tuple[int, int]:
    """Stream one export to the end; returns (data rows, bytes).

    With ``reader`` the optimised streaming functions are measured; otherwise the real URL.
    """
    from django.urls import reverse

    if reader is not None:
        response = _stream_response(reader, fmt)
    else:
        response = client.get(reverse("decisions:record-export", args=[fmt]))
    assert response.status_code == 200, response.status_code
    lines = size = 0
    for chunk in response.streaming_content:
        lines += 1
        size += len(chunk)
    header_lines = 1 if fmt == "csv" else 3
    return lines - header_lines, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument(
        "--paths",
        default="view,stream",
        help="view: the real export URL as it is; stream: exports.csv_stream/markdown_stream "
        "(what the view streams once switched to them). The last RESULT line is the last path.",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="debtboard-bench-") as tmp:
        _setup(Path(tmp))
        from django.db import connection
        from django.test import Client
        from django.test.utils import setup_test_environment

        setup_test_environment()  # allows the test client's host; keeps mail in memory
        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            started = time.perf_counter()
            reader = _populate(args.records)
            print(
                f"database: {connection.vendor}; {args.records} records created in "
                f"{time.perf_counter() - started:.1f}s"
            )
            client = Client()
            client.force_login(reader)
            _export(client, "csv")  # warm caches and connections

            rates, peaks = {}, {}
            paths = {"view": None, "stream": reader}
            for path in args.paths.split(","):
                for fmt in ("csv", "md"):
                    started = time.perf_counter()
                    rows, size = _export(client, fmt, reader=paths[path])
                    seconds = time.perf_counter() - started
                    assert rows == args.records, (path, fmt, rows)
                    rates[path, fmt] = rows / seconds
                    print(
                        f"{path} {fmt}: {rows} rows, {size / 1e6:.1f} MB in {seconds:.2f}s "
                        f"= {rates[path, fmt]:,.0f} rows/s"
                    )
                for fmt in ("csv", "md"):
                    tracemalloc.start()
                    baseline = tracemalloc.get_traced_memory()[0]
                    _export(client, fmt, reader=paths[path])
                    peaks[path, fmt] = (tracemalloc.get_traced_memory()[1] - baseline) / 2**20
                    tracemalloc.stop()
                    print(f"{path} {fmt}: peak memory growth {peaks[path, fmt]:.1f} MB")
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    for path in args.paths.split(","):
        print(
            f"RESULT path={path} csv_rows_per_s={rates[path, 'csv']:.0f} "
            f"md_rows_per_s={rates[path, 'md']:.0f} "
            f"peak_growth_mb={max(peaks[path, f] for f in ('csv', 'md')):.1f}"
        )


if __name__ == "__main__":
    main()
