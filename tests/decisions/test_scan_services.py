from __future__ import annotations

import datetime

import pytest

from decisions import services
from decisions.models import DecisionEvent, DecisionRecord, Notification, State
from decisions.services import scans
from inventory.models import Manifest, Package
from scanning import services as scanning_services
from scanning.models import Evidence, ScanRun, ScanStatus
from tests import factories


@pytest.fixture
def repo_on_disk(tmp_path, team):
    path = factories.git_repository(
        tmp_path / "app",
        {
            "requirements.txt": "requests>=2.31\npandas==2.1.0\n",
            "app/__init__.py": "",
            "app/main.py": "import requests\nimport boto3\n",
        },
    )
    return factories.repository(team, location=str(path))


def _scan(repository):
    run, _ = scanning_services.scan_run_create(repository=repository)
    return services.repository_scan(repository_id=repository.pk, scan_run_id=run.pk)


def test_scan_stores_manifests_evidence_and_records(repo_on_disk):
    run = _scan(repo_on_disk)
    assert run.status == ScanStatus.SUCCEEDED
    assert len(run.commit) == 40
    assert Manifest.objects.filter(repository=repo_on_disk, path="requirements.txt").exists()
    assert Evidence.objects.filter(scan_run=run, name="boto3", path="app/main.py").exists()
    candidates = set(DecisionRecord.objects.values_list("kind", "subject"))
    assert candidates == {
        ("unused", "pandas"),
        ("missing", "boto3"),
        ("unpinned", "requests"),
        ("no-lock", "(repository)"),
    }
    assert all(r.state == State.NEW for r in DecisionRecord.objects.all())
    repo_on_disk.refresh_from_db()
    assert repo_on_disk.last_scanned_commit == run.commit


def test_the_repository_known_first_party_names_are_not_missing(repo_on_disk):
    repo_on_disk.known_first_party = ["boto3"]
    repo_on_disk.save()
    _scan(repo_on_disk)
    candidates = set(DecisionRecord.objects.values_list("kind", "subject"))
    assert ("missing", "boto3") not in candidates
    assert ("unused", "pandas") in candidates


def test_running_the_same_scan_twice_changes_nothing(repo_on_disk):
    run = _scan(repo_on_disk)
    counts = (
        DecisionRecord.objects.count(),
        Evidence.objects.count(),
        DecisionEvent.objects.count(),
    )
    assert services.repository_scan(repository_id=repo_on_disk.pk, scan_run_id=run.pk) is None
    after = (
        DecisionRecord.objects.count(),
        Evidence.objects.count(),
        DecisionEvent.objects.count(),
    )
    assert after == counts


def test_failed_scan_keeps_previous_results_and_records_the_error(repo_on_disk, monkeypatch):
    first = _scan(repo_on_disk)
    before = set(DecisionRecord.objects.values_list("kind", "subject", "state"))
    manifests_before = list(Manifest.objects.values_list("pk", flat=True))

    def explode(**kwargs):
        raise RuntimeError("database went away while reconciling")

    monkeypatch.setattr(scans, "records_reconcile", explode)
    with open(repo_on_disk.location + "/requirements.txt", "w") as fh:
        fh.write("flask\n")
    failed = _scan(repo_on_disk)

    assert failed.status == ScanStatus.FAILED
    assert "database went away" in failed.error
    assert set(DecisionRecord.objects.values_list("kind", "subject", "state")) == before
    assert list(Manifest.objects.values_list("pk", flat=True)) == manifests_before
    assert not Evidence.objects.filter(scan_run=failed).exists()
    assert Evidence.objects.filter(scan_run=first).exists()


def test_unreadable_location_fails_the_run_with_a_message(team, tmp_path):
    repository = factories.repository(team, location=str(tmp_path / "does-not-exist"))
    run = _scan(repository)
    assert run.status == ScanStatus.FAILED
    assert "is not a directory" in run.error


