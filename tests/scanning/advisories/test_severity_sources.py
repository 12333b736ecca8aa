"""Severity from every synced source, CVSS 4.0, GHSA labels, and the unscored policy (13.4)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.core import checks

from scanning.advisories import cvss, store
from scanning.advisories.index import AdvisoryIndex
from scanning.advisories.osv import parse_osv
from scanning.rules.vulnerable import NEEDS_ANALYSIS, UNSCORED_FAIL, vulnerability_findings
from scanning.types import Declaration

CRITICAL_V3 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"  # 9.8
CRITICAL_V4 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"  # 9.3
REAL_DB = Path(
    os.environ.get("DEBTBOARD_PYPA_ADVISORY_DB")
    or Path(__file__).resolve().parents[4] / "shared" / "data" / "pypa-advisory-db"
)


def _record(advisory_id: str, *, aliases=(), severity=None, label=None, package="demo-pkg"):
    record = {
        "id": advisory_id,
        "modified": "2026-11-01T00:00:00Z",
        "aliases": list(aliases),
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": package},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}
                ],
            }
        ],
    }
    if severity:
        record["severity"] = [{"type": cvss.kind_of(severity), "score": severity}]
    if label:
        record["database_specific"] = {"severity": label, "github_reviewed": True}
    return record


def _audit(*records, policy: str = NEEDS_ANALYSIS):
    index = AdvisoryIndex([parse_osv(r, source="t") for r in records])
    pin = Declaration(
        "requirements.txt", 1, "demo-pkg", "demo-pkg==1.0", pinned_version="1.0", pin_level="exact"
    )
    return vulnerability_findings([pin], index, unscored_policy=policy)


def test_a_cvss_4_vector_is_scored_and_fails_the_gate():
    assert cvss.base_score(CRITICAL_V4) == pytest.approx(9.3)
    findings, audit = _audit(_record("GHSA-v4v4-v4v4-v4v4", severity=CRITICAL_V4))
    assert audit["gate"] == "fail"
    assert findings[0].severity == "critical"


@pytest.mark.parametrize(
    ("label", "severity", "gate"),
    [
        ("CRITICAL", "critical", "fail"),
        ("HIGH", "high", "fail"),
        ("MODERATE", "medium", "pass"),
        ("LOW", "low", "pass"),
    ],
)
def test_a_ghsa_severity_label_counts_without_a_vector(label, severity, gate):
    findings, audit = _audit(_record("GHSA-aaaa-bbbb-cccc", label=label))
    assert findings[0].severity == severity
    assert audit["vulnerable"][0]["unscored"] == 0
    assert audit["gate"] == gate
    assert f"GHSA {label}" in findings[0].summary


def test_an_unknown_label_is_unscored():
    _, audit = _audit(_record("GHSA-aaaa-bbbb-cccc", label="SEVERE"))
    assert audit["vulnerable"][0]["unscored"] == 1
    assert audit["gate"] == "unknown"


def test_unscored_advisories_need_analysis_by_default_and_never_pass():
    _, audit = _audit(_record("PYSEC-2099-1"))
    assert audit["gate"] == "unknown"
    assert audit["gate_reasons"] == ["advisories without a score (needs analysis): demo-pkg"]


def test_the_unscored_policy_can_make_them_fail():
    _, audit = _audit(_record("PYSEC-2099-1"), policy=UNSCORED_FAIL)
    assert audit["gate"] == "fail"
    assert "without a score" in audit["gate_reasons"][0]


def test_an_unknown_policy_is_refused(settings):
    settings.DEBTBOARD_UNSCORED_ADVISORY_POLICY = "pass"
    ids = [m.id for m in checks.run_checks() if m.id.startswith("debtboard.")]
    assert ids == ["debtboard.E010"]


def test_the_policy_setting_is_declared_with_the_safe_default():
    from config.settings import base

    assert base.DEBTBOARD_UNSCORED_ADVISORY_POLICY == NEEDS_ANALYSIS


def _sync(tmp_path: Path, name: str, *records) -> None:
    folder = tmp_path / name
    folder.mkdir()
    for record in records:
        (folder / f"{record['id']}.json").write_text(json.dumps(record))
    store.advisories_sync(source=str(folder))


@pytest.mark.django_db
def test_a_score_from_another_source_reaches_the_record_through_its_alias(tmp_path):
    _sync(tmp_path, "pypa", _record("PYSEC-2099-7", aliases=["GHSA-xxxx-yyyy-zzzz"]))
    # GitHub's record of the same vulnerability names a differently spelled package.
    _sync(
        tmp_path,
        "github",
        _record("GHSA-xxxx-yyyy-zzzz", severity=CRITICAL_V3, package="Demo_Pkg.other"),
    )
    index = store.index_from_database(names=["demo-pkg"])
    [advisory] = [a for a in index.advisories_for("demo-pkg") if a.id == "PYSEC-2099-7"]
    assert advisory.base_score == pytest.approx(9.8)


@pytest.mark.django_db
def test_an_alias_named_only_by_the_other_record_also_merges(tmp_path):
    _sync(tmp_path, "pypa", _record("PYSEC-2099-8"))
    _sync(
        tmp_path,
        "github",
        _record("GHSA-pppp-qqqq-rrrr", aliases=["PYSEC-2099-8"], label="HIGH"),
    )
    index = store.index_from_database(names=["demo-pkg"])
    by_id = {a.id: a for a in index.advisories_for("demo-pkg")}
    assert by_id["PYSEC-2099-8"].severity_label == "high"
    assert by_id["GHSA-pppp-qqqq-rrrr"].severity_label == "high"


@pytest.mark.django_db
@pytest.mark.skipif(not REAL_DB.is_dir(), reason=f"{REAL_DB} is absent")
def test_pillow_against_the_real_pypa_database_is_never_a_pass(settings):
    settings.DEBTBOARD_ADVISORY_MAX_DATA_AGE_DAYS = 0  # the copy is a frozen snapshot
    store.advisories_sync(source=str(REAL_DB / "vulns"))
    index = store.index_from_database(names=["pillow"])
    pin = Declaration(
        "requirements.txt", 1, "pillow", "pillow==8.0.0", pinned_version="8.0.0", pin_level="exact"
    )
    _, audit = vulnerability_findings([pin], index)
    [pillow] = audit["vulnerable"]
    assert len(pillow["advisories"]) > 20
    assert pillow["unscored"] > 20
    assert audit["gate"] in ("unknown", "fail")
    assert any("pillow" in reason for reason in audit["gate_reasons"])


def _folder(tmp_path: Path, *records) -> Path:
    folder = tmp_path / "osv"
    folder.mkdir()
    for record in records:
        (folder / f"{record['id']}.json").write_text(json.dumps(record))
    return folder


@pytest.mark.parametrize("cached", [False, True], ids=["from-the-folder", "from-its-cache"])
def test_an_advisory_folder_of_a_scan_without_a_server_merges_severities_by_alias(tmp_path, cached):
    from scanning.advisories import local

    folder = _folder(
        tmp_path,
        _record("PYSEC-2099-7", aliases=["CVE-2099-7"]),
        # GitHub's record names the same CVE, for a differently spelled package.
        _record(
            "GHSA-xxxx-yyyy-zzzz",
            aliases=["CVE-2099-7"],
            severity=CRITICAL_V3,
            package="Demo_Pkg.other",
        ),
        # GitHub's level of another PYSEC record, named by its id.
        _record("PYSEC-2099-8"),
        _record("GHSA-pppp-qqqq-rrrr", aliases=["PYSEC-2099-8"], label="MODERATE"),
    )
    cache = tmp_path / "cache"
    if cached:
        local.index_from_source(folder, names=["demo-pkg"], cache_dir=cache)
    index = local.index_from_source(folder, names=["demo-pkg"], cache_dir=cache)
    by_id = {a.id: a for a in index.advisories_for("demo-pkg")}
    assert by_id["PYSEC-2099-7"].base_score == pytest.approx(9.8)
    assert by_id["PYSEC-2099-8"].severity_label == "medium"
    pin = Declaration(
        "requirements.txt", 1, "demo-pkg", "demo-pkg==1.0", pinned_version="1.0", pin_level="exact"
    )
    _, audit = vulnerability_findings([pin], index)
    assert audit["vulnerable"][0]["unscored"] == 0
    assert audit["gate"] == "fail"
