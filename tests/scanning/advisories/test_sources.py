from __future__ import annotations

import io
import json
import shutil
import tarfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scanning.advisories import sources
from tests.scanning.advisories.support import OSV_FIXTURE, PYPA_FIXTURE

GOOD = PYPA_FIXTURE / "vulns" / "jinja2" / "PYSEC-2019-217.yaml"


def read(location: Path, **kwargs: object) -> tuple[dict[str, str], sources.ReadReport]:
    report = sources.ReadReport()
    found = {a.id: path for path, a in sources.read_source(location, report=report, **kwargs)}
    return found, report


def test_pypa_layout_is_read_with_hidden_files_ignored() -> None:
    found, report = read(PYPA_FIXTURE)

    assert set(found) == {
        "PYSEC-2019-217",
        "PYSEC-2023-74",
        "PYSEC-2023-100",
        "PYSEC-2023-73",
        "PYSEC-2022-42969",
        "PYSEC-2020-342",
    }
    assert found["PYSEC-2023-100"] == str(PYPA_FIXTURE / "vulns/django/PYSEC-2023-100.yaml")
    assert report.records_seen == 6
    assert report.errors == []


def test_withdrawn_records_are_yielded_so_the_store_can_retire_them() -> None:
    report = sources.ReadReport()
    withdrawn = [
        a.id for _, a in sources.read_directory(PYPA_FIXTURE, report=report) if a.withdrawn
    ]

    assert withdrawn == ["PYSEC-2023-73"]


def test_malformed_files_are_reported_with_their_path_and_skipped(tmp_path: Path) -> None:
    vulns = tmp_path / "vulns" / "pkg"
    vulns.mkdir(parents=True)
    shutil.copy(GOOD, vulns / "PYSEC-2019-217.yaml")
    (vulns / "bad-syntax.yaml").write_text("id: [unclosed\n")
    (vulns / "no-id.yml").write_text(GOOD.read_text().replace("id: PYSEC-2019-217\n", ""))
    (vulns / "latin1.yaml").write_bytes(b"id: caf\xe9\n")
    (vulns / "truncated.json").write_text('{"id": "PYSEC-1"')
    (vulns / "list.json").write_text("[1, 2]")
    (vulns / "huge.yaml").write_bytes(b"#" * (sources.MAX_RECORD_BYTES + 1))
    (vulns / "notes.txt").write_text("not an advisory")

    found, report = read(tmp_path)

    assert list(found) == ["PYSEC-2019-217"]
    reasons = {Path(e.path).name: e.reason for e in report.errors}
    assert set(reasons) == {
        "bad-syntax.yaml",
        "no-id.yml",
        "latin1.yaml",
        "truncated.json",
        "list.json",
        "huge.yaml",
    }
    assert reasons["bad-syntax.yaml"].startswith("cannot decode")
    assert "'id'" in reasons["no-id.yml"]
    assert "not a mapping" in reasons["list.json"]
    assert "over the" in reasons["huge.yaml"]
    assert all(Path(e.path).parent == vulns for e in report.errors)


def test_incremental_read_skips_records_modified_before_since() -> None:
    since = datetime(2023, 6, 1, tzinfo=UTC)

    found, report = read(PYPA_FIXTURE, since=since)

    assert set(found) == {"PYSEC-2023-74", "PYSEC-2023-100", "PYSEC-2023-73", "PYSEC-2020-342"}
    assert report.unchanged == 2  # jinja2 (2021) and py (2022)


def test_incremental_read_rereads_a_record_modified_exactly_at_since() -> None:
    found, _ = read(PYPA_FIXTURE, since=datetime(2023, 11, 7, 20, 24, 23, 946863, tzinfo=UTC))

    assert set(found) == {"PYSEC-2020-342"}


def test_naive_since_is_taken_as_utc() -> None:
    found, _ = read(PYPA_FIXTURE, since=datetime(2023, 11, 1))

    assert set(found) == {"PYSEC-2020-342"}


def test_since_trusts_the_record_not_a_stale_peek(tmp_path: Path) -> None:
    # A changed record must be read even when its ``modified`` line is written unusually.
    record = GOOD.read_text().replace(
        "modified: '2021-11-22T04:57:52.862665Z'", 'modified:   "2024-01-02T03:04:05Z"  '
    )
    (tmp_path / "PYSEC-2019-217.yaml").write_text(record)

    found, report = read(tmp_path, since=datetime(2023, 1, 1, tzinfo=UTC))

    assert list(found) == ["PYSEC-2019-217"]
    assert report.unchanged == 0


def make_zip(path: Path, members: dict[str, bytes], *, stored: bool = False) -> Path:
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w", compression=method) as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
    return path


def osv_members() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(OSV_FIXTURE.glob("*.json"))}


def test_zip_export_is_streamed_and_other_ecosystems_are_counted(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "all.zip", {**osv_members(), "README.txt": b"hello"})

    found, report = read(archive)

    assert set(found) == {"GHSA-h5c8-rqwp-cp95", "GHSA-jh3w-4vvf-mjgr"}
    assert found["GHSA-h5c8-rqwp-cp95"] == f"{archive}!GHSA-h5c8-rqwp-cp95.json"
    assert report.not_pypi == 1
    assert report.errors == []
    assert list(tmp_path.iterdir()) == [archive]  # nothing extracted


