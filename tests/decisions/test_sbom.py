"""CycloneDX SBOM and VEX of a scanned repository: valid (CycloneDX's own JSON validator) and
read back with the library into the components and analyses they were made from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cyclonedx.model.bom import Bom
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from django.test import Client

from decisions import sbom, services
from decisions.models import DecisionRecord, State, Suppression
from inventory.models import Role
from scanning import services as scanning_services
from scanning.models import Advisory
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
ADVISORIES = ROOT / "tests" / "fixtures" / "advisories" / "pypa"


def _valid(text: str) -> Bom:
    errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    assert errors is None, errors
    return Bom.from_json(json.loads(text))  # type: ignore[attr-defined]


@pytest.fixture
def scanned(tmp_path, team):
    from django.core.management import call_command

    call_command("sync_advisories", str(ADVISORIES), verbosity=0)
    assert Advisory.objects.exists()
    path = factories.git_repository(
        tmp_path / "shop",
        {
            "requirements.txt": "jinja2==2.10\nrequests>=2.31\napache-skywalking==1.0.1\n",
            "app/__init__.py": "",
            "app/main.py": "import jinja2\nimport requests\nimport skywalking\n",
        },
    )
    repository = factories.repository(team, location=str(path))
    run, _ = scanning_services.scan_run_create(repository=repository)
    assert services.repository_scan(repository_id=repository.pk, scan_run_id=run.pk).status == (
        "succeeded"
    )
    return repository


def test_the_sbom_lists_what_the_manifests_declare_and_reads_back(scanned):
    bom = _valid(sbom.sbom(scanned))

    by_name = {c.name: c for c in bom.components}
    assert set(by_name) == {"jinja2", "requests", "apache-skywalking"}
    assert by_name["jinja2"].version == "2.10"
    assert str(by_name["jinja2"].purl) == "pkg:pypi/jinja2@2.10"
    assert by_name["requests"].version is None  # a range is no version
    assert bom.metadata.component.name == scanned.name
    assert not bom.vulnerabilities


def test_the_vex_says_what_people_decided_and_nothing_more(scanned):
    kept = DecisionRecord.objects.get(repository=scanned, kind="vulnerable", subject="jinja2")
    kept.state = State.KEPT
    kept.suppression = Suppression.NOT_AFFECTED
    kept.current_purpose = "templates are ours; the sandbox is not used"
    kept.save()

    bom = _valid(sbom.vex(scanned))

    by_id = {v.id: v for v in bom.vulnerabilities}
    assert set(by_id) == {"PYSEC-2019-217", "PYSEC-2020-342"}
    jinja = by_id["PYSEC-2019-217"]
    assert jinja.analysis.state.value == "not_affected"
    assert jinja.analysis.detail == "templates are ours; the sandbox is not used"
    assert [t.ref for t in jinja.affects] == ["pkg:pypi/jinja2@2.10"]
    assert {p.value for p in jinja.properties} == {"CVE-2019-10906", "GHSA-462w-v97r-4m45"}
    # Nobody analysed this one: it is in triage, not "not affected".
    skywalking = by_id["PYSEC-2020-342"]
    assert skywalking.analysis.state.value == "in_triage"
    assert [float(r.score) for r in skywalking.ratings] == [9.8]


def test_accepted_risk_is_exploitable_with_will_not_fix(repository):
    record = factories.record(
        repository, kind="vulnerable", state=State.KEPT, suppression=Suppression.ACCEPTED_RISK
    )

    analysis = sbom.analysis_of(record)

    assert analysis.state.value == "exploitable"
    assert [r.value for r in analysis.responses] == ["will_not_fix"]


def test_the_downloads_are_for_people_who_see_the_repository(scanned, team):
    client = Client()
    client.force_login(factories.member(team, Role.VIEWER))
    outsider = Client()
    outsider.force_login(factories.member(factories.team(), Role.VIEWER))

    for document in ("sbom", "vex"):
        url = f"/repositories/{scanned.pk}/{document}.cdx.json"
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.cyclonedx+json")
        _valid(response.content.decode())
        assert outsider.get(url).status_code == 404


def test_peoples_own_analysis_of_an_alias_is_exported_as_given(repository):
    from datetime import UTC, datetime

    from decisions.models_portfolio import VulnerabilityAnalysis as Analysis

    record = factories.record(repository, kind="vulnerable", subject="jinja2")
    Analysis.objects.create(
        record=record,
        advisory_id="GHSA-462w-v97r-4m45",
        aliases=["CVE-2019-10906"],
        state="not_affected",
        justification="code_not_reachable",
        responses=[],
        detail="no sandboxed templates",
        analysed_at=datetime(2026, 1, 1, tzinfo=UTC),
    )

    mine = sbom.analysis_of(record, {"PYSEC-2019-217", "CVE-2019-10906"})
    other = sbom.analysis_of(record, {"PYSEC-2020-342"})

    assert (mine.state.value, mine.justification.value) == ("not_affected", "code_not_reachable")
    assert mine.detail == "no sandboxed templates"
    assert other.state.value == "in_triage"  # that analysis was about another advisory
