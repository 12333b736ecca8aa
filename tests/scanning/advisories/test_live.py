"""pip-audit's live services as the rule's lookup: never clean unless the service answered.

No test here uses the network: a fake service object, or pip-audit's own services with their
HTTP session replaced.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.version import Version
from pip_audit._service import (
    ConnectionError as ServiceConnectionError,
)
from pip_audit._service import (
    Dependency,
    OsvService,
    PyPIService,
    ServiceError,
    SkippedDependency,
    VulnerabilityResult,
    VulnerabilityService,
)
from pip_audit._service import osv as pip_audit_osv
from pip_audit._service import pypi as pip_audit_pypi

from scanning.advisories import cvss, live
from scanning.advisories.osv import Severity
from scanning.rules.vulnerable import vulnerability_findings
from scanning.types import Declaration

HIGH = Severity("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5, cvss.HIGH)
DJANGO_ADVISORY = VulnerabilityResult.create(
    ids=["GHSA-jh3w-4vvf-mjgr", "PYSEC-2023-100", "CVE-2023-36053"],
    description="Potential regular\nexpression denial of service",
    fix_versions=[Version("4.1.10"), Version("3.2.20"), Version("4.2.3")],
    published=None,
)


class FakeService(VulnerabilityService):
    """Answers from a table; ``failures`` maps a name to the exception its query raises."""

    def __init__(self, answers=None, failures=None, skipped=()) -> None:
        self.answers = answers or {}
        self.failures = failures or {}
        self.skipped = set(skipped)
        self.asked: list[str] = []

    def query(self, spec: Dependency):
        self.asked.append(f"{spec.canonical_name}=={spec.version}")  # type: ignore[attr-defined]
        if spec.canonical_name in self.failures:
            raise self.failures[spec.canonical_name]
        if spec.canonical_name in self.skipped:
            return SkippedDependency(spec.name, "Dependency not found on PyPI"), []
        return spec, self.answers.get((spec.canonical_name, str(spec.version)), [])  # type: ignore[attr-defined]


def _pin(name: str, version: str, line: int = 1) -> Declaration:
    return Declaration(
        "requirements.txt",
        line,
        name,
        f"{name}=={version}",
        pinned_version=version,
        pin_level="exact",
    )


def _lookup(service: VulnerabilityService, **extra) -> live.LiveLookup:
    return live.LiveLookup(service, label="the OSV service", **extra)


def test_a_live_answer_becomes_a_finding_scored_by_alias_from_the_mirror_with_its_fix() -> None:
    service = FakeService({("django", "3.2.0"): [DJANGO_ADVISORY]})

    findings, audit = vulnerability_findings(
        [_pin("Django", "3.2.0")], _lookup(service, severities={"GHSA-jh3w-4vvf-mjgr": (HIGH,)})
    )

    [finding] = findings
    assert finding.severity == "high"
    [vulnerable] = audit["vulnerable"]
    [advisory] = vulnerable["advisories"]
    assert advisory["id"] == "PYSEC-2023-100"  # pip-audit puts PYSEC ids first
    assert advisory["aliases"] == ["CVE-2023-36053", "GHSA-jh3w-4vvf-mjgr"]
    assert advisory["fixed_in"] == "3.2.20"
    assert advisory["summary"] == "Potential regular expression denial of service"
    assert vulnerable["fixed_in"] == "3.2.20"  # asked again: 3.2.20 has no advisory
    assert service.asked == ["django==3.2.0", "django==3.2.20"]
    assert audit["gate"] == "fail"


def test_an_unscored_live_answer_keeps_the_gate_unknown() -> None:
    service = FakeService({("django", "3.2.0"): [DJANGO_ADVISORY]})

    _, audit = vulnerability_findings([_pin("django", "3.2.0")], _lookup(service))

    assert audit["gate"] == "unknown"
    assert "advisories without a score (needs analysis): django" in audit["gate_reasons"]


def test_pins_the_service_answered_clean_pass_the_gate() -> None:
    _, audit = vulnerability_findings([_pin("requests", "2.32.3")], _lookup(FakeService()))

    assert (audit["gate"], audit["audited"], audit["not_audited"]) == ("pass", 1, [])


def test_a_skipped_dependency_is_not_audited_with_the_service_s_reason() -> None:
    # pip-audit's PyPI service skips a version its per-version API does not answer for.
    service = FakeService(skipped={"requests", "flask"})

    _, audit = vulnerability_findings(
        [_pin("requests", "2.32.3"), _pin("flask", "3.0.0", line=2)], _lookup(service)
    )

    assert audit["gate"] == "unknown"
    assert audit["audited"] == 0
    assert [n["reason"] for n in audit["not_audited"]] == [
        "the OSV service skipped it: Dependency not found on PyPI"
    ] * 2


def test_an_unreachable_service_is_asked_once_and_no_pin_is_audited() -> None:
    service = FakeService(failures={"flask": ServiceConnectionError("connect timeout")})
    pins = [_pin("flask", "3.0.0", 1), _pin("requests", "2.32.3", 2), _pin("idna", "3.7", 3)]

    findings, audit = vulnerability_findings(pins, _lookup(service))

    assert findings == []
    assert service.asked == ["flask==3.0.0"]
    assert audit["gate"] == "unknown"
    assert {n["reason"] for n in audit["not_audited"]} == {
        "the OSV service could not be reached: connect timeout"
    }
    assert audit["not_audited_count"] == 3


def test_an_error_answer_leaves_only_that_pin_not_audited() -> None:
    service = FakeService(failures={"flask": ServiceError("500 Server Error")})

    _, audit = vulnerability_findings(
        [_pin("flask", "3.0.0", 1), _pin("requests", "2.32.3", 2)], _lookup(service)
    )

    assert audit["audited"] == 1
    [not_audited] = audit["not_audited"]
    assert not_audited["name"] == "flask"
    assert not_audited["reason"] == "the OSV service gave no usable answer: 500 Server Error"
    assert audit["gate"] == "unknown"


def test_a_fix_the_service_cannot_vouch_for_is_not_offered() -> None:
    service = FakeService({("django", "3.2.0"): [DJANGO_ADVISORY]})
    lookup = _lookup(service)
    lookup.lookup("django", "3.2.0")
    service.failures["django"] = ServiceConnectionError("gone")

    _, audit = vulnerability_findings([_pin("django", "3.2.0")], lookup)

    assert audit["vulnerable"][0]["fixed_in"] == ""


def _refused(*args, **kwargs):
    raise pip_audit_pypi.requests.ConnectionError(
        "HTTPSConnectionPool(host='pypi.org', port=443): Max retries exceeded"
    )


def test_pypi_service_whose_connection_is_refused_leaves_the_gate_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = live.live_service(live.PYPI, timeout=1, cache_dir=tmp_path)
    assert isinstance(service, PyPIService)
    monkeypatch.setattr(service.session, "get", _refused)

    _, audit = vulnerability_findings(
        [_pin("requests", "2.32.3"), _pin("flask", "3.0.0", 2)],
        live.LiveLookup(service, label=live.LABELS[live.PYPI]),
    )

    assert audit["gate"] == "unknown"
    assert audit["audited"] == 0
    assert audit["not_audited"][0]["reason"].startswith(
        "the PyPI service could not be reached: HTTPSConnectionPool(host='pypi.org'"
    )


def test_pypi_service_answering_404_for_every_version_is_not_a_clean_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pip-audit itself would print "No known vulnerabilities found" and exit 0 here.
    def not_found(url: str, **kwargs):
        response = pip_audit_pypi.requests.Response()
        response.status_code = 404
        response.url = url
        return response

    service = live.live_service(live.PYPI, timeout=1, cache_dir=tmp_path)
    monkeypatch.setattr(service.session, "get", not_found)

    _, audit = vulnerability_findings(
        [_pin("requests", "2.32.3")], live.LiveLookup(service, label=live.LABELS[live.PYPI])
    )

    assert audit["gate"] == "unknown"
    [not_audited] = audit["not_audited"]
    assert not_audited["reason"] == (
        "the PyPI service skipped it: Dependency not found on PyPI and could not be audited: "
        "requests (2.32.3)"
    )


def test_osv_service_connect_timeout_leaves_the_gate_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def timeout(*args, **kwargs):
        raise pip_audit_osv.requests.ConnectTimeout("timed out")

    service = live.live_service(live.OSV, timeout=1, cache_dir=tmp_path)
    assert isinstance(service, OsvService)
    monkeypatch.setattr(service.session, "post", timeout)

    _, audit = vulnerability_findings(
        [_pin("requests", "2.32.3")], live.LiveLookup(service, label=live.LABELS[live.OSV])
    )

    assert audit["gate"] == "unknown"
    assert audit["not_audited"][0]["reason"] == (
        "the OSV service could not be reached: Could not connect to OSV's vulnerability feed"
    )


def test_there_is_no_third_live_service() -> None:
    with pytest.raises(ValueError, match="no live vulnerability service 'mirror'"):
        live.live_service("mirror", timeout=1, cache_dir=Path("/nonexistent"))