def test_finding_gone_closes_new_record_and_coming_back_reopens_it(repo_on_disk):
    _scan(repo_on_disk)
    requirements = repo_on_disk.location + "/requirements.txt"
    with open(requirements, "w") as fh:
        fh.write("requests==2.31.0\nboto3\n")
    _scan(repo_on_disk)
    pandas = DecisionRecord.objects.get(subject="pandas", kind="unused")
    assert pandas.state == State.DONE
    with open(requirements, "w") as fh:
        fh.write("requests==2.31.0\nboto3\npandas\n")
    _scan(repo_on_disk)
    pandas.refresh_from_db()
    assert pandas.state == State.REOPENED
    assert pandas.events.filter(new_value=State.REOPENED).exists()


def test_a_second_request_reuses_the_queued_run(repository):
    first = services.scan_request(repository=repository)
    second = services.scan_request(repository=repository)
    assert first.pk == second.pk
    assert ScanRun.objects.filter(repository=repository).count() == 1


def test_due_repositories_are_queued_once(team, django_capture_on_commit_callbacks, monkeypatch):
    from decisions import tasks

    sent = []
    monkeypatch.setattr(tasks.scan_repository_task, "delay", lambda *a, **k: sent.append((a, k)))
    active = factories.repository(team)
    factories.repository(team, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.scan_due_repositories_task() == 1
    with django_capture_on_commit_callbacks(execute=True):
        tasks.scan_due_repositories_task()
    assert [a[0][0] for a in sent] == [active.pk]


def _write(repository, text):
    with open(repository.location + "/requirements.txt", "w") as fh:
        fh.write(text)


def test_removal_reaches_done_only_after_window_and_a_confirming_scan(repo_on_disk, team):
    owner = factories.member(team, "owner")
    _scan(repo_on_disk)
    pandas = DecisionRecord.objects.get(subject="pandas", kind="unused")
    pandas.state = State.IN_REVIEW_WINDOW
    pandas.owner = owner
    pandas.review_window_end = datetime.date.today() + datetime.timedelta(days=10)
    pandas.save()
    _write(repo_on_disk, "requests==2.31.0\nboto3\n")
    _scan(repo_on_disk)
    pandas.refresh_from_db()
    assert pandas.state == State.IN_REVIEW_WINDOW  # gone, but the window is still open

    pandas.review_window_end = datetime.date.today()
    pandas.save()
    _scan(repo_on_disk)
    pandas.refresh_from_db()
    assert pandas.state == State.DONE


def test_watch_signal_reopens_and_notifies_when_a_removed_package_returns(repo_on_disk, team):
    owner = factories.member(team, "owner")
    _scan(repo_on_disk)
    pandas = DecisionRecord.objects.get(subject="pandas", kind="unused")
    pandas.state = State.DONE
    pandas.owner = owner
    pandas.save()
    _write(repo_on_disk, "requests==2.31.0\nboto3\n")
    _scan(repo_on_disk)
    # Now pandas is used (imported) again, so it is not "unused" but it is back.
    with open(repo_on_disk.location + "/app/extra.py", "w") as fh:
        fh.write("import pandas\n")
    _write(repo_on_disk, "requests==2.31.0\nboto3\npandas\n")
    _scan(repo_on_disk)
    pandas.refresh_from_db()
    assert pandas.state == State.REOPENED
    assert Notification.objects.filter(user=owner, kind=Notification.Kind.WATCH_SIGNAL).exists()
    assert pandas.events.filter(comment__startswith="Watch signal").exists()


def test_a_kept_record_comes_back_after_its_review_date(repo_on_disk):
    _scan(repo_on_disk)
    pandas = DecisionRecord.objects.get(subject="pandas", kind="unused")
    pandas.state = State.KEPT
    pandas.review_date = datetime.date.today() + datetime.timedelta(days=30)
    pandas.save()
    _scan(repo_on_disk)
    pandas.refresh_from_db()
    assert pandas.state == State.KEPT  # still within its review date

    pandas.review_date = datetime.date.today()
    pandas.save()
    _scan(repo_on_disk)
    pandas.refresh_from_db()
    assert pandas.state == State.REOPENED
    assert pandas.events.filter(comment__contains="review date has passed").exists()


def test_new_candidates_start_with_scores_by_kind(repo_on_disk):
    _scan(repo_on_disk)
    missing = DecisionRecord.objects.get(kind="missing", subject="boto3")
    unpinned = DecisionRecord.objects.get(kind="unpinned", subject="requests")
    assert missing.priority_score > unpinned.priority_score
    ordered = list(
        DecisionRecord.objects.order_by("-priority_score").values_list("kind", flat=True)
    )
    assert ordered[0] == "missing"


def test_a_changed_severity_is_written_to_the_history(repository):
    from scanning.types import Finding

    def reconcile(severity: str) -> None:
        run = ScanRun.objects.create(repository=repository, status=ScanStatus.SUCCEEDED)
        finding = Finding("vulnerable", "django", "PYSEC-1 affects django", severity=severity)
        scans.records_reconcile(scan_run=run, findings=[finding])

    reconcile("medium")
    reconcile("medium")
    reconcile("critical")
    record = DecisionRecord.objects.get(subject="django")
    assert record.severity == "critical"
    events = DecisionEvent.objects.filter(record=record, field="severity")
    assert list(events.values_list("old_value", "new_value")) == [("medium", "critical")]


def _chrono_repository(team, root, name):
    """A repository declaring a package whose import name only the package index knows."""
    path = factories.git_repository(
        root / name,
        {
            "requirements.txt": "chrono-parse-toolkit==2.0\n",
            "app/__init__.py": "",
            "app/main.py": "import chronoparse\n",
        },
    )
    return factories.repository(team, location=str(path))


def test_index_lookup_runs_once_per_distribution_across_repositories(package_index, team, tmp_path):
    from tests.package_index import wheel

    body = wheel("chrono-parse-toolkit", "2.0", {"chronoparse/__init__.py": ""})
    package_index.add("chrono-parse-toolkit", {"chrono_parse_toolkit-2.0-py3-none-any.whl": body})
    first = _chrono_repository(team, tmp_path, "first")
    second = _chrono_repository(team, tmp_path, "second")

    runs = [_scan(first), _scan(first), _scan(second)]

    assert all(run.status == ScanStatus.SUCCEEDED for run in runs)
    wheel_reads = [path for path, asked in package_index.requests if asked.startswith("bytes=-")]
    assert wheel_reads == ["/files/chrono_parse_toolkit-2.0-py3-none-any.whl"]
    kinds = set(DecisionRecord.objects.values_list("kind", "subject"))
    assert ("unused", "chrono-parse-toolkit") not in kinds
    assert ("missing", "chronoparse") not in kinds
    evidence = Evidence.objects.filter(scan_run=runs[-1], name="chronoparse").get()
    assert evidence.package.name == "chrono-parse-toolkit"
    assert runs[-1].audit["import_names"]["sources"] == {"index": 1}


def test_failed_index_lookup_leaves_the_scan_complete_with_the_reason(
    package_index, team, tmp_path
):
    repository = _chrono_repository(team, tmp_path, "app")  # the index has no such project

    run = _scan(repository)

    assert run.status == ScanStatus.SUCCEEDED
    [problem] = run.audit["import_names"]["problems"]
    assert problem["name"] == "chrono-parse-toolkit"
    assert "HTTP 404" in problem["reason"]
    package = Package.objects.get(name="chrono-parse-toolkit")
    assert "HTTP 404" in package.import_names_error
    # Unknown names beside an unmapped import: one question, not a confident pair.
    record = DecisionRecord.objects.get(kind="unverified-mapping", subject="chrono-parse-toolkit")
    assert "HTTP 404" in record.summary
    assert "chronoparse" in record.summary
    assert not DecisionRecord.objects.filter(kind__in=["unused", "missing"]).exists()


def test_unreachable_index_leaves_the_scan_complete_and_caches_nothing(
    package_index, team, tmp_path, settings
):
    settings.DEBTBOARD_PACKAGE_INDEX_TIMEOUT_SECONDS = 0.2
    package_index.delay_seconds = 1.0
    repository = _chrono_repository(team, tmp_path, "app")

    run = _scan(repository)

    assert run.status == ScanStatus.SUCCEEDED
    [problem] = run.audit["import_names"]["problems"]
    assert "unreachable" in problem["reason"]
    assert Package.objects.get(name="chrono-parse-toolkit").import_names_checked_at is None


def _configured_repository(team, tmp_path, settings: str):
    pyproject = (
        '[project]\nname = "app"\nversion = "1"\ndependencies = ["requests==2.31", "pandas==2.1"]\n'
        + settings
    )
    path = factories.git_repository(
        tmp_path / "configured",
        {"pyproject.toml": pyproject, "app/__init__.py": "", "app/main.py": "import requests\n"},
    )
    return factories.repository(team, location=str(path))


def test_a_finding_the_repository_configuration_silences_is_kept_with_that_reason(team, tmp_path):
    settings = '\n[tool.deptry.per_rule_ignores]\nDEP002 = ["pandas"]\n'
    repository = _configured_repository(team, tmp_path, settings)
    _scan(repository)
    pandas = DecisionRecord.objects.get(subject="pandas", kind="unused")
    assert pandas.state == State.KEPT
    [event] = pandas.events.filter(field="state")
    assert event.comment == (
        "Kept by repository configuration (pyproject.toml [tool.deptry] per_rule_ignores DEP002)"
    )
    _scan(repository)  # a second scan changes nothing
    pandas.refresh_from_db()
    assert pandas.state == State.KEPT
    assert pandas.events.filter(field="state").count() == 1


def test_a_record_kept_by_configuration_reopens_when_the_setting_goes(team, tmp_path):
    settings = '\n[tool.fawltydeps]\nignore_unused = ["pandas"]\n'
    repository = _configured_repository(team, tmp_path, settings)
    _scan(repository)
    root = tmp_path / "configured"
    text = (root / "pyproject.toml").read_text().replace(settings, "")
    (root / "pyproject.toml").write_text(text)
    _scan(repository)
    pandas = DecisionRecord.objects.get(subject="pandas", kind="unused")
    assert pandas.state == State.REOPENED
    assert pandas.events.filter(comment__contains="no longer keeps it").exists()


def test_a_record_a_person_kept_is_not_reopened_by_the_configuration(repo_on_disk):
    _scan(repo_on_disk)
    pandas = DecisionRecord.objects.get(subject="pandas", kind="unused")
    pandas.state = State.KEPT
    pandas.save()
    _scan(repo_on_disk)
    pandas.refresh_from_db()
    assert pandas.state == State.KEPT


def test_a_repository_that_cannot_be_read_is_one_warning_not_a_traceback(team, tmp_path, caplog):
    repository = factories.repository(team, location=str(tmp_path / "does-not-exist"))
    with caplog.at_level("INFO", logger="decisions"):
        run = _scan(repository)
    assert run.status == ScanStatus.FAILED and "is not a directory" in run.error
    scan_lines = [r for r in caplog.records if f"scan_run={run.pk}" in r.getMessage()]
    assert [(r.levelname, r.exc_info) for r in scan_lines] == [("WARNING", None)]
    assert "is not a directory" in scan_lines[0].getMessage()


def test_an_unexpected_scan_error_keeps_its_traceback(repo_on_disk, monkeypatch, caplog):
    def explode(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(scans, "records_reconcile", explode)
    with caplog.at_level("INFO", logger="decisions"):
        run = _scan(repo_on_disk)
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert run.status == ScanStatus.FAILED and errors and errors[0].exc_info
