"""Licence and release facts through a real (local) index: JSON, HTML, and the JSON API."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scanning.models import PackageMetadata
from scanning.package_cache import metadata
from tests.package_index import wheel

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 1, 1, tzinfo=UTC)
NAME = "chrono-parse-toolkit"  # installed nowhere: only the index knows its licence
OLD, NEW = "chrono_parse_toolkit-1.0-py3-none-any.whl", "chrono_parse_toolkit-2.0-py3-none-any.whl"
METADATA = f"Metadata-Version: 2.4\nName: {NAME}\nVersion: 2.0\nLicense-Expression: GPL-3.0-only\n"


def _wheels() -> dict[str, bytes]:
    return {
        OLD: wheel(NAME, "1.0", {"chronoparse/__init__.py": ""}),
        NEW: wheel(NAME, "2.0", {"chronoparse/__init__.py": ""}),
    }


def _json_api_record(version: str = "2.0") -> dict:
    return {
        "info": {"version": version, "license_expression": "MIT", "license": None},
        "releases": {
            "1.0": [{"upload_time_iso_8601": "2019-03-01T10:00:00.000000Z", "yanked": False}],
            "2.0": [{"upload_time_iso_8601": "2021-06-01T10:00:00.000000Z", "yanked": False}],
        },
        "urls": [],
    }


def _facts(name: str = NAME) -> metadata.PackageFacts:
    return metadata.package_facts([name], now=NOW)[name]


def test_json_index_gives_licence_from_metadata_file_and_upload_times(package_index):
    package_index.add(NAME, _wheels(), metadata={NEW: METADATA}, upload_time="2022-02-02T00:00:00Z")

    facts = _facts()

    assert (facts.license, facts.license_unknown) == ("GPL-3.0-only", "")
    assert facts.latest_version == "2.0"
    assert facts.latest_release_at == datetime(2022, 2, 2, tzinfo=UTC)
    assert f"/pypi/{NAME}/json" not in package_index.accepts  # nothing was missing


@pytest.mark.parametrize("content_type", ["text/html", "application/vnd.pypi.simple.v1+json"])
def test_html_only_index_gives_licence_and_latest_version_however_labelled(
    package_index, content_type
):
    package_index.add(
        NAME, _wheels(), html_page=True, content_type=content_type, metadata={NEW: METADATA}
    )

    facts = _facts()

    assert (facts.license, facts.latest_version) == ("GPL-3.0-only", "2.0")
    # No upload times in HTML, and no JSON API beside this index: said, never guessed.
    assert facts.latest_release_at is None
    assert facts.release_unknown == "the index gives no upload times"
    assert PackageMetadata.objects.get(name=NAME).latest_version == "2.0"


def test_json_api_beside_an_html_index_gives_licence_and_release_date(package_index):
    package_index.add(NAME, _wheels(), html_page=True)  # no metadata files, as on PyPI's proxy
    package_index.add_json_api(NAME, _json_api_record())

    facts = _facts()

    assert (facts.license, facts.license_unknown) == ("MIT", "")
    assert facts.latest_release_at == datetime(2021, 6, 1, 10, tzinfo=UTC)
    assert facts.release_unknown == ""
    assert package_index.accepts[f"/pypi/{NAME}/json"] == "application/json"


def test_json_api_licence_of_another_release_than_the_latest_is_not_taken(package_index):
    package_index.add(NAME, _wheels(), html_page=True)
    package_index.add_json_api(NAME, _json_api_record(version="1.0"))

    facts = _facts()

    assert facts.license == ""
    assert facts.license_unknown == metadata.NO_METADATA_FILE
    assert facts.latest_release_at == datetime(2021, 6, 1, 10, tzinfo=UTC)


def test_index_without_a_json_api_is_asked_once_per_scan(package_index):
    package_index.add(NAME, _wheels(), html_page=True)
    package_index.add("other-toolkit", {}, html_page=True)

    facts = metadata.package_facts([NAME, "other-toolkit"], now=NOW)

    api_requests = [path for path, _ in package_index.requests if path.startswith("/pypi/")]
    assert api_requests == [f"/pypi/{NAME}/json"]
    assert facts[NAME].latest_version == "2.0"
    assert facts["other-toolkit"].release_unknown == "the index gives no upload times"


def test_yanked_release_is_not_the_latest(package_index):
    page = (
        f'<html><a href="../../files/{OLD}">1.0</a>'
        f'<a href="../../files/{NEW}" data-yanked="broken">2.0</a></html>'
    ).encode()
    package_index.add(NAME, _wheels(), page=page)

    assert _facts().latest_version == "1.0"


def test_project_missing_from_the_index_does_not_stop_the_others(package_index):
    package_index.add(NAME, _wheels(), html_page=True, metadata={NEW: METADATA})

    facts = metadata.package_facts(["aaa-private-package", NAME], now=NOW)

    assert facts["aaa-private-package"].release_unknown == (
        "package index: no such project (HTTP 404)"
    )
    assert facts[NAME].license == "GPL-3.0-only"
    assert not PackageMetadata.objects.filter(name="aaa-private-package").exists()


def test_hostile_page_fails_that_project_only(package_index):
    package_index.add("aaa-hostile", {}, page=b"<html><!--" + b"<a" * 300_000)
    package_index.add(NAME, _wheels(), html_page=True, metadata={NEW: METADATA})

    facts = metadata.package_facts(["aaa-hostile", NAME], now=NOW)

    assert "unterminated markup" in facts["aaa-hostile"].license_unknown
    assert facts[NAME].license == "GPL-3.0-only"


def test_metadata_file_listed_but_missing_fails_the_licence_only(package_index):
    package_index.add(NAME, _wheels(), html_page=True, metadata={NEW: METADATA})
    del package_index.files[f"/files/{NEW}.metadata"]

    facts = _facts()

    assert facts.license_unknown == "the release's metadata file is missing (HTTP 404)"
    assert facts.latest_version == "2.0"


def test_index_that_does_not_speak_the_simple_api_is_unreachable_for_the_rest(package_index):
    package_index.add("aaa-first", {}, page=b"Please log in")
    package_index.add(NAME, _wheels(), html_page=True, metadata={NEW: METADATA})

    facts = metadata.package_facts(["aaa-first", NAME], now=NOW)

    assert facts["aaa-first"].release_unknown == (
        "package index unreachable: the index page is neither JSON nor HTML"
    )
    assert facts[NAME].release_unknown.startswith("package index unreachable")
    assert package_index.pages_asked(NAME) == 0


def test_installed_licence_keeps_the_reason_the_release_date_is_unknown(package_index):
    package_index.add("django", {}, html_page=True)  # the index knows no upload times

    facts = _facts("django")

    assert facts.license == "BSD-3-Clause"  # from the metadata installed here
    assert facts.release_unknown == "the index gives no upload times"


def test_page_over_the_size_limit_fails_that_project_only(package_index, monkeypatch):
    monkeypatch.setattr(metadata, "MAX_RESPONSE_BYTES", 2000)
    package_index.add("aaa-huge", {}, page=b"<html>" + b" " * 3000 + b"</html>")
    package_index.add(NAME, _wheels(), html_page=True, metadata={NEW: METADATA})

    facts = metadata.package_facts(["aaa-huge", NAME], now=NOW)

    assert "over 2000 bytes" in facts["aaa-huge"].release_unknown
    assert facts[NAME].license == "GPL-3.0-only"


def test_json_api_record_over_the_size_limit_is_skipped_for_that_project_only(
    package_index, monkeypatch
):
    monkeypatch.setattr(metadata, "MAX_RESPONSE_BYTES", 2000)
    package_index.add("aaa-many-releases", {}, html_page=True)
    package_index.add_json_api("aaa-many-releases", {"info": {"version": "1"}, "x": "y" * 3000})
    package_index.add(NAME, _wheels(), html_page=True)
    package_index.add_json_api(NAME, _json_api_record())

    facts = metadata.package_facts(["aaa-many-releases", NAME], now=NOW)

    assert facts["aaa-many-releases"].release_unknown == "the index gives no upload times"
    assert facts[NAME].license == "MIT"
