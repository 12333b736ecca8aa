from __future__ import annotations

import copy
import json
import pickle
from datetime import UTC, datetime
from typing import Any

import pytest
import yaml

from scanning.advisories import cvss
from scanning.advisories.osv import (
    DETAILS_MAX_CHARS,
    SUMMARY_MAX_CHARS,
    MalformedAdvisory,
    OsvAdvisory,
    RangeEvent,
    parse_osv,
)
from tests.scanning.advisories.support import OSV_FIXTURE, PYPA_FIXTURE


def load_yaml(relative: str) -> dict[str, Any]:
    return yaml.safe_load((PYPA_FIXTURE / "vulns" / relative).read_text())


def load_json(name: str) -> dict[str, Any]:
    return json.loads((OSV_FIXTURE / name).read_text())


def parse(data: dict[str, Any]) -> OsvAdvisory:
    advisory = parse_osv(data, source="x.yaml")
    assert advisory is not None
    return advisory


def test_pypa_record_becomes_an_advisory_with_aware_timestamps() -> None:
    advisory = parse(load_yaml("jinja2/PYSEC-2019-217.yaml"))

    assert advisory.id == "PYSEC-2019-217"
    assert advisory.aliases == ("CVE-2019-10906", "GHSA-462w-v97r-4m45")
    assert advisory.modified == datetime(2021, 11, 22, 4, 57, 52, 862665, tzinfo=UTC)
    assert advisory.published == datetime(2019, 4, 7, 0, 29, tzinfo=UTC)
    assert advisory.withdrawn is None
    assert advisory.source == "x.yaml"
    assert advisory.packages == ("jinja2",)
    (entry,) = advisory.affected
    assert entry.versions == ("2.10", "2.9.6")
    assert entry.ranges[0].events == (RangeEvent("introduced", "0"), RangeEvent("fixed", "2.10.1"))
    assert entry.fixed_versions == ("2.10.1",)


def test_unquoted_yaml_timestamps_are_read_as_utc() -> None:
    advisory = parse(load_yaml("django/PYSEC-2023-100.yaml"))

    assert advisory.modified == datetime(2023, 7, 11, 16, 37, 11, 407533, tzinfo=UTC)
    assert advisory.modified.tzinfo is not None


def test_git_ranges_are_dropped_and_ecosystem_ranges_kept() -> None:
    (entry,) = parse(load_yaml("requests/PYSEC-2023-74.yaml")).affected

    assert len(entry.ranges) == 1
    assert [e.version for e in entry.ranges[0].events] == ["2.3.0", "2.31.0"]


def test_fixed_versions_are_sorted_by_version_not_by_position() -> None:
    (entry,) = parse(load_yaml("django/PYSEC-2023-100.yaml")).affected

    assert entry.fixed_versions == ("3.2.20", "4.1.10", "4.2.3")


def test_package_names_are_canonicalised_and_entries_found_by_any_spelling() -> None:
    advisory = parse(load_json("GHSA-h5c8-rqwp-cp95.json"))

    assert advisory.packages == ("jinja2",)
    assert len(advisory.entries_for("Jinja2")) == 1
    assert advisory.entries_for("flask") == ()


def test_withdrawn_record_keeps_its_withdrawal_time() -> None:
    advisory = parse(load_yaml("redis/PYSEC-2023-73.yaml"))

    assert advisory.withdrawn == datetime(2023, 6, 6, 10, 37, tzinfo=UTC)


def test_cvss_vector_is_scored_and_labelled() -> None:
    advisory = parse(load_yaml("apache-skywalking/PYSEC-2020-342.yaml"))

    (severity,) = advisory.severity
    assert severity.kind == "CVSS_V3"
    assert severity.vector == "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    assert severity.score == 9.8
    assert advisory.base_score == 9.8
    assert advisory.severity_label == cvss.CRITICAL


def test_record_without_severity_is_unknown_not_low() -> None:
    advisory = parse(load_yaml("jinja2/PYSEC-2019-217.yaml"))

    assert advisory.base_score is None
    assert advisory.severity_label == cvss.UNKNOWN


