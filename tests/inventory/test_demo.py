"""The demo organisation shows a team lead every shape of record the record page has."""

from __future__ import annotations

from decisions import services
from decisions.models import DecisionRecord
from inventory import demo
from scanning import services as scanning_services


def test_the_demo_scans_to_an_unused_a_missing_a_vulnerable_and_a_weight_file_record(db, tmp_path):
    from django.core.management import call_command

    call_command("sync_advisories", str(demo.DEMO_ADVISORIES), verbosity=0)
    for repository in demo.create_demo_organisation(tmp_path):
        run, _ = scanning_services.scan_run_create(repository=repository)
        services.repository_scan(repository_id=repository.pk, scan_run_id=run.pk)
    kinds = set(DecisionRecord.objects.values_list("kind", flat=True))
    assert {"unused", "missing", "vulnerable", "weight-file"} <= kinds
    # The record page's first example: a vulnerable package nothing imports, one card.
    redis = DecisionRecord.objects.filter(repository__name="notify-worker", subject="redis")
    assert {"unused", "vulnerable"} <= set(redis.values_list("kind", flat=True))
    weight = DecisionRecord.objects.get(kind="weight-file")
    assert weight.repository.name == "ml-pipeline" and weight.subject.endswith(".pt")


def test_writing_the_demo_twice_keeps_one_commit_of_the_weight_file(db, tmp_path):
    demo.create_demo_organisation(tmp_path)
    demo.create_demo_organisation(tmp_path)
    weights = [p for p in (tmp_path / "ml-pipeline").rglob("*.pt")]
    assert len(weights) == 1 and weights[0].stat().st_size > 10 * 1024 * 1024
