"""Inventory of an S3 bucket of 100,000 objects (moto's server over HTTP), matched against
1,000 references.

    .venv/bin/python benchmarks/artifact_bench.py [--objects 100000] [--references 1000]

moto's server runs in its own process (tests/s3_populated.py fills the bucket inside
it before serving, so filling is not measured and its memory is not ours). Figures:

- listing: ``scanning.artifacts.listing.list_s3`` alone — boto3 paging through moto;
- grouping+matching: layout grouping, newest versions, reference matching and the verdicts, in
  memory, on the listed objects;
- store+match+reconcile: the listed objects stored, judged and turned into records (a second
  store, so its records are all new), no listing;
- inventory: the whole task path (``decisions.services.artifacts.store_inventory``: listing,
  storing objects and versions in a throwaway SQLite database, matching against the
  references stored as scan evidence, reconciling records).

``peak_mb`` is this process's peak resident memory (ru_maxrss) after those. Then moto alone
(plain GETs of every page) and botocore alone (parsing those pages) are timed apart, to show
which side of the listing is slow. Last line:

    RESULT objects_per_second=… listing_objects_per_second=… moto_objects_per_second=…
           client_parse_objects_per_second=… grouping_matching_objects_per_second=…
           store_match_reconcile_objects_per_second=… peak_mb=…   (one line)

``objects_per_second`` is the whole inventory's. Targets: ≥ 5,000 objects/s, < 300 MB.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
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


def _start_moto(objects: int) -> tuple[subprocess.Popen, str]:
    from tests.s3_server import free_port

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.s3_populated", str(port), BUCKET, str(objects)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    if process.stdout.readline().strip() != "ready":
        raise SystemExit("moto server did not start")
    return process, f"http://127.0.0.1:{port}"


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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        _setup(Path(tmp))
        process, endpoint = _start_moto(args.objects)
        try:
            _run(endpoint, args.objects, args.references)
        finally:
            process.stdin.close()
            process.wait(timeout=30)


def _run(endpoint: str, objects: int, reference_count: int) -> None:
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from decisions.models import DecisionRecord
    from decisions.services import artifacts
    from inventory.models import Team
    from scanning.artifacts import layout, listing, matching, references
    from scanning.models import Evidence, ScanRun, ScanStatus
    from tests import factories

    settings.DEBTBOARD_ALLOW_PRIVATE_HOSTS = True
    settings.DEBTBOARD_ARTIFACT_MIN_AGE_DAYS = 0
    texts = _references(reference_count, objects)
    team = Team.objects.create(name="Bench", slug="bench")
    repository = factories.repository(team)
    scan = ScanRun.objects.create(
        repository=repository, status=ScanStatus.SUCCEEDED, finished_at=timezone.now()
    )
    Evidence.objects.bulk_create(
        Evidence(scan_run=scan, name=t[:200], kind=references.KIND, path="deploy/app.yaml",
                 line=n + 1, mode="serving", detail=t)
        for n, t in enumerate(texts)
    )  # fmt: skip
    store = factories.artifact_store(
        repository, bucket=BUCKET, endpoint_url=endpoint, credentials=("AKIABENCH", "bench")
    )

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

    # The same objects stored, matched and reconciled without listing: a second store of the
    # team whose records hang on another repository, so all of its records are new too.
    other = factories.artifact_store(
        factories.repository(team), bucket=BUCKET, endpoint_url=endpoint, name="no-listing"
    )
    ScanRun.objects.create(
        repository=other.records_repository, status=ScanStatus.SUCCEEDED, finished_at=timezone.now()
    )
    pending = artifacts.inventory_request(store=other)
    claimed = artifacts.artifact_services.inventory_run_claim(run_id=pending.pk)
    started = time.perf_counter()
    with transaction.atomic():
        evaluation = artifacts.artifact_services.inventory_run_store(run=claimed, listed=listed)
        artifacts.artifact_records_reconcile(store=other, evaluation=evaluation)
    storing_seconds = time.perf_counter() - started
    del listed, evaluation

    started = time.perf_counter()
    run = artifacts.store_inventory(run_id=artifacts.inventory_request(store=store).pk)
    inventory_seconds = time.perf_counter() - started
    assert run.status == "succeeded", run.error
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # Last, so the raw pages held here do not count in the peak above.
    started = time.perf_counter()
    raw_pages = _raw_listing(endpoint)
    moto_seconds = time.perf_counter() - started
    client_seconds = _client_seconds(raw_pages)

    candidates = sum(v.is_candidate for v in verdicts)
    print(f"objects {objects}, pages {run.pages}, versions {len(grouping.versions)}, "
          f"references {len(texts)} pinning {len(found)} versions, candidates {candidates}, "
          f"records {DecisionRecord.objects.count()}")  # fmt: skip
    print(f"moto alone (plain HTTP GETs of the {len(raw_pages)} pages): {moto_seconds:.2f} s")
    print(f"client alone (botocore parsing those pages, no network): {client_seconds:.2f} s")
    print(f"listing (boto3 through moto): {listing_seconds:.2f} s")
    print(f"grouping+matching (in memory): {grouping_seconds:.3f} s")
    print(f"store+match+reconcile of the listed objects (no listing): {storing_seconds:.2f} s")
    print(f"whole inventory (list, store, match, reconcile): {inventory_seconds:.2f} s")
    print(
        f"RESULT objects_per_second={objects / inventory_seconds:.0f} "
        f"listing_objects_per_second={objects / listing_seconds:.0f} "
        f"moto_objects_per_second={objects / moto_seconds:.0f} "
        f"client_parse_objects_per_second={objects / client_seconds:.0f} "
        f"grouping_matching_objects_per_second={objects / grouping_seconds:.0f} "
        f"store_match_reconcile_objects_per_second={objects / storing_seconds:.0f} "
        f"peak_mb={peak_mb:.0f}"
    )


if __name__ == "__main__":
    main()
