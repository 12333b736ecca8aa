from __future__ import annotations

from packaging.version import Version
from pip_audit._audit import Auditor
from pip_audit._fix import resolve_fix_versions
from pip_audit._service.interface import ResolvedDependency, SkippedDependency

from scanning.advisories.index import AdvisoryIndex
from scanning.advisories.pip_audit_service import (
    NOT_PINNED,
    MirrorVulnerabilityService,
    PinnedDependencySource,
    dependency_for,
)
from tests.scanning.advisories.support import advisory


def test_vulnerable_pin_gets_results_with_aliases_and_sorted_fix_versions(
    fixture_index: AdvisoryIndex,
) -> None:
    service = MirrorVulnerabilityService(fixture_index)

    dep, results = service.query(ResolvedDependency("Jinja2", Version("2.10")))

    assert dep == ResolvedDependency("Jinja2", Version("2.10"))
    by_id = {r.id: r for r in results}
    # pip-audit puts PYSEC first, then CVE ids, as its own OSV service does.
    assert set(by_id) == {"PYSEC-2019-217", "CVE-2024-22195"}
    assert by_id["PYSEC-2019-217"].aliases == {"CVE-2019-10906", "GHSA-462w-v97r-4m45"}
    assert by_id["PYSEC-2019-217"].fix_versions == [Version("2.10.1")]
    assert by_id["CVE-2024-22195"].aliases == {"GHSA-h5c8-rqwp-cp95"}
    assert by_id["CVE-2024-22195"].fix_versions == [Version("3.1.3")]
    assert "\n" not in by_id["PYSEC-2019-217"].description


def test_auditor_skips_unpinned_and_merges_aliases(fixture_index: AdvisoryIndex) -> None:
    source = PinnedDependencySource(
        [("django", "4.2.1"), ("requests", None), ("jinja2", "3.1.4"), ("py", "latest")]
    )

    audited = dict(Auditor(MirrorVulnerabilityService(fixture_index)).audit(source))

    django = ResolvedDependency("django", Version("4.2.1"))
    (result,) = audited[django]  # PYSEC-2023-100 and its GHSA twin share CVE-2023-36053
    assert result.id == "PYSEC-2023-100"
    assert result.aliases == {"CVE-2023-36053", "GHSA-jh3w-4vvf-mjgr"}
    assert audited[SkippedDependency("requests", NOT_PINNED)] == []
    assert audited[ResolvedDependency("jinja2", Version("3.1.4"))] == []
    (skipped_py,) = [d for d in audited if d.name == "py"]
    assert skipped_py.is_skipped()
    assert "not PEP 440" in skipped_py.skip_reason


def test_pip_audit_fix_resolution_walks_to_a_version_free_of_every_advisory(
    fixture_index: AdvisoryIndex,
) -> None:
    service = MirrorVulnerabilityService(fixture_index)
    source = PinnedDependencySource([("jinja2", "2.10"), ("requests", "2.30.0")])
    audited = dict(Auditor(service).audit(source))

    fixes = {fix.dep.name: fix.version for fix in resolve_fix_versions(service, audited)}

    # 2.10.1 fixes the PYSEC record but is still hit by GHSA-h5c8-rqwp-cp95.
    assert fixes == {"jinja2": Version("3.1.3"), "requests": Version("2.31.0")}


def test_advisory_without_a_fix_makes_fix_resolution_skip(fixture_index: AdvisoryIndex) -> None:
    service = MirrorVulnerabilityService(fixture_index)
    audited = dict(Auditor(service).audit(PinnedDependencySource([("py", "1.11.0")])))

    (fix,) = resolve_fix_versions(service, audited)

    assert fix.is_skipped()


def test_withdrawn_advisory_is_not_reported(fixture_index: AdvisoryIndex) -> None:
    _, results = MirrorVulnerabilityService(fixture_index).query(
        ResolvedDependency("redis", Version("4.5.5"))
    )

    assert results == []


def test_unusable_mirror_skips_every_dependency_instead_of_passing_it(
    fixture_index: AdvisoryIndex,
) -> None:
    service = MirrorVulnerabilityService(fixture_index, unavailable_reason="mirror never synced")

    dep, results = service.query(ResolvedDependency("flask", Version("3.0.0")))

    assert dep == SkippedDependency("flask", "mirror never synced")
    assert results == []


def test_only_unevaluable_advisories_make_the_dependency_skipped() -> None:
    index = AdvisoryIndex([advisory("PYSEC-9", events=(("introduced", "0"), ("fixed", "r2")))])

    dep, results = MirrorVulnerabilityService(index).query(
        ResolvedDependency("demo-pkg", Version("1.0"))
    )

    assert dep.is_skipped()
    assert "PYSEC-9" in dep.skip_reason
    assert results == []


def test_dependency_for_a_pin_and_for_what_is_not_one() -> None:
    assert dependency_for("Flask", " 3.0.0 ") == ResolvedDependency("Flask", Version("3.0.0"))
    assert dependency_for("flask", "") == SkippedDependency("flask", NOT_PINNED)
    assert dependency_for("flask", None) == SkippedDependency("flask", NOT_PINNED)
    assert dependency_for("flask", ">=3").is_skipped()
