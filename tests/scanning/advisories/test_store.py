"""Syncing OSV records into the database: new, updated, withdrawn, malformed, incremental, zip."""

from __future__ import annotations

import io
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command

from scanning import tasks
from scanning.advisories import download, store
from scanning.models import Advisory, AdvisoryPackage, AdvisorySync
from tests.scanning.advisories.support import OSV_FIXTURE, PYPA_FIXTURE

pytestmark = pytest.mark.django_db

DJANGO_RECORD = PYPA_FIXTURE / "vulns" / "django" / "PYSEC-2023-100.yaml"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    target = tmp_path / "db"
    shutil.copytree(PYPA_FIXTURE, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_cold_sync_stores_every_pypi_record_with_packages_and_scores(tree):
    sync = store.advisories_sync(source=str(tree))

    assert sync.status == AdvisorySync.Status.SUCCEEDED
    assert (sync.created, sync.updated, sync.malformed) == (6, 0, 0)
    django = Advisory.objects.get(osv_id="PYSEC-2023-100")
    assert django.aliases == ["CVE-2023-36053"]
    assert django.source.endswith("django/PYSEC-2023-100.yaml")
    row = AdvisoryPackage.objects.get(advisory=django)
    assert row.name == "django"
    assert row.fixed_versions == ["3.2.20", "4.1.10", "4.2.3"]
    assert ["introduced", "3.2"] in row.ranges[0]
    skywalking = Advisory.objects.get(osv_id="PYSEC-2020-342")
    assert skywalking.base_score == 9.8
    assert skywalking.severity_label == "critical"
    assert skywalking.severity_vector.startswith("CVSS:3.1/")


def test_second_sync_of_the_same_source_changes_nothing(tree):
    store.advisories_sync(source=str(tree))
    before = list(Advisory.objects.values_list("osv_id", "modified", "synced_at"))

    again = store.advisories_sync(source=str(tree))
    full = store.advisories_sync(source=str(tree), full=True)

    assert (again.created, again.updated, again.retired, again.unchanged) == (0, 0, 0, 6)
    assert (full.created, full.updated, full.unchanged) == (0, 0, 6)
    assert list(Advisory.objects.values_list("osv_id", "modified", "synced_at")) == before
    assert AdvisoryPackage.objects.count() == 6


def test_newer_record_replaces_the_stored_one_and_its_ranges(tree):
    store.advisories_sync(source=str(tree))
    record = tree / "vulns" / "django" / "PYSEC-2023-100.yaml"
    _edit(record, "modified: 2023-07-11T16:37:11.407533Z", "modified: 2030-01-01T00:00:00Z")
    _edit(record, "fixed: 3.2.20", "fixed: 3.2.21")

    sync = store.advisories_sync(source=str(tree))

    assert (sync.created, sync.updated, sync.unchanged) == (0, 1, 5)
    row = AdvisoryPackage.objects.get(advisory__osv_id="PYSEC-2023-100")
    assert "3.2.21" in row.fixed_versions
    assert AdvisoryPackage.objects.filter(advisory__osv_id="PYSEC-2023-100").count() == 1


def test_withdrawn_record_is_retired_and_left_out_of_the_index(tree):
    store.advisories_sync(source=str(tree))
    record = tree / "vulns" / "django" / "PYSEC-2023-100.yaml"
    _edit(
        record,
        "modified: 2023-07-11T16:37:11.407533Z",
        "modified: 2030-01-01T00:00:00Z\nwithdrawn: 2030-01-01T00:00:00Z",
    )

    sync = store.advisories_sync(source=str(tree))

    assert (sync.updated, sync.retired) == (1, 1)
    assert Advisory.objects.get(osv_id="PYSEC-2023-100").is_withdrawn
    assert store.index_from_database(names=["django"]).match("django", "3.2.0") == []


def test_malformed_file_is_reported_with_its_path_and_the_rest_is_synced(tree, capsys):
    bad = tree / "vulns" / "broken" / "PYSEC-0000-1.yaml"
    bad.parent.mkdir()
    bad.write_text("id: PYSEC-0000-1\naffected: [unclosed\n")

    call_command("sync_advisories", str(tree))

    sync = AdvisorySync.objects.get()
    assert (sync.created, sync.malformed) == (6, 1)
    assert sync.errors[0]["path"] == str(bad)
    captured = capsys.readouterr()
    assert f"malformed: {bad}" in captured.err
    assert "6 new, 0 updated, 1 withdrawn, 0 unchanged, 1 malformed" in captured.out


def test_incremental_sync_reads_only_records_modified_since_the_last_one(tree):
    first = store.advisories_sync(source=str(tree))
    assert first.max_modified is not None
    newest_before = first.max_modified
    _edit(
        tree / "vulns" / "requests" / "PYSEC-2023-74.yaml",
        "affected:",
        "summary: edited without a new modified stamp\naffected:",
    )

    sync = store.advisories_sync(source=str(tree))

    assert sync.since == newest_before
    assert sync.updated == 0  # modified did not move: incremental by design
    assert sync.unchanged == 6


def test_zip_export_syncs_like_a_directory(tmp_path):
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for record in OSV_FIXTURE.glob("*.json"):
            bundle.write(record, record.name)
        bundle.writestr("broken.json", "{not json")

    sync = store.advisories_sync(source=str(archive))

    assert (sync.created, sync.malformed) == (2, 1)  # the npm-only record is not PyPI
    assert Advisory.objects.get(osv_id="GHSA-jh3w-4vvf-mjgr").source.endswith(
        "all.zip!GHSA-jh3w-4vvf-mjgr.json"
    )
    assert AdvisoryPackage.objects.filter(advisory__osv_id="GHSA-jh3w-4vvf-mjgr").count() == 3


def test_unreadable_source_fails_the_sync_and_is_recorded(tmp_path):
    with pytest.raises(Exception, match="not a directory, a zip or a tar"):
        store.advisories_sync(source=str(tmp_path / "missing"))

    assert AdvisorySync.objects.get().status == AdvisorySync.Status.FAILED
    assert store.mirror_unavailable_reason() == "no advisory data has been synced"


class _Response(io.BytesIO):
    def __init__(self, body: bytes, length: int | None = None) -> None:
        super().__init__(body)
        self.headers = {"Content-Length": str(len(body) if length is None else length)}


class _Opener:
    def __init__(self, body: bytes, length: int | None = None) -> None:
        self.body, self.length, self.urls = body, length, []

    def open(self, request, timeout):
        self.urls.append(request.full_url)
        return _Response(self.body, self.length)


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.write(DJANGO_RECORD, "PYSEC-2023-100.yaml")
    return buffer.getvalue()


def test_https_source_is_downloaded_to_a_temporary_file_and_named_by_its_url(monkeypatch):
    opener = _Opener(_zip_bytes())
    real = download.downloaded
    monkeypatch.setattr(download, "downloaded", lambda url, **kw: real(url, **kw, opener=opener))

    sync = store.advisories_sync(source="https://advisories.example/all.zip")

    assert opener.urls == ["https://advisories.example/all.zip"]
    assert sync.created == 1
    assert Advisory.objects.get().source == "https://advisories.example/all.zip!PYSEC-2023-100.yaml"


def test_download_over_the_size_cap_is_refused():
    declared_too_big = _Opener(b"x" * 100)
    lying_about_its_size = _Opener(b"x" * 100, length=0)
    for opener in (declared_too_big, lying_about_its_size):
        with (
            pytest.raises(download.DownloadError, match="cap"),
            download.downloaded("https://a.example/all.zip", max_bytes=10, opener=opener),
        ):
            pass


def test_plain_http_is_refused():
    with (
        pytest.raises(download.DownloadError, match="https"),
        download.downloaded("http://a.example/all.zip"),
    ):
        pass


def test_periodic_task_syncs_the_configured_source_and_is_safe_twice(tree, settings):
    settings.DEBTBOARD_ADVISORY_SOURCE = str(tree)

    first = tasks.sync_advisories_task()
    second = tasks.sync_advisories_task()

    assert first and second
    assert AdvisorySync.objects.get(pk=second).unchanged == 6
    assert Advisory.objects.count() == 6


def test_periodic_task_without_a_source_does_nothing(settings):
    settings.DEBTBOARD_ADVISORY_SOURCE = ""

    assert tasks.sync_advisories_task() is None
    assert not AdvisorySync.objects.exists()


def test_index_from_database_holds_only_the_asked_packages_and_matches(tree):
    store.advisories_sync(source=str(tree))

    index = store.index_from_database(names=["Django"])

    assert index.unavailable_reason is None
    assert [a.id for a in index.advisories_for("django")] == ["PYSEC-2023-100"]
    assert index.advisories_for("requests") == []
    [match] = index.match("django", "3.2.0")
    assert match.fixed_in == "3.2.20"


def test_stale_mirror_makes_the_index_unavailable(tree, settings):
    store.advisories_sync(source=str(tree))
    settings.DEBTBOARD_ADVISORY_MAX_AGE_DAYS = 1
    AdvisorySync.objects.update(finished_at="2000-01-01T00:00:00Z")

    assert "last synced 2000-01-01" in store.index_from_database().unavailable_reason


def _pypa_tar_gz() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as bundle:
        bundle.add(PYPA_FIXTURE, arcname="advisory-database-main")
    return buffer.getvalue()


def test_tar_gz_export_syncs_like_a_directory(tmp_path):
    archive = tmp_path / "advisory-database-main.tar.gz"
    archive.write_bytes(_pypa_tar_gz())

    sync = store.advisories_sync(source=str(archive))
    again = store.advisories_sync(source=str(archive))

    assert (sync.created, sync.malformed, again.unchanged) == (6, 0, 6)
    assert Advisory.objects.get(osv_id="PYSEC-2023-100").source == (
        f"{archive}!advisory-database-main/vulns/django/PYSEC-2023-100.yaml"
    )


def test_https_tar_gz_source_is_downloaded_and_named_by_its_url(monkeypatch):
    opener = _Opener(_pypa_tar_gz())
    real = download.downloaded
    monkeypatch.setattr(download, "downloaded", lambda url, **kw: real(url, **kw, opener=opener))
    url = "https://codeload.example/pypa/advisory-database/tar.gz/refs/heads/main"

    sync = store.advisories_sync(source=url)

    assert (sync.status, sync.created) == (AdvisorySync.Status.SUCCEEDED, 6)
    assert Advisory.objects.get(osv_id="PYSEC-2023-100").source == (
        f"{url}!advisory-database-main/vulns/django/PYSEC-2023-100.yaml"
    )


def test_a_truncated_tar_gz_download_fails_the_sync_and_moves_no_watermark(monkeypatch):
    body = _pypa_tar_gz()
    opener = _Opener(body[: len(body) // 2])
    real = download.downloaded
    monkeypatch.setattr(download, "downloaded", lambda url, **kw: real(url, **kw, opener=opener))

    with pytest.raises(Exception, match="cannot be read to its end"):
        store.advisories_sync(source="https://codeload.example/db.tar.gz")

    failed = AdvisorySync.objects.get()
    assert failed.status == AdvisorySync.Status.FAILED
    assert store._watermark("https://codeload.example/db.tar.gz") is None
