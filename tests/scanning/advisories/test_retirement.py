"""Advisories deleted from their source are retired after a complete read, and only then."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command

from scanning.advisories import download, retirement, sources, store
from scanning.models import Advisory, AdvisorySync
from tests.scanning.advisories.support import OSV_FIXTURE, PYPA_FIXTURE

pytestmark = pytest.mark.django_db

DJANGO = Path("vulns/django/PYSEC-2023-100.yaml")
REQUESTS = Path("vulns/requests/PYSEC-2023-74.yaml")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    target = tmp_path / "db"
    shutil.copytree(PYPA_FIXTURE, target)
    store.advisories_sync(source=str(target))
    return target


def _matches(name: str, version: str) -> set[str]:
    index = store.index_from_database(names={name})
    return {m.advisory.id for m in index.match(name, version)}


def _retired() -> set[str]:
    return set(Advisory.objects.filter(retired_at__isnull=False).values_list("osv_id", flat=True))


def test_an_advisory_deleted_from_the_folder_is_retired_and_stops_matching(tree):
    assert "PYSEC-2023-100" in _matches("django", "3.2.0")
    (tree / DJANGO).unlink()

    sync = store.advisories_sync(source=str(tree))  # incremental: the others are skipped

    assert (sync.removed, sync.unchanged, sync.removal_note) == (1, 5, "")
    assert _retired() == {"PYSEC-2023-100"}
    row = Advisory.objects.get(osv_id="PYSEC-2023-100")
    assert row.retired_reason == f"no longer in {tree}"
    assert row.withdrawn is None  # the record never said so: kept apart from OSV's field
    assert _matches("django", "3.2.0") == set()
    assert "PYSEC-2023-74" in _matches("requests", "2.30.0")


def test_a_deleted_record_that_comes_back_unchanged_is_restored(tree):
    saved = (tree / DJANGO).read_bytes()
    (tree / DJANGO).unlink()
    store.advisories_sync(source=str(tree))
    (tree / DJANGO).write_bytes(saved)

    sync = store.advisories_sync(source=str(tree))

    assert (sync.restored, sync.removed) == (1, 0)
    assert _retired() == set()
    assert "PYSEC-2023-100" in _matches("django", "3.2.0")


def test_a_file_that_cannot_be_read_keeps_the_advisory_it_may_hold(tree):
    (tree / DJANGO).write_text("id: PYSEC-2023-100\nmodified: 2031-01-01T00:00:00Z\nx: [\n")
    (tree / REQUESTS).unlink()

    sync = store.advisories_sync(source=str(tree))

    assert sync.malformed == 1
    assert sync.removed == 1  # the rest of the read was complete
    assert _retired() == {"PYSEC-2023-74"}
    assert sync.removal_note == "1 kept: may be in a file that could not be read"
    assert "PYSEC-2023-100" in _matches("django", "3.2.0")


def test_an_unreadable_file_named_after_a_record_protects_that_record_wherever_it_was(tree):
    moved = tree / "vulns" / "web" / "PYSEC-2023-100.yaml"
    moved.parent.mkdir()
    (tree / DJANGO).rename(moved)
    moved.write_text("modified: 2031-01-01T00:00:00Z\nnot: [valid\n")

    sync = store.advisories_sync(source=str(tree))

    assert (sync.malformed, sync.removed) == (1, 0)
    assert _retired() == set()


def test_an_unreadable_file_not_named_after_an_id_retires_nothing(tree):
    (tree / "vulns" / "django" / "notes.yaml").write_text("not: [valid\n")
    (tree / REQUESTS).unlink()

    sync = store.advisories_sync(source=str(tree))

    assert sync.removed == 0
    assert sync.removal_note == "nothing retired: 1 unreadable file(s) not named after an id"
    assert _retired() == set()


def test_a_folder_that_cannot_be_listed_retires_nothing(tree, monkeypatch):
    real_walk = os.walk

    def walk_without_django(root, onerror=None):
        for directory, subdirs, files in real_walk(root):
            if "django" in subdirs:
                onerror(PermissionError(13, "Permission denied", str(Path(directory, "django"))))
                subdirs.remove("django")
            yield directory, subdirs, files

    monkeypatch.setattr(sources.os, "walk", walk_without_django)

    sync = store.advisories_sync(source=str(tree))

    assert sync.removed == 0
    assert sync.removal_note.startswith("nothing retired: ")
    assert sync.removal_note.endswith("vulns/django could not be listed")
    assert _retired() == set()


def test_a_read_that_fails_part_way_retires_nothing(tree, monkeypatch):
    (tree / REQUESTS).unlink()

    def broken(location, *, report, since=None):
        yield from ()
        raise OSError("disk went away")

    monkeypatch.setattr(sources, "read_source", broken)

    with pytest.raises(OSError, match="disk went away"):
        store.advisories_sync(source=str(tree))

    assert AdvisorySync.objects.order_by("-pk").first().status == AdvisorySync.Status.FAILED
    assert _retired() == set()


def test_many_deletions_at_once_are_held_back_unless_allowed(tree, monkeypatch, capsys):
    monkeypatch.setattr(retirement, "RETIRE_FLOOR", 1)
    (tree / DJANGO).unlink()
    (tree / REQUESTS).unlink()

    call_command("sync_advisories", str(tree))
    held = AdvisorySync.objects.order_by("-pk").first()
    call_command("sync_advisories", str(tree), "--allow-mass-retire")
    allowed = AdvisorySync.objects.order_by("-pk").first()

    assert held.removed == 0
    assert held.removal_note.startswith("2 of 5 are no longer in the source")  # 1 withdrawn
    assert "--allow-mass-retire" in capsys.readouterr().err
    assert allowed.removed == 2
    assert _retired() == {"PYSEC-2023-100", "PYSEC-2023-74"}


def test_a_record_removed_from_a_zip_export_is_retired(tmp_path):
    archive = tmp_path / "all.zip"
    records = sorted(OSV_FIXTURE.glob("*.json"))
    with zipfile.ZipFile(archive, "w") as bundle:
        for record in records:
            bundle.write(record, record.name)
    store.advisories_sync(source=str(archive))
    with zipfile.ZipFile(archive, "w") as bundle:
        for record in records:
            if record.stem != "GHSA-jh3w-4vvf-mjgr":
                bundle.write(record, record.name)

    sync = store.advisories_sync(source=str(archive))

    assert sync.removed == 1
    assert _retired() == {"GHSA-jh3w-4vvf-mjgr"}


def test_another_source_s_advisories_are_not_its_to_retire(tree, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(OSV_FIXTURE / "GHSA-jh3w-4vvf-mjgr.json", other)
    store.advisories_sync(source=str(other))
    (other / "GHSA-jh3w-4vvf-mjgr.json").unlink()

    store.advisories_sync(source=str(tree))  # does not hold the GHSA record
    sync = store.advisories_sync(source=str(other))

    assert sync.removed == 1
    assert _retired() == {"GHSA-jh3w-4vvf-mjgr"}


def test_a_record_dropped_by_one_source_and_held_by_another_moves_to_it(tree, tmp_path):
    other = tmp_path / "other"
    (other / "django").mkdir(parents=True)
    shutil.copy(tree / DJANGO, other / "django")
    (tree / DJANGO).unlink()
    store.advisories_sync(source=str(tree))
    assert _retired() == {"PYSEC-2023-100"}

    back = store.advisories_sync(source=str(other))  # an equal copy: skipped, still restored
    again = store.advisories_sync(source=str(tree))

    assert (back.restored, again.removed) == (1, 0)
    assert Advisory.objects.get(osv_id="PYSEC-2023-100").source.startswith(str(other))
    assert _retired() == set()


def test_a_record_removed_from_an_export_at_a_url_is_retired(monkeypatch, tmp_path):
    served = tmp_path / "served.zip"
    real = download.downloaded
    monkeypatch.setattr(
        download, "downloaded", lambda url, **kw: real(url, **kw, opener=_FileOpener(served))
    )
    url = "https://advisories.example/all.zip"
    with zipfile.ZipFile(served, "w") as bundle:
        bundle.write(OSV_FIXTURE / "GHSA-jh3w-4vvf-mjgr.json", "GHSA-jh3w-4vvf-mjgr.json")
        bundle.write(OSV_FIXTURE / "GHSA-h5c8-rqwp-cp95.json", "GHSA-h5c8-rqwp-cp95.json")
    store.advisories_sync(source=url)
    with zipfile.ZipFile(served, "w") as bundle:
        bundle.write(OSV_FIXTURE / "GHSA-h5c8-rqwp-cp95.json", "GHSA-h5c8-rqwp-cp95.json")

    sync = store.advisories_sync(source=url)

    assert sync.removed == 1
    assert (
        Advisory.objects.get(osv_id="GHSA-jh3w-4vvf-mjgr").retired_reason == f"no longer in {url}"
    )
    assert Advisory.objects.get(osv_id="GHSA-h5c8-rqwp-cp95").source == (
        f"{url}!GHSA-h5c8-rqwp-cp95.json"
    )


class _FileOpener:
    """Serves a local file as the body of every https request."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def open(self, request, timeout):
        body = io.BytesIO(self.path.read_bytes())
        body.headers = {"Content-Length": str(self.path.stat().st_size)}
        return body
