"""Vulnerability findings and the audit gate, as a rule and through a real scan."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from decisions import services
from decisions.models import DecisionRecord
from scanning import services as scanning_services
from scanning.advisories import store
from scanning.advisories.index import AdvisoryIndex
from scanning.models import AuditGate, ScanStatus
from scanning.rules.vulnerable import vulnerability_findings
from scanning.types import Declaration
from tests import factories
from tests.scanning.advisories.support import PYPA_FIXTURE, fixture_advisories

HIGH_VECTOR = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"  # 7.5


def _pin(name: str, version: str, line: int = 1, level: str = "exact") -> Declaration:
    return Declaration(
        "requirements.txt",
        line,
        name,
        f"{name}=={version}",
        pinned_version=version,
        pin_level=level,
    )


def _loose(name: str, line: int = 1) -> Declaration:
    return Declaration(
        "requirements.txt", line, name, f"{name}>=1", specifier=">=1", pin_level="range"
    )


def test_pinned_vulnerable_version_becomes_one_finding_with_ids_and_fix() -> None:
    index = AdvisoryIndex(fixture_advisories())

    findings, audit = vulnerability_findings([_pin("django", "3.2.0")], index)

    [finding] = findings
    assert (finding.kind, finding.subject) == ("vulnerable", "django")
    assert "PYSEC-2023-100 (CVE-2023-36053)" in finding.summary
    assert "GHSA-jh3w-4vvf-mjgr" in finding.summary
    assert "upgrade to 3.2.20" in finding.summary
    assert "requirements.txt:1" in finding.summary
    [vulnerable] = audit["vulnerable"]
    assert vulnerable["fixed_in"] == "3.2.20"
    assert audit["audited"] == 1
    assert audit["gate"] == "unknown"  # the records carry no CVSS vector: cannot pass


def test_same_package_pinned_twice_is_one_finding_and_the_summary_is_stable() -> None:
    index = AdvisoryIndex(fixture_advisories())
    pins = [_pin("django", "3.2.0"), _pin("django", "4.2", line=7, level="locked")]

    first, _ = vulnerability_findings(pins, index)
    again, _ = vulnerability_findings(list(reversed(pins)), AdvisoryIndex(fixture_advisories()))

    assert len(first) == 1
    assert first == again
    assert "upgrade to 4.2.3" in first[0].summary


def test_unpinned_requirement_is_not_audited_and_the_gate_is_unknown() -> None:
    findings, audit = vulnerability_findings(
        [_loose("django")], AdvisoryIndex(fixture_advisories())
    )

    assert findings == []
    assert audit["gate"] == "unknown"
    assert audit["not_audited"] == [
        {"name": "django", "path": "requirements.txt", "line": 1, "reason": "not pinned"}
    ]


def test_a_loose_declaration_is_covered_by_a_lock_pin_of_the_same_name() -> None:
    declarations = [_loose("requests"), _pin("requests", "2.31.0", line=3, level="locked")]

    _, audit = vulnerability_findings(declarations, AdvisoryIndex(fixture_advisories()))

    assert audit["not_audited"] == []
    assert audit["gate"] == "pass"


def test_never_synced_mirror_audits_nothing() -> None:
    index = AdvisoryIndex(unavailable_reason="no advisory data has been synced")

    findings, audit = vulnerability_findings([_pin("requests", "2.31.0")], index)

    assert findings == []
    assert audit["gate"] == "unknown"
    assert audit["not_audited"][0]["reason"] == "no advisory data has been synced"


def test_version_that_is_not_pep440_is_not_audited() -> None:
    _, audit = vulnerability_findings(
        [_pin("django", "three")], AdvisoryIndex(fixture_advisories())
    )

    assert "not PEP 440" in audit["not_audited"][0]["reason"]


def test_critical_finding_fails_the_gate_and_carries_its_severity() -> None:
    findings, audit = vulnerability_findings(
        [_pin("apache-skywalking", "8.0.0")], AdvisoryIndex(fixture_advisories())
    )

    assert findings[0].severity == "critical"
    assert audit["gate"] == "fail"


# --- through a real scan of a repository on disk -----------------------------------------------


@pytest.fixture
def high_severity_db(tmp_path: Path) -> Path:
    """The fixture tree with a CVSS 7.5 vector added to the Django record."""
    target = tmp_path / "advisories"
    shutil.copytree(PYPA_FIXTURE, target)
    record = target / "vulns" / "django" / "PYSEC-2023-100.yaml"
    text = record.read_text()
    record.write_text(text + f"severity:\n- type: CVSS_V3\n  score: {HIGH_VECTOR}\n")
    return target


def _scan_repository(team, root: Path, files: dict[str, str]):
    path = factories.git_repository(root, files)
    repository = factories.repository(team, location=str(path))
    run, _ = scanning_services.scan_run_create(repository=repository)
    return services.repository_scan(repository_id=repository.pk, scan_run_id=run.pk)


@pytest.mark.django_db
def test_scan_of_an_old_django_pin_records_a_vulnerable_decision_and_fails_the_gate(
    team, tmp_path, high_severity_db
):
    store.advisories_sync(source=str(high_severity_db))

    run = _scan_repository(
        team, tmp_path / "app", {"requirements.txt": "django==3.2.0\n", "app.py": "import django\n"}
    )

    assert run.status == ScanStatus.SUCCEEDED
    assert run.audit_gate == AuditGate.FAIL
    record = DecisionRecord.objects.get(kind="vulnerable", subject="django")
    assert record.severity == "high"
    assert "PYSEC-2023-100 (CVE-2023-36053)" in record.summary
    assert "upgrade to 3.2.20" in record.summary
    assert "requirements.txt:1" in record.summary
    [vulnerable] = run.audit["vulnerable"]
    assert [a["id"] for a in vulnerable["advisories"]] == ["PYSEC-2023-100"]

    again = services.repository_scan(
        repository_id=run.repository_id,
        scan_run_id=scanning_services.scan_run_create(repository=run.repository)[0].pk,
    )
    assert again.audit_gate == AuditGate.FAIL
    assert DecisionRecord.objects.filter(kind="vulnerable").count() == 1
    assert DecisionRecord.objects.get(kind="vulnerable").summary == record.summary


@pytest.mark.django_db
def test_scan_of_an_unpinned_requirement_says_not_audited_and_gate_unknown(
    team, tmp_path, high_severity_db, client
):
    store.advisories_sync(source=str(high_severity_db))

    run = _scan_repository(
        team, tmp_path / "app", {"requirements.txt": "django>=3.2\n", "app.py": "import django\n"}
    )

    assert run.audit_gate == AuditGate.UNKNOWN
    assert run.audit["not_audited"][0]["reason"] == "not pinned"
    assert not DecisionRecord.objects.filter(kind="vulnerable").exists()
    viewer = factories.member(team)
    client.force_login(viewer)
    page = client.get(f"/scans/{run.pk}/", headers={"HX-Request": "true"})
    assert "not audited: not pinned" in page.content.decode()


@pytest.mark.django_db
def test_scan_without_any_synced_advisories_has_an_unknown_gate(team, tmp_path):
    run = _scan_repository(
        team, tmp_path / "app", {"requirements.txt": "django==5.1.2\n", "app.py": "import django\n"}
    )

    assert run.audit_gate == AuditGate.UNKNOWN
    assert run.audit["mirror_unavailable"] == "no advisory data has been synced"
