"""Debtboard at organisation scale (issue 15): the triage list, the dashboard and the portfolio
at 1,000,000 records, and one decision applied to 1,000 records in one request.

    python benchmarks/org_bench.py [--repositories 10000] [--records 1000000] [--teams 200]
        [--database debtboard_bench_portfolio] [--reuse [--lead N]] [--only list ...]

Seeds teams, repositories and decision records with COPY (subjects drawn from a pool of package
names, a tenth of them vulnerable with an OSV id and two aliases each; half owned, a third with
a review date, a state event for each record that left "new") in a fresh PostgreSQL database,
then measures server time (Django test client, no network) and this process's CPU time:

- the triage list as a team lead of one team and as a superuser who sees everything: the
  default page, kind and state (the issue's case), and the other filters and sorts
  (target for the lead: p95 <= 50 ms);
- the repository filter's suggestions (a common prefix, and text no name holds), as both;
- the dashboard page and each chart it loads, as the lead; the superuser's page and each chart
  of one team (target: p95 <= 300 ms);
- the portfolio of a package, an advisory (looked up by an alias) and a kind, as the lead and
  as the superuser (target: p95 <= 200 ms);
- one decision (investigate, with an owner and a review date) applied to 1,000 records of the
  lead's team in one POST (target: <= 5 s);
- every request: <= 12 queries.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import time

from _setup import django_on_existing_database, django_on_fresh_database

KINDS = ["unused", "missing", "dev-in-prod", "unpinned", "transitive"]
STATES = ["new", "triaged", "kept", "done", "new", "new"]


def _copy(cursor, table: str, columns: tuple[str, ...], rows) -> None:
    """Stream ``rows`` into ``table`` with COPY (ten times faster than bulk_create here)."""
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


RECORD_COLUMNS = (
    "repository_id",
    "subject",
    "kind",
    "state",
    "severity",
    "owner_id",
    "review_date",
    "impact",
    "confidence",
    "reversibility",
    "prevention",
    "summary",
    "created_at",
    "updated_at",
    # NOT NULL text and JSON fields the ORM would fill with their defaults:
    "current_purpose",
    "why_stale",
    "evidence_notes",
    "risk_if_wrong",
    "next_action",
    "first_reversible_move",
    "watch_signal",
    "rollback_notes",
    "prevention_rule",
    "suppression",
    "mode_notes",
    "review_window_override_reason",
    "unchecked_reason",
)


def seed(*, repositories: int, records: int, teams: int, packages: int) -> dict:
    """Teams, a lead and an owner each, repositories, ``records`` records (half owned, a third
    with a review date, created over the last 16 weeks) and a state event for every record that
    left ``new``, so the dashboard's history has something to read."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

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
    owner_of_team = {team.pk: users[teams + n].pk for n, team in enumerate(team_rows)}
    names = [f"package-{n}" for n in range(packages)]
    per_repository = max(records // repositories, 1)
    now = timezone.now()
    today = now.date()
    blanks = ("",) * 10 + ("{}", "", "")

    def record_rows():
        made = 0
        for repository in repository_rows:
            for subject in rng.sample(names, min(per_repository, len(names))):
                if made >= records:
                    return
                made += 1
                vulnerable = rng.random() < 0.1
                created = now - datetime.timedelta(seconds=rng.randrange(16 * 7 * 86400))
                review = (
                    today + datetime.timedelta(days=rng.randrange(-60, 60))
                    if rng.random() < 0.3
                    else None
                )
                owner = owner_of_team[repository.team_id] if rng.random() < 0.5 else None
                yield (
                    repository.pk,
                    subject,
                    "vulnerable" if vulnerable else rng.choice(KINDS),
                    rng.choice(STATES),
                    "high" if vulnerable else "",
                    owner,
                    review,
                    rng.randint(1, 5),
                    rng.randint(1, 5),
                    3,
                    3,
                    f"{subject} found by the bench",
                    created,
                    created,
                    *blanks,
                )

    with connection.cursor() as cursor:
        _copy(cursor, "decisions_decisionrecord", RECORD_COLUMNS, record_rows())
        # One state event per record that moved: when it left "new", a few days after it came.
        cursor.execute(
            """
            INSERT INTO decisions_decisionevent
                (record_id, created_at, field, old_value, new_value, comment)
            SELECT id, created_at + (id % 10) * interval '1 day', 'state', 'new', state, 'bench'
            FROM decisions_decisionrecord WHERE state <> 'new'
            """
        )
        # Advisory ids of vulnerable records: one OSV id per package, two aliases.
        cursor.execute(
            """
            INSERT INTO decisions_recordadvisory (record_id, advisory_id, osv_id)
            SELECT r.id, alias, 'PYSEC-2024-' || substr(r.subject, 9)
            FROM decisions_decisionrecord r,
                 LATERAL (VALUES ('PYSEC-2024-' || substr(r.subject, 9)),
                                 ('CVE-2024-' || substr(r.subject, 9)),
                                 ('GHSA-bench-' || substr(r.subject, 9))) AS a(alias)
            WHERE r.kind = 'vulnerable'
            """
        )
        # Steady state: autovacuum has set the visibility map that index-only scans rely on.
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT count(*) FROM decisions_decisionrecord")
        (made,) = cursor.fetchone()
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


def measure(
    client, url: str, params: dict, runs: int, headers=None
) -> tuple[list[float], list[float], int]:
    """Wall-clock and this process's CPU milliseconds of each request, and the most queries.

    On a shared machine the wall clock follows the load; the CPU time is what the request
    costs the server process (the database's own work is not in it)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        client.get(url, params, headers=headers)
    timings, cpu, most = [], [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url, params, headers=headers)
            timings.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (url, params, response.status_code)
        most = max(most, len(queries))
    return timings, cpu, most


def p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


class Figures:
    """p50/p95 and queries of each case, grouped by what they measure (portfolio, list, ...)."""

    def __init__(self) -> None:
        self.p95: dict[str, list[float]] = {}
        self.queries: dict[str, int] = {}

    def run(self, group: str, client, who: str, name: str, url: str, params: dict, runs: int):
        headers = {"HX-Request": "true"} if group == "list" else None
        timings, cpu, queries = measure(client, url, params, runs, headers)
        self.p95.setdefault(group, []).append(p(timings, 95))
        self.queries[group] = max(self.queries.get(group, 0), queries)
        print(
            f"{group:9} {who:5} {name:24} p50={p(timings, 50):7.1f}ms "
            f"p95={p(timings, 95):7.1f}ms cpu p50={p(cpu, 50):6.1f}ms queries={queries}"
        )

    def worst(self, group: str) -> float:
        return max(self.p95.get(group, [0.0]))


def list_cases(world_: dict) -> dict[str, dict]:
    """The triage list as people filter it (the page a team lead opens, then narrows)."""
    team, owner = str(world_["team"].pk), str(world_["owner"].pk)
    repository = world_["team"].repositories.order_by("name").first()
    return {
        "default": {},
        "kind+state": {"kind": "unused", "state": "new"},
        "kind+state+team": {"kind": "unused", "state": "new", "team": team},
        "kind+open": {"kind": "missing", "state": "open"},
        "state": {"state": "triaged"},
        "severity": {"severity": "high"},
        "owner": {"owner": owner},
        "repository-name": {"repository": repository.name},
        "unowned+review-sort": {"unowned": "on", "sort": "review", "page": "2"},
        "due": {"due": "due"},
        "overdue+kind": {"due": "overdue", "kind": "vulnerable"},
        "repository-sort": {"sort": "repository"},
        "newest+page-3": {"sort": "newest", "page": "3"},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repositories", type=int, default=10_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--packages", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--apply", type=int, default=1_000)
    parser.add_argument("--database", default="debtboard_bench_portfolio")
    parser.add_argument(
        "--lead", type=int, default=0, help="which team's lead measures (with --reuse: another)"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the database a previous run seeded (its records already decided stay so)",
    )
    parser.add_argument(
        "--only",
        choices=["portfolio", "list", "dashboard", "apply"],
        action="append",
        help="measure only these (repeatable); default: all",
    )
    args = parser.parse_args()
    only = set(args.only or ["portfolio", "list", "dashboard", "apply"])
    if args.reuse:
        django_on_existing_database(args.database)
    else:
        django_on_fresh_database(args.database)
    from django.conf import settings
    from django.core.management import call_command

    from config import memory
    from decisions.models import DecisionRecord

    settings.ALLOWED_HOSTS = ["testserver"]
    started = time.perf_counter()
    if args.reuse:
        call_command("migrate", verbosity=0)  # indexes added since the database was seeded
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
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    memory.tune_for_serving()
    figures = Figures()
    if "portfolio" in only:
        portfolio_cases(figures, world_, args.runs)
    if "list" in only:
        for who in ("lead", "admin"):
            client = logged_in(world_[who])
            for name, params in list_cases(world_).items():
                figures.run("list", client, who, name, "/", params, args.runs)
            # The repository filter's suggestions: a prefix most names share, and a text no
            # name holds (both queries run in full).
            for name, typed in (("prefix", "repo-1"), ("no-match", "zzz")):
                params = {"repository": typed}
                figures.run(
                    "suggest", client, who, name, "/records/repositories/", params, args.runs
                )
    if "dashboard" in only:
        dashboard_cases(figures, world_, args.runs)
    apply_seconds, apply_records, apply_queries = 0.0, 0, 0
    if "apply" in only:
        apply_seconds, apply_records, apply_queries = apply_case(world_, args.apply)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"RESULT list_p95_ms={figures.worst('list'):.1f} "
        f"dashboard_p95_ms={figures.worst('dashboard'):.1f} "
        f"portfolio_p95_ms={figures.worst('portfolio'):.1f} "
        f"suggest_p95_ms={figures.worst('suggest'):.1f} "
        f"queries_max={max(figures.queries.values(), default=0)} "
        f"apply_records={apply_records} apply_s={apply_seconds:.2f} "
        f"apply_queries={apply_queries} records={world_['made']} "
        f"repositories={args.repositories} teams={args.teams} "
        f"load={os.getloadavg()[0]:.2f}"
    )


def logged_in(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def portfolio_cases(figures: Figures, world_: dict, runs: int) -> None:
    subjects = {
        "package": {"package": world_["package"]},
        "package+state": {"package": world_["package"], "state": "open", "page": "2"},
        "advisory-alias": {"advisory": world_["advisory_alias"]},
        "kind": {"kind": "unused"},
        "kind+team+state": {"kind": "unused", "team": str(world_["team"].pk), "state": "new"},
    }
    for who in ("lead", "admin"):
        client = logged_in(world_[who])
        for name, params in subjects.items():
            figures.run("portfolio", client, who, name, "/portfolio/", params, runs)


def dashboard_cases(figures: Figures, world_: dict, runs: int) -> None:
    """The dashboard page and each chart it loads (one request each), as the team lead; the
    superuser's page (every repository's gate) and, once, each of their charts."""
    from decisions import charts

    client = logged_in(world_["lead"])
    figures.run("dashboard", client, "lead", "page", "/dashboard/", {}, runs)
    for slug in charts.CHARTS:
        figures.run("dashboard", client, "lead", slug, "/dashboard/", {"chart": slug}, runs)
    client = logged_in(world_["admin"])
    figures.run("dashboard", client, "admin", "page", "/dashboard/", {}, max(runs // 3, 3))
    team = {"team": str(world_["team"].pk)}
    for slug in charts.CHARTS:
        figures.run(
            "dashboard", client, "admin", f"team {slug}", "/dashboard/", {**team, "chart": slug}, 5
        )


def apply_case(world_: dict, count: int) -> tuple[float, int, int]:
    """One decision (investigate, an owner, a review date) for ``count`` undecided records of
    the lead's team, in one POST."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from decisions.models import DecisionRecord, State

    lead, owner, team = world_["lead"], world_["owner"], world_["team"]
    ids = list(
        # Undecided (a rerun with --reuse finds those the last run left)
        DecisionRecord.objects.filter(
            repository__team=team, state__in=[State.NEW, State.TRIAGED], next_action=""
        )
        .exclude(kind="vulnerable")
        .values_list("pk", flat=True)[:count]
    )
    if not ids:
        raise SystemExit(f"No undecided records left in {team}: run with another --lead.")
    client = logged_in(lead)
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
        seconds = time.perf_counter() - start
    assert response.status_code == 200, (response.status_code, response.content[:500])
    decided = DecisionRecord.objects.filter(pk__in=ids, next_action="investigate").count()
    assert decided == len(ids), (decided, len(ids))
    print(
        f"apply investigate to {len(ids)} records: {seconds:.2f}s "
        f"({len(queries)} queries, {len(queries) / max(len(ids), 1):.2f} per record)"
    )
    return seconds, len(ids), len(queries)


if __name__ == "__main__":
    main()