def test_oversize_zip_member_is_reported_without_being_inflated(tmp_path: Path) -> None:
    bomb = b" " * (sources.MAX_RECORD_BYTES + 1)  # compresses to a few kilobytes
    archive = make_zip(tmp_path / "all.zip", {**osv_members(), "BOMB-1.json": bomb})
    assert archive.stat().st_size < 100_000

    found, report = read(archive)

    assert len(found) == 2
    (error,) = report.errors
    assert error.path == f"{archive}!BOMB-1.json"
    assert "over the" in error.reason


def test_zip_member_over_a_custom_cap_is_reported(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "all.zip", {"BIG.json": b"[" + b"0," * 600 + b"0]"})
    report = sources.ReadReport()

    found = list(sources.read_zip(archive, report=report, max_member_bytes=1000))

    assert found == []
    assert "over the 1000-byte cap" in report.errors[0].reason


def test_zip_with_too_many_members_reads_only_the_cap_and_says_so(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "all.zip", osv_members())
    report = sources.ReadReport()

    found = list(sources.read_zip(archive, report=report, max_members=2))

    assert report.records_seen == 2
    assert len(found) == 2  # the npm record sorts last and is cut
    assert "over the cap of 2" in report.errors[0].reason


def test_corrupt_zip_member_is_reported_and_the_rest_read(tmp_path: Path) -> None:
    members = osv_members()
    archive = make_zip(tmp_path / "all.zip", members, stored=True)
    raw = archive.read_bytes()
    marker = b"Use of a Broken or Risky Cryptographic Algorithm"
    archive.write_bytes(raw.replace(marker, marker.upper(), 1))  # CRC no longer matches

    found, report = read(archive)

    assert set(found) == {"GHSA-h5c8-rqwp-cp95", "GHSA-jh3w-4vvf-mjgr"}
    (error,) = report.errors
    assert error.path.endswith("!GHSA-r9p9-mrjm-926w.json")


def test_incremental_read_of_a_zip_uses_the_json_modified_field(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "all.zip", osv_members())

    found, report = read(archive, since=datetime(2024, 1, 1, tzinfo=UTC))

    assert set(found) == {"GHSA-h5c8-rqwp-cp95"}
    assert report.unchanged == 2


def test_a_location_that_is_neither_directory_nor_zip_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "all.zip"
    text.write_text(json.dumps({"id": "x"}))

    with pytest.raises(sources.UnreadableSource):
        read(text)
    with pytest.raises(sources.UnreadableSource):
        read(tmp_path / "missing")


def test_zip_members_in_yaml_are_read_too(tmp_path: Path) -> None:
    buffer = io.BytesIO(GOOD.read_bytes())
    archive = make_zip(tmp_path / "db.zip", {"vulns/jinja2/PYSEC-2019-217.yaml": buffer.read()})

    found, _ = read(archive)

    assert list(found) == ["PYSEC-2019-217"]


def test_the_report_lists_every_record_id_read_skipped_or_not_about_pypi(tmp_path: Path) -> None:
    shutil.copytree(PYPA_FIXTURE, tmp_path / "db")
    shutil.copy(OSV_FIXTURE / "GHSA-r9p9-mrjm-926w.json", tmp_path / "db")  # npm only
    since = datetime(2023, 7, 1, tzinfo=UTC)

    _, everything = read(tmp_path / "db")
    found, incremental = read(tmp_path / "db", since=since)

    assert set(everything.ids) == {
        "PYSEC-2019-217", "PYSEC-2023-74", "PYSEC-2023-100", "PYSEC-2023-73",
        "PYSEC-2022-42969", "PYSEC-2020-342", "GHSA-r9p9-mrjm-926w",
    }  # fmt: skip
    assert incremental.ids == everything.ids  # skipped records are still known to be there
    assert incremental.unchanged > 0 and len(found) < 6
    assert everything.ids["PYSEC-2023-100"] == str(tmp_path / "db/vulns/django/PYSEC-2023-100.yaml")
    assert everything.incomplete == ""


def test_an_old_yaml_record_without_a_plain_id_line_is_parsed_to_learn_its_id(
    tmp_path: Path,
) -> None:
    record = tmp_path / "PYSEC-2019-217.yaml"
    record.write_text(
        GOOD.read_text().replace("id: PYSEC-2019-217\n", "id: >-\n  PYSEC-2019-217\n")
    )

    found, report = read(tmp_path, since=datetime(2030, 1, 1, tzinfo=UTC))

    assert report.ids == {"PYSEC-2019-217": str(record)}
    assert report.unchanged == 1  # known older once parsed, and still skipped
    assert found == {}


def test_a_zip_over_its_member_cap_is_an_incomplete_read(tmp_path: Path) -> None:
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for record in sorted(OSV_FIXTURE.glob("*.json")):
            bundle.write(record, record.name)
    report = sources.ReadReport()

    list(sources.read_zip(archive, report=report, max_members=1))

    assert report.incomplete == f"{archive} has more members than the cap of 1"


