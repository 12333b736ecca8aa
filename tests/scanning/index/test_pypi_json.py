"""Warehouse's JSON API record: licence fields and upload times, without trust."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from scanning.index import pypi_json


@pytest.mark.parametrize(
    ("index_url", "api"),
    [
        ("https://pypi.org/simple", "https://pypi.org/pypi/demo/json"),
        ("https://pypi.org/simple/", "https://pypi.org/pypi/demo/json"),
        (
            "https://nexus.example/repository/pypi/simple",
            "https://nexus.example/repository/pypi/pypi/demo/json",
        ),
        ("https://devpi.example/root/pypi/+simple", ""),
    ],
)
def test_json_api_lives_beside_an_index_at_simple_only(index_url, api):
    assert pypi_json.api_url(index_url, "demo") == api


def test_json_api_record_gives_licence_fields_and_the_last_upload_not_yanked():
    record = {
        "info": {
            "version": "2.0",
            "license_expression": None,
            "license": "MIT",
            "classifiers": ["License :: OSI Approved :: MIT License", 3],
        },
        "releases": {
            "1.0": [{"upload_time_iso_8601": "2020-01-01T00:00:00Z", "yanked": False}],
            "2.0": [{"upload_time_iso_8601": "2021-01-01T00:00:00.5Z", "yanked": False}],
            "3.0": [{"upload_time_iso_8601": "2030-01-01T00:00:00Z", "yanked": True}],
            "bad": "x",
        },
        "urls": [{"upload_time_iso_8601": "not a time"}],
    }

    found = pypi_json.parse_project_json(json.dumps(record).encode())

    assert found == pypi_json.ProjectJson(
        "2.0",
        "",
        "MIT",
        ("License :: OSI Approved :: MIT License",),
        datetime(2021, 1, 1, 0, 0, 0, 500000, tzinfo=UTC),
    )


@pytest.mark.parametrize("body", [b"<html>", b"[]", b'{"info": {}}', b'{"info":' * 50_000])
def test_json_api_answer_of_the_wrong_shape_is_refused(body):
    with pytest.raises(ValueError, match="JSON API"):
        pypi_json.parse_project_json(body)
