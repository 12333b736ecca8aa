"""Inventory of an S3 bucket of 100,000 objects matched against 1,000 references, over HTTP
against two endpoints.

    .venv/bin/python benchmarks/artifact_bench.py [--objects 100000] [--references 1000]
                                                   [--versioned] [--profile FILE.prof]

Which figure is which, and why two endpoints:

- **fast endpoint** (``benchmarks/s3_pages.py``, a threaded HTTP server in a child process
  speaking S3's GetBucketVersioning, ListObjectsV2 and ListObjectVersions from XML pages made
  before it starts, with continuation tokens): what a real S3 costs per page is a send, well
  under 100 ms for 1,000 keys. ``objects_per_second`` is **the whole inventory task path**
  against it (``decisions.services.artifacts.store_inventory``: boto3 over HTTP, parsing,
  grouping into versions, storing them in a throwaway SQLite database, matching against the
  references stored as scan evidence, reconciling records) — Debtboard's own cost, the figure
  the target is for. ``listing_objects_per_second`` is ``listing.list_s3`` alone against it;
  ``--versioned`` makes that bucket versioned (ListObjectVersions; moto's stays unversioned).
- **moto** (``tests/s3_populated.py``: moto's server in its own process, its bucket filled in
  its backend before it serves, so filling is not measured and its memory is not ours):
  ``moto_objects_per_second`` is moto alone answering plain unsigned GETs of every page, and
  ``moto_inventory_objects_per_second`` the same whole task path against moto. moto spends
  longer on every page than Debtboard does, so that whole-path figure measures moto; it is
  kept to show the two apart.
- parts, on the objects the fast endpoint listed: ``client_parse_objects_per_second`` botocore
  parsing moto's pages without network; ``grouping_matching_objects_per_second`` layout
  grouping, newest versions, reference matching and the verdicts in memory;
  ``store_match_reconcile_objects_per_second`` the listed objects stored, judged and turned
  into records with no listing.

``peak_mb`` is this process's peak resident memory (ru_maxrss) after the fast endpoint's
figures (moto's raw pages come later and do not count). Last line:

    RESULT objects_per_second=… listing_objects_per_second=… moto_objects_per_second=…
           moto_inventory_objects_per_second=… client_parse_objects_per_second=…
           grouping_matching_objects_per_second=… store_match_reconcile_objects_per_second=…
           peak_mb=…   (one line)

Targets: ``objects_per_second`` ≥ 5,000, ``peak_mb`` < 300. ``--profile`` writes a
cProfile of the fast endpoint's whole inventory (``pstats``
file; its 15 costliest functions are printed; the profiler slows the run, so the figures of a
profiled run are not comparable).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import pstats
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BUCKET = "bench-models"


def _setup(tmp: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["DEBTBOARD_TEST_RUN_ID"] = f"bench-{os.getpid()}"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _references(count: int, objects: int) -> list[str]:
    """Reference texts: URIs into versions, key paths behind a mount, model roots, MLflow runs."""
    from tests.s3_populated import key_of

    rng = random.Random(16)
    texts = []
    for n in range(count):
        key = key_of(rng.randrange(objects))
        folder = key.rsplit("/", 1)[0] + "/"
        texts.append(
            (
                f"s3://{BUCKET}/{key}",
                f"s3://{BUCKET}/{folder}",
                f"/mnt/models/{key}",
                f"s3://{BUCKET}/models/model-{n % 200:03d}/",
                f"s3://other-bucket/{key}",
            )[n % 5]
        )
    return texts


def _start(module: list[str]) -> tuple[subprocess.Popen, str]:
    """A server child process on a free port, once it prints ``ready``; stopped by closing
    its stdin."""
    from tests.s3_server import free_port

    port = free_port()
    argv = [module[0], str(port), BUCKET, *module[1:]]
    process = subprocess.Popen(
        [sys.executable, *(["-m"] if not argv[0].endswith(".py") else []), *argv],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    if process.stdout.readline().strip() != "ready":
        raise SystemExit(f"{module[0]} did not start")
    return process, f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def _serving(module: list[str]) -> Iterator[str]:
    process, endpoint = _start(module)
    try:
        yield endpoint
    finally:
        process.stdin.close()
        process.wait(timeout=60)


def _raw_listing(endpoint: str) -> list[bytes]:
    """Page through the bucket with plain unsigned GETs: how fast moto itself answers."""
    import re
    import urllib.parse
    import urllib.request

    pages: list[bytes] = []
    token = ""
    while True:
        query = {"list-type": "2", "max-keys": "1000"}
        if token:
            query["continuation-token"] = token
        url = f"{endpoint}/{BUCKET}?{urllib.parse.urlencode(query)}"
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310
            raw = response.read()
        pages.append(raw)
        body = raw.decode()
        found = re.search(r"<NextContinuationToken>([^<]+)</NextContinuationToken>", body)
        if not found:
            return pages
        token = found.group(1)


def _client_seconds(pages: list[bytes]) -> float:
    """botocore parsing the pages moto sent, as ``list_s3``'s client does (no network)."""
    import botocore.session
    from botocore.parsers import create_parser

    from scanning.artifacts import listing

    model = botocore.session.get_session().get_service_model("s3")
    shape = model.operation_model("ListObjectsV2").output_shape
    parser = create_parser("rest-xml")
    parser._timestamp_parser = listing._timestamp
    started = time.perf_counter()
    for body in pages:
        parsed = parser.parse({"body": body, "headers": {}, "status_code": 200}, shape)
        [o["Key"] for o in parsed.get("Contents", ())]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--references", type=int, default=1000)
    parser.add_argument("--versioned", action="store_true", help="fast endpoint only")
    parser.add_argument("--profile", type=Path, help="cProfile stats of the fast inventory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        _setup(Path(tmp))
        texts = _references(args.references, args.objects)
        fast = [str(Path("benchmarks") / "s3_pages.py"), str(args.objects)]
        with _serving(fast + (["--versioned"] if args.versioned else [])) as endpoint:
            figures = _fast(endpoint, args.objects, texts, args.profile)
        with _serving(["tests.s3_populated", str(args.objects)]) as endpoint:
            figures.update(_moto(endpoint, args.objects, texts))
    print(
        f"RESULT objects_per_second={figures['inventory']:.0f} "
        f"listing_objects_per_second={figures['listing']:.0f} "
        f"moto_objects_per_second={figures['moto']:.0f} "
        f"moto_inventory_objects_per_second={figures['moto_inventory']:.0f} "
        f"client_parse_objects_per_second={figures['client_parse']:.0f} "
        f"grouping_matching_objects_per_second={figures['grouping']:.0f} "
        f"store_match_reconcile_objects_per_second={figures['storing']:.0f} "
        f"peak_mb={figures['peak_mb']:.0f}"
    )


def _store(endpoint: str, name: str, texts: list[str]):
    """A store of a team of its own whose one repository's latest scan holds ``texts``."""
    from django.utils import timezone

    from inventory.models import Team
    from scanning.artifacts import references
    from scanning.models import Evidence, ScanRun, ScanStatus
    from tests import factories

    team = Team.objects.create(name=name, slug=name)
    repository = factories.repository(team)
    scan = ScanRun.objects.create(
        repository=repository, status=ScanStatus.SUCCEEDED, finished_at=timezone.now()
    )
    Evidence.objects.bulk_create(
        Evidence(scan_run=scan, name=t[:200], kind=references.KIND, path="deploy/app.yaml",
                 line=n + 1, mode="serving", detail=t)
        for n, t in enumerate(texts)
    )  # fmt: skip
    return factories.artifact_store(
        repository, bucket=BUCKET, endpoint_url=endpoint, credentials=("AKIABENCH", "bench"),
        name=name,
    )  # fmt: skip


def _inventory(store, objects: int, profile: Path | None = None) -> tuple[float, object]:
    from decisions.models import DecisionRecord
    from decisions.services import artifacts

    run_id = artifacts.inventory_request(store=store).pk
    profiler = cProfile.Profile() if profile is not None else None
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    run = artifacts.store_inventory(run_id=run_id)
    if profiler is not None:
        profiler.disable()
    seconds = time.perf_counter() - started
    if profiler is not None:
        profiler.dump_stats(profile)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
    assert run.status == "succeeded", run.error
    assert run.objects_seen == objects, run.objects_seen
    assert DecisionRecord.objects.filter(repository=store.records_repository).exists()
    return seconds, run


def _fast(endpoint: str, objects: int, texts: list[str], profile: Path | None) -> dict:
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from decisions.models import DecisionRecord
    from decisions.services import artifacts
    from scanning.artifacts import layout, listing, matching, references

    settings.DEBTBOARD_ALLOW_PRIVATE_HOSTS = True
    settings.DEBTBOARD_ARTIFACT_MIN_AGE_DAYS = 0
    store = _store(endpoint, "fast", texts)
    access = artifacts.artifact_services.store_access(store)
    listing.s3_client(access).list_objects_v2(Bucket=BUCKET, MaxKeys=1)  # load boto3's models
    started = time.perf_counter()
    listed = listing.list_s3(access, max_objects=objects + 1)
    listing_seconds = time.perf_counter() - started
    assert len(listed.objects) == objects, len(listed.objects)

    parsed = [references.parse(t, path="deploy/app.yaml", line=1, mode="serving") for t in texts]
    started = time.perf_counter()
    grouping = layout.group(listed.objects)
    space = matching.StoreSpace(bucket=BUCKET)
    found = matching.match(grouping.versions, parsed, space)
    verdicts = matching.judge(grouping.versions, found, now=timezone.now(), min_age_days=0)
    grouping_seconds = time.perf_counter() - started

    # The same objects stored, matched and reconciled without listing, by a store of a team
    # of its own, so all of its records are new too.
    other = _store(endpoint, "no-listing", texts)
    pending = artifacts.inventory_request(store=other)
    claimed = artifacts.artifact_services.inventory_run_claim(run_id=pending.pk)
    started = time.perf_counter()
    with transaction.atomic():
        evaluation = artifacts.artifact_services.inventory_run_store(run=claimed, listed=listed)
        artifacts.artifact_records_reconcile(store=other, evaluation=evaluation)
    storing_seconds = time.perf_counter() - started
    del listed, evaluation

    inventory_seconds, run = _inventory(store, objects, profile)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    candidates = sum(v.is_candidate for v in verdicts)
    records = DecisionRecord.objects.filter(repository=store.records_repository).count()
    print(f"objects {objects}, pages {run.pages}, versioned {run.versioned}, "
          f"versions {len(grouping.versions)}, references {len(texts)} pinning {len(found)} "
          f"versions, candidates {candidates}, records {records}")  # fmt: skip
    print("fast endpoint (benchmarks/s3_pages.py):")
    print(f"  listing (boto3 over HTTP): {listing_seconds:.2f} s")
    print(f"  grouping+matching (in memory): {grouping_seconds:.3f} s")
    print(f"  store+match+reconcile of the listed objects (no listing): {storing_seconds:.2f} s")
    print(f"  whole inventory (list, store, match, reconcile): {inventory_seconds:.2f} s")
    return {
        "inventory": objects / inventory_seconds,
        "listing": objects / listing_seconds,
        "grouping": objects / grouping_seconds,
        "storing": objects / storing_seconds,
        "peak_mb": peak_mb,
    }


def _moto(endpoint: str, objects: int, texts: list[str]) -> dict:
    store = _store(endpoint, "moto", texts)
    inventory_seconds, _ = _inventory(store, objects)
    started = time.perf_counter()
    raw_pages = _raw_listing(endpoint)
    moto_seconds = time.perf_counter() - started
    client_seconds = _client_seconds(raw_pages)
    print("moto's server (tests/s3_populated.py):")
    print(f"  moto alone (plain HTTP GETs of the {len(raw_pages)} pages): {moto_seconds:.2f} s")
    print(f"  client alone (botocore parsing those pages, no network): {client_seconds:.2f} s")
    print(f"  whole inventory (list, store, match, reconcile): {inventory_seconds:.2f} s")
    return {
        "moto_inventory": objects / inventory_seconds,
        "moto": objects / moto_seconds,
        "client_parse": objects / client_seconds,
    }


if __name__ == "__main__":
    main()