def test_record_prefix_starts_every_record_path(tmp_path: Path) -> None:
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.write(OSV_FIXTURE / "GHSA-jh3w-4vvf-mjgr.json", "GHSA-jh3w-4vvf-mjgr.json")

    for location in (PYPA_FIXTURE, archive):
        prefix = sources.record_prefix(location)
        _, report = read(location)
        assert report.ids and all(path.startswith(prefix) for path in report.ids.values())


def _tar_gz(target: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(target, "w:gz") as bundle:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            bundle.addfile(info, io.BytesIO(data) if data is not None else None)
    return target


def _file(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    return tarfile.TarInfo(name), data


def _special(name: str, kind: bytes, linkname: str = "") -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, linkname
    return info, None


def test_a_github_tarball_of_the_pypa_database_reads_like_the_folder(tmp_path: Path) -> None:
    archive = tmp_path / "pypa-advisory-db-main.tar.gz"
    with tarfile.open(archive, "w:gz") as bundle:
        bundle.add(PYPA_FIXTURE, arcname="pypa-advisory-db-main")
        workflow = b"name: ci\non: push\n"
        info = tarfile.TarInfo("pypa-advisory-db-main/.github/workflows/ci.yml")
        info.size = len(workflow)
        bundle.addfile(info, io.BytesIO(workflow))

    found, report = read(archive)
    in_folder, _ = read(PYPA_FIXTURE)

    assert set(found) == set(in_folder)
    assert found["PYSEC-2023-100"] == (
        f"{archive}!pypa-advisory-db-main/vulns/django/PYSEC-2023-100.yaml"
    )
    assert report.errors == []  # the hidden workflow file is skipped, not malformed
    assert sources.record_prefix(archive) == f"{archive}!"


def test_hostile_tar_members_are_reported_and_never_followed(tmp_path: Path) -> None:
    good = GOOD.read_bytes()
    archive = _tar_gz(
        tmp_path / "db.tar.gz",
        [
            _file("db/vulns/jinja2/PYSEC-2019-217.yaml", good),
            _file("../../escape/PYSEC-9999-1.yaml", good),
            _file("/etc/PYSEC-9999-2.yaml", good),
            _file("db/vulns/\x1b[31mPYSEC-9999-3.yaml", good),
            _special("db/vulns/passwd.yaml", tarfile.SYMTYPE, "/etc/passwd"),
            _special("db/vulns/again.yaml", tarfile.LNKTYPE, "db/vulns/jinja2/PYSEC-2019-217.yaml"),
            _special("db/vulns/tty.yaml", tarfile.CHRTYPE),
            _special("db/vulns/pipe.yaml", tarfile.FIFOTYPE),
            _file("db/vulns/huge.yaml", b"#" * (sources.MAX_RECORD_BYTES + 1)),
        ],
    )

    found, report = read(archive)

    assert set(found) == {"PYSEC-2019-217"}
    reasons = {error.path.partition("!")[2]: error.reason for error in report.errors}
    assert reasons == {
        "'../../escape/PYSEC-9999-1.yaml'": "unsafe member name: not read",
        "'/etc/PYSEC-9999-2.yaml'": "unsafe member name: not read",
        "'db/vulns/\\x1b[31mPYSEC-9999-3.yaml'": "unsafe member name: not read",
        "db/vulns/passwd.yaml": "a symbolic link, not a file: not followed",
        "db/vulns/again.yaml": "a hard link, not a file: not followed",
        "db/vulns/tty.yaml": "a device, not a file: not followed",
        "db/vulns/pipe.yaml": "a fifo, not a file: not followed",
        "db/vulns/huge.yaml": sources._too_big(
            sources.MAX_RECORD_BYTES + 1, sources.MAX_RECORD_BYTES
        ),
    }
    assert report.records_seen == 9
    assert not (tmp_path.parent / "escape").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db.tar.gz"]  # nothing extracted


def test_a_tarball_over_its_size_or_member_caps_is_refused_whole(tmp_path: Path) -> None:
    archive = _tar_gz(
        tmp_path / "db.tar.gz",
        [_file("a/PYSEC-2019-217.yaml", GOOD.read_bytes()), _file("b/big.bin", b"0" * 5000)],
    )

    with pytest.raises(sources.UnreadableSource, match="unpacks to over 4096 bytes"):
        list(sources.read_tar(archive, report=sources.ReadReport(), max_total_bytes=4096))
    with pytest.raises(sources.UnreadableSource, match="has over 1 members"):
        list(sources.read_tar(archive, report=sources.ReadReport(), max_members=1))


def test_a_truncated_tarball_is_refused_whole(tmp_path: Path) -> None:
    archive = _tar_gz(
        tmp_path / "db.tar.gz",
        [_file(f"db/PYSEC-2019-{n}.yaml", GOOD.read_bytes() + b"#" * n * 999) for n in range(40)],
    )
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])

    with pytest.raises(sources.UnreadableSource, match="cannot be read to its end"):
        list(sources.read_source(archive, report=sources.ReadReport()))