def test_package_level_severity_counts_and_the_highest_score_wins() -> None:
    data = load_json("GHSA-h5c8-rqwp-cp95.json")
    data["affected"][0]["severity"] = [
        {
            "type": "CVSS_V4",
            "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        }
    ]

    advisory = parse(data)

    assert advisory.base_score == 9.3
    assert advisory.severity_label == cvss.CRITICAL


def test_invalid_vector_and_unknown_severity_type_do_not_reject_the_record() -> None:
    data = load_yaml("jinja2/PYSEC-2019-217.yaml")
    data["severity"] = [
        {"type": "CVSS_V3", "score": "CVSS:3.1/nonsense"},
        {"type": "Ubuntu", "score": "high"},
    ]

    (severity,) = parse(data).severity

    assert (severity.score, severity.label) == (None, cvss.UNKNOWN)


def test_record_for_another_ecosystem_is_not_an_advisory() -> None:
    assert parse_osv(load_json("GHSA-r9p9-mrjm-926w.json"), source="npm.json") is None


def test_summary_is_one_line_and_long_texts_are_truncated() -> None:
    data = load_yaml("jinja2/PYSEC-2019-217.yaml")
    data["summary"] = "two\n  lines " + "x" * 1000
    data["details"] = "d" * (DETAILS_MAX_CHARS * 2)

    advisory = parse(data)

    assert advisory.summary.startswith("two lines x")
    assert len(advisory.summary) == SUMMARY_MAX_CHARS
    assert advisory.summary.endswith("…")
    assert len(advisory.details) == DETAILS_MAX_CHARS


def _without(key: str) -> Any:
    return lambda d: d.pop(key)


def _set(path: tuple[Any, ...], value: Any) -> Any:
    def mutate(data: dict[str, Any]) -> None:
        target = data
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return mutate


EVENTS = ("affected", 0, "ranges", 0, "events")


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (_without("id"), "'id'"),
        (_set(("id",), 42), "'id'"),
        (_without("modified"), "missing 'modified'"),
        (_set(("modified",), "last tuesday"), "'modified' is not an RFC 3339"),
        (_set(("published",), 12), "'published' is not an RFC 3339"),
        (_set(("schema_version",), "2.0.0"), "schema_version"),
        (_set(("aliases",), "CVE-2019-10906"), "'aliases' must be a list"),
        (_set(("affected",), {"package": "jinja2"}), "'affected' must be a list"),
        (_set(("affected", 0, "package"), "jinja2"), "package' must be a mapping"),
        (_set(("affected", 0, "package", "name"), ""), "'name'"),
        (_set((*EVENTS, 1), {"fixed": "2.10.1", "introduced": "0"}), "exactly one key"),
        (_set((*EVENTS, 1), {"patched": "2.10.1"}), "unknown range event"),
        (_set((*EVENTS, 1), {"fixed": 2.1}), "version must be a string"),
        (_set((*EVENTS, 1), {"fixed": ""}), "empty version"),
        (_set(EVENTS, [{"fixed": "2.10.1"}]), "no 'introduced'"),
        (_set(("affected", 0, "versions"), [2.1]), "version must be a string"),
        (_set(("severity",), [{"type": "CVSS_V3", "score": None}]), "'score'"),
    ],
)
def test_malformed_records_raise_with_path_and_reason(mutate: Any, reason: str) -> None:
    data = copy.deepcopy(load_yaml("jinja2/PYSEC-2019-217.yaml"))
    mutate(data)

    with pytest.raises(MalformedAdvisory) as caught:
        parse_osv(data, source="vulns/jinja2/bad.yaml")

    assert caught.value.path == "vulns/jinja2/bad.yaml"
    assert reason in caught.value.reason
    assert str(caught.value).startswith("vulns/jinja2/bad.yaml: ")


@pytest.mark.parametrize("data", [[], "id: x", None])
def test_a_record_that_is_not_a_mapping_is_malformed(data: Any) -> None:
    with pytest.raises(MalformedAdvisory, match="not a mapping"):
        parse_osv(data, source="x.json")


def test_integer_versions_from_yaml_are_kept() -> None:
    data = load_yaml("jinja2/PYSEC-2019-217.yaml")
    data["affected"][0]["ranges"][0]["events"] = [{"introduced": 0}, {"fixed": 3}]

    (entry,) = parse(data).affected

    assert [e.version for e in entry.ranges[0].events] == ["0", "3"]


def test_malformed_advisory_survives_pickling_for_worker_processes() -> None:
    error = pickle.loads(pickle.dumps(MalformedAdvisory("a.yaml", "broken")))  # noqa: S301

    assert (error.path, error.reason) == ("a.yaml", "broken")
