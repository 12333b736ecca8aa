"""Triage list and inline row update under 100,000 decision records (issue: decision records).

    python benchmarks/triage_bench.py [--records 100000]

Seeds 50 teams, 500 repositories and N records in a fresh PostgreSQL database, then measures
server time (Django test client, no network) of the triage list — default and three
filter/sort combinations — of an inline row update, as a team lead of one team and as a
superuser who sees everything, and of the record page (what was checked, the suggestion, the
decision) of records with a scan, evidence and sibling findings. Prints p50/p95 and the most
queries any request made.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from _setup import django_on_fresh_database

KINDS = ["unused", "missing", "dev-in-prod", "vulnerable", "unpinned"]
STATES = ["new", "triaged", "awaiting-approval", "kept", "done"]


def seed(records: int) -> tuple:
    from django.contrib.auth import get_user_model

    from decisions.models import DecisionRecord
    from inventory.models import Membership, Repository, Role, Team

    rng = random.Random(7)
    User = get_user_model()
    teams = Team.objects.bulk_create(Team(name=f"Team {n}", slug=f"team-{n}") for n in range(50))
    users = User.objects.bulk_create(User(username=f"user{n}") for n in range(200))
    Membership.objects.bulk_create(
        Membership(team=teams[n % 50], user=user, role=Role.TRIAGER if n < 50 else Role.OWNER)
        for n, user in enumerate(users)
    )
    repositories = Repository.objects.bulk_create(
        Repository(team=teams[n % 50], name=f"repo-{n}", location=f"/srv/repo-{n}")
        for n in range(500)
    )
    batch = []
    for n in range(records):
        repository = repositories[n % 500]
        team_index = repositories.index(repository) % 50 if n < 500 else n % 500 % 50
        batch.append(
            DecisionRecord(
                repository=repository,
                subject=f"package-{n}",
                kind=rng.choice(KINDS),
                state=rng.choice(STATES),
                owner=users[50 + team_index] if rng.random() < 0.5 else None,
                impact=rng.randint(1, 5),
                confidence=rng.randint(1, 5),
                summary=f"package-{n} is declared but never imported",
            )
        )
        if len(batch) == 10_000:
            DecisionRecord.objects.bulk_create(batch)
            batch = []
    DecisionRecord.objects.bulk_create(batch)
    lead = users[0]
    admin = User.objects.create_superuser("bench-admin", "a@example.invalid", "x")
    return lead, admin


def measure(client, method: str, url: str, data: dict | None, runs: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings, most_queries = [], 0
    if method == "get":  # warm the server's caches (templates, connection); never re-POST
        for _ in range(3):
            client.get(url, data or {}, headers={"HX-Request": "true"})
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = getattr(client, method)(url, data or {}, headers={"HX-Request": "true"})
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        most_queries = max(most_queries, len(queries))
    return timings, most_queries


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--default-gc",
        action="store_true",
        help="keep CPython's default collector settings instead of config/wsgi.py's",
    )
    args = parser.parse_args()
    django_on_fresh_database("debtboard_triage_bench")
    from django.conf import settings
    from django.test import Client

    from decisions.models import DecisionRecord

    # Measure what a server does: no test-runner template instrumentation, just the host.
    settings.ALLOWED_HOSTS = ["testserver"]
    started = time.perf_counter()
    lead, admin = seed(args.records)
    print(f"seeded {args.records} records in {time.perf_counter() - started:.1f}s")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    if not args.default_gc:  # as config/wsgi.py does once the application is loaded
        from config import memory

        memory.tune_for_serving()
        print(f"collector tuned as in config/wsgi.py (young threshold {memory.YOUNG_THRESHOLD})")

    lists = {
        "default": {},
        "kind+state": {"kind": "unused", "state": "new"},
        "repository-sort": {"sort": "repository"},
        "unowned+review-sort": {"unowned": "on", "sort": "review", "page": "2"},
    }
    list_p95, list_queries = [], 0
    for who, user in (("lead", lead), ("superuser", admin)):
        client = Client()
        client.force_login(user)
        for name, params in lists.items():
            timings, queries = measure(client, "get", "/", params, args.runs)
            list_queries = max(list_queries, queries)
            list_p95.append(p(timings, 95))
            print(
                f"list {who:9} {name:20} p50={p(timings, 50):6.1f}ms "
                f"p95={p(timings, 95):6.1f}ms queries={queries}"
            )
    client = Client()
    client.force_login(lead)
    records = list(
        DecisionRecord.objects.editable_by(lead).values_list("pk", flat=True)[: args.runs]
    )
    update_timings, update_queries = [], 0
    for n, pk in enumerate(records):
        timings, queries = measure(
            client,
            "post",
            f"/records/{pk}/triage/",
            {"next_action": ["keep", "reduce"][n % 2], "owner": ""},
            1,
        )
        update_timings += timings
        update_queries = max(update_queries, queries)
    print(
        f"row update p50={p(update_timings, 50):.1f}ms p95={p(update_timings, 95):.1f}ms "
        f"queries={update_queries}"
    )
    page_timings, page_queries = [], 0
    for pk in seed_record_pages(lead, args.runs):
        timings, queries = measure(client, "get", f"/records/{pk}/", None, 3)
        page_timings += timings
        page_queries = max(page_queries, queries)
    print(
        f"record page p50={p(page_timings, 50):.1f}ms p95={p(page_timings, 95):.1f}ms "
        f"queries={page_queries}"
    )
    print(
        f"RESULT list_p95_ms={max(list_p95):.1f} update_p95_ms={p(update_timings, 95):.1f} "
        f"record_page_p95_ms={p(page_timings, 95):.1f} "
        f"queries_max={max(list_queries, update_queries, page_queries)} records={args.records}"
    )


def seed_record_pages(lead, count: int) -> list[int]:
    """Give ``count`` of the lead's records a package, a scan with evidence and a sibling."""
    from django.utils import timezone

    from decisions.models import DecisionRecord
    from inventory.models import Package
    from scanning.models import Evidence, ScanRun

    records = list(DecisionRecord.objects.editable_by(lead).select_related("repository")[:count])
    runs = {}
    for record in records:
        if record.repository_id not in runs:
            runs[record.repository_id] = ScanRun.objects.create(
                repository=record.repository,
                status="succeeded",
                finished_at=timezone.now(),
                files_seen=2000,
                modes_seen={"web": 1200, "worker": 300, "test": 480, "migration": 20},
                modes_incomplete=["worker"],
                file_errors=[
                    {"path": f"app/broken_{n}.py", "line": 1, "message": "syntax"}
                    for n in range(40)
                ],
                audit={
                    "import_names": {"sources": {"unknown": 40}, "problems": []},
                    "vulnerable": [],
                },
            )
        package = Package.objects.create(name=record.subject)
        DecisionRecord.objects.filter(pk=record.pk).update(package=package)
        DecisionRecord.objects.create(
            repository=record.repository,
            package=package,
            subject=record.subject,
            kind="unpinned" if record.kind != "unpinned" else "unused",
            summary="sibling",
        )
        run = runs[record.repository_id]
        Evidence.objects.bulk_create(
            [
                Evidence(
                    scan_run=run,
                    package=package,
                    name=record.subject,
                    kind="manifest-line",
                    path="requirements.txt",
                    line=3,
                    mode="runtime",
                    detail=record.subject,
                )
            ]
            + [
                Evidence(
                    scan_run=run,
                    package=package,
                    name=record.subject.replace("-", "_"),
                    kind="static-import",
                    path=f"app/m{n}.py",
                    line=n,
                    mode="web",
                )
                for n in range(30)
            ]
        )
    return [r.pk for r in records]


if __name__ == "__main__":
    main()
