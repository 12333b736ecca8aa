"""The portfolio at organisation scale (issue 15): one subject across every repository, and one
decision applied to 1,000 records in one request.

    python benchmarks/org_bench.py [--repositories 10000] [--records 1000000] [--teams 200]

Seeds teams, repositories and decision records (subjects drawn from a pool of package names, a
tenth of them vulnerable with an OSV id and two aliases each) in a fresh PostgreSQL database
(``debtboard_bench_portfolio``), then measures server time (Django test client, no network):

- the portfolio of a package, an advisory (looked up by an alias) and a kind, as a team lead
  of one team and as a superuser who sees everything (targets: p95 <= 200 ms, <= 12 queries);
- one decision (investigate, with an owner and a review date) applied to 1,000 records of the
  lead's team in one POST (target: <= 5 s), each through the record services.
"""

from __future__ import annotations

import argparse
import datetime
import random
import statistics
import time

from _setup import django_on_existing_database, django_on_fresh_database

KINDS = ["unused", "missing", "dev-in-prod", "unpinned", "transitive"]
STATES = ["new", "triaged", "kept", "done", "new", "new"]


def seed(*, repositories: int, records: int, teams: int, packages: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from decisions.models import DecisionRecord, RecordAdvisory
    from inventory.models import Membership, Repository, Role, Team

    rng = random.Random(15)
    User = get_user_model()
    team_rows = Team.objects.bulk_create(
        Team(name=f"Team {n:03}", slug=f"team-{n}") for n in range(teams)
    )
    users = User.objects.bulk_create(User(username=f"user{n}") for n in range(2 * teams))
    Membership.objects.bulk_create(
        Membership(
            team=team_rows[n % teams], user=user, role=Role.TRIAGER if n < teams else Role.OWNER
        )
        for n, user in enumerate(users)
    )
    repository_rows = Repository.objects.bulk_create(
        Repository(team=team_rows[n % teams], name=f"repo-{n}", location=f"/srv/repo-{n}")
        for n in range(repositories)
    )
    names = [f"package-{n}" for n in range(packages)]
    per_repository = max(records // repositories, 1)
    batch: list[DecisionRecord] = []
    made = 0
    for index, repository in enumerate(repository_rows):
        chosen = rng.sample(names, min(per_repository, len(names)))
        for subject in chosen:
            vulnerable = rng.random() < 0.1
            batch.append(
                DecisionRecord(
                    repository=repository,
                    subject=subject,
                    kind="vulnerable" if vulnerable else rng.choice(KINDS),
                    state=rng.choice(STATES),
                    severity="high" if vulnerable else "",
                    impact=rng.randint(1, 5),
                    confidence=rng.randint(1, 5),
                    summary=f"{subject} found by the bench",
                )
            )
            made += 1
        if len(batch) >= 20_000 or index == len(repository_rows) - 1:
            DecisionRecord.objects.bulk_create(batch, batch_size=5000)
            batch = []
        if made >= records:
            break
    # Advisory ids of vulnerable records: one OSV id per package, two aliases.
    advisory_rows = []
    for pk, subject in (
        DecisionRecord.objects.filter(kind="vulnerable")
        .values_list("pk", "subject")
        .iterator(chunk_size=20_000)
    ):
        n = subject.removeprefix("package-")
        osv = f"PYSEC-2024-{n}"
        for alias in (osv, f"CVE-2024-{n}", f"GHSA-bench-{n}"):
            advisory_rows.append(RecordAdvisory(record_id=pk, advisory_id=alias, osv_id=osv))
        if len(advisory_rows) >= 30_000:
            RecordAdvisory.objects.bulk_create(advisory_rows, batch_size=10_000)
            advisory_rows = []
    RecordAdvisory.objects.bulk_create(advisory_rows, batch_size=10_000)
    # Steady state: autovacuum has set the visibility map that index-only scans rely on.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    User.objects.create_superuser("bench-admin", "a@example.invalid", "x")
    return world(teams=teams, made=made, rng=rng)


def world(*, teams: int, made: int, rng: random.Random, lead: int = 0) -> dict:
    """Who and what the measurements use, read back from the seeded database."""
    from django.contrib.auth import get_user_model

    from decisions.models import DecisionRecord
    from inventory.models import Team

    User = get_user_model()
    vulnerable = DecisionRecord.objects.filter(kind="vulnerable").order_by("pk")
    subject = vulnerable[rng.randrange(vulnerable.count())].subject
    return {
        "lead": User.objects.get(username=f"user{lead}"),
        "owner": User.objects.get(username=f"user{teams + lead}"),
        "team": Team.objects.get(name=f"Team {lead:03}"),
        "admin": User.objects.get(username="bench-admin"),
        "made": made,
        "package": DecisionRecord.objects.order_by("pk")[rng.randrange(1000)].subject,
        "advisory_alias": f"CVE-2024-{subject.removeprefix('package-')}",
    }


def measure(client, url: str, params: dict, runs: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        client.get(url, params)
    timings, most = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url, params)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, params, response.status_code)
        most = max(most, len(queries))
    return timings, most


def p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repositories", type=int, default=10_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--packages", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--apply", type=int, default=1_000)
    parser.add_argument(
        "--lead", type=int, default=0, help="which team's lead measures (with --reuse: another)"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the database a previous run seeded (its records already decided stay so)",
    )
    args = parser.parse_args()
    if args.reuse:
        django_on_existing_database("debtboard_bench_portfolio")
    else:
        django_on_fresh_database("debtboard_bench_portfolio")
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from config import memory
    from decisions.models import DecisionRecord, State

    settings.ALLOWED_HOSTS = ["testserver"]
    started = time.perf_counter()
    if args.reuse:
        world_ = world(
            teams=args.teams,
            made=DecisionRecord.objects.count(),
            rng=random.Random(15),
            lead=args.lead,
        )
    else:
        world_ = seed(
            repositories=args.repositories,
            records=args.records,
            teams=args.teams,
            packages=args.packages,
        )
    how = "reused" if args.reuse else f"seeded in {time.perf_counter() - started:.1f}s"
    print(f"{world_['made']} records, {args.repositories} repositories, {args.teams} teams ({how})")
    memory.tune_for_serving()
    subjects = {
        "package": {"package": world_["package"]},
        "package+state": {"package": world_["package"], "state": "open", "page": "2"},
        "advisory-alias": {"advisory": world_["advisory_alias"]},
        "kind": {"kind": "unused"},
        "kind+team+state": {"kind": "unused", "team": str(world_["team"].pk), "state": "new"},
    }
    p95s, queries_max = [], 0
    for who in ("lead", "admin"):
        client = Client()
        client.force_login(world_[who])
        for name, params in subjects.items():
            timings, queries = measure(client, "/portfolio/", params, args.runs)
            p95s.append(p(timings, 95))
            queries_max = max(queries_max, queries)
            print(
                f"portfolio {who:5} {name:16} p50={p(timings, 50):7.1f}ms "
                f"p95={p(timings, 95):7.1f}ms queries={queries}"
            )
    lead, owner, team = world_["lead"], world_["owner"], world_["team"]
    ids = list(
        # Undecided (a rerun with --reuse finds those the last run left)
        DecisionRecord.objects.filter(
            repository__team=team, state__in=[State.NEW, State.TRIAGED], next_action=""
        )
        .exclude(kind="vulnerable")
        .values_list("pk", flat=True)[: args.apply]
    )
    client = Client()
    client.force_login(lead)
    if not ids:
        raise SystemExit(f"No undecided records left in {team}: run with another --lead.")
    review = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.post(
            "/portfolio/apply/",
            {
                "ids": ids,
                "next_action": "investigate",
                "justification": "One look at all of them",
                "review_date": review,
                f"owner_{team.pk}": owner.pk,
            },
            headers={"HX-Request": "true"},
        )
        apply_seconds = time.perf_counter() - start
    assert response.status_code == 200, (response.status_code, response.content[:500])
    decided = DecisionRecord.objects.filter(pk__in=ids, next_action="investigate").count()
    assert decided == len(ids), (decided, len(ids))
    print(
        f"apply investigate to {len(ids)} records: {apply_seconds:.2f}s "
        f"({len(queries)} queries, {len(queries) / max(len(ids), 1):.1f} per record)"
    )
    print(
        f"RESULT portfolio_p95_ms={max(p95s):.1f} portfolio_queries_max={queries_max} "
        f"apply_records={len(ids)} apply_s={apply_seconds:.2f} records={world_['made']} "
        f"repositories={args.repositories} teams={args.teams}"
    )


if __name__ == "__main__":
    main()
