"""Vulnerability analysis: the CycloneDX vocabulary, its mapping onto next actions, and one
analysis applied to every record found under the advisory or any alias."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from decisions import vex
from decisions.models import DecisionRecord, RecordAdvisory, State, VulnerabilityAnalysis
from decisions.selectors import portfolio
from decisions.services import analyses, rules
from inventory.models import Role
from scanning.models import Advisory, ScanRun, ScanStatus
from tests import factories

pytestmark = pytest.mark.django_db
REVIEW = datetime.date.today() + datetime.timedelta(days=60)


@pytest.mark.parametrize(
    ("state", "responses", "action", "suppression"),
    [
        ("in_triage", [], "investigate", ""),
        ("not_affected", [], "keep", "not-affected"),
        ("false_positive", [], "keep", "false-positive"),
        ("resolved", [], None, ""),
        ("exploitable", [], "investigate", ""),
        ("exploitable", ["update"], "reduce", ""),
        ("exploitable", ["rollback"], "reduce", ""),
        ("exploitable", ["workaround_available"], "disable", ""),
        ("exploitable", ["will_not_fix"], "keep", "accepted-risk"),
        ("exploitable", ["can_not_fix"], "keep", "accepted-risk"),
        # A fix offered beside "won't fix" is the one to take.
        ("exploitable", ["will_not_fix", "update"], "reduce", ""),
    ],
)
def test_each_analysis_maps_onto_one_next_action(state, responses, action, suppression):
    step = vex.next_step(state=state, responses=responses)
    assert (step.next_action, step.suppression) == (action, suppression)


def test_values_outside_the_vocabulary_are_refused():
    with pytest.raises(ValueError):
        vex.next_step(state="fine", responses=[])
    with pytest.raises(ValueError):
        vex.next_step(state="exploitable", responses=["ignore"])
    with pytest.raises(ValidationError):
        analyses.Analysis(state="exploitable", justification="code_not_present").check()
    with pytest.raises(ValidationError):
        analyses.Analysis(state="not_affected").check()  # says why not


def test_the_vocabulary_is_cyclonedx():
    assert set(vex.AnalysisState.values) == {
        "exploitable",
        "in_triage",
        "false_positive",
        "not_affected",
        "resolved",
    }
    assert len(vex.Justification.values) == 9
    assert set(vex.Response.values) == {
        "can_not_fix",
        "will_not_fix",
        "update",
        "rollback",
        "workaround_available",
    }


def _found(repository, package: str, advisories: list[dict]) -> DecisionRecord:
    """A vulnerable record of ``package`` as a scan with this audit leaves it."""
    record = factories.record(repository, subject=package, kind="vulnerable", severity="high")
    run = ScanRun.objects.create(
        repository=repository,
        status=ScanStatus.SUCCEEDED,
        audit={"vulnerable": [{"name": package, "advisories": advisories}]},
    )
    rules.records_after_scan(scan_run=run)
    return record


@pytest.fixture
def aliases(team):
    lead = factories.member(team, Role.TRIAGER)
    pysec = _found(
        factories.repository(team),
        "jinja2",
        [{"id": "PYSEC-2024-1", "aliases": ["CVE-2024-22195", "GHSA-h5c8-rqwp-cp95"]}],
    )
    ghsa = _found(
        factories.repository(team),
        "jinja2",
        [{"id": "GHSA-h5c8-rqwp-cp95", "aliases": ["CVE-2024-22195"]}],
    )
    unrelated = _found(factories.repository(team), "jinja2", [{"id": "GHSA-other", "aliases": []}])
    return lead, pysec, ghsa, unrelated


def test_advisory_ids_of_a_scan_are_stored_per_record(aliases):
    _, pysec, _, _ = aliases
    assert set(
        RecordAdvisory.objects.filter(record=pysec).values_list("advisory_id", "osv_id")
    ) == {
        ("PYSEC-2024-1", "PYSEC-2024-1"),
        ("CVE-2024-22195", "PYSEC-2024-1"),
        ("GHSA-h5c8-rqwp-cp95", "PYSEC-2024-1"),
    }


def test_every_alias_leads_to_every_record(aliases):
    _, _pysec, _ghsa, _unrelated = aliases
    for advisory_id in ("CVE-2024-22195", "GHSA-h5c8-rqwp-cp95", "PYSEC-2024-1"):
        assert portfolio.alias_ids(advisory_id) == {
            "PYSEC-2024-1",
            "CVE-2024-22195",
            "GHSA-h5c8-rqwp-cp95",
        }
    assert portfolio.alias_ids("GHSA-other") == {"GHSA-other"}


def test_the_mirror_adds_aliases_no_record_lists(aliases):
    Advisory.objects.create(
        osv_id="GHSA-other",
        aliases=["CVE-2099-1"],
        modified=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
    )
    assert portfolio.alias_ids("GHSA-other") == {"GHSA-other", "CVE-2099-1"}


def test_one_analysis_decides_the_records_of_every_alias(aliases):
    lead, pysec, ghsa, unrelated = aliases
    ids, result = analyses.analysis_apply(
        actor=lead,
        advisory_id="CVE-2024-22195",
        analysis=analyses.Analysis(
            state="not_affected",
            justification="code_not_reachable",
            detail="We never render untrusted templates",
        ),
        review_date=REVIEW,
    )
    assert set(result.applied) == {pysec.pk, ghsa.pk}
    for record in (pysec, ghsa):
        record.refresh_from_db()
        assert (record.state, record.suppression, record.review_date) == (
            State.KEPT,
            "not-affected",
            REVIEW,
        )
        analysis = VulnerabilityAnalysis.objects.get(record=record)
        assert analysis.justification == "code_not_reachable"
        assert set(analysis.aliases) == ids
        assert record.events.filter(field="analysis", actor=lead).exists()
    unrelated.refresh_from_db()
    assert unrelated.state == State.NEW
    assert not unrelated.analyses.exists()


def test_a_record_with_another_open_advisory_is_not_kept(team):
    lead = factories.member(team, Role.TRIAGER)
    record = _found(
        factories.repository(team),
        "urllib3",
        [{"id": "GHSA-a", "aliases": ["CVE-a"]}, {"id": "GHSA-b", "aliases": []}],
    )
    _, result = analyses.analysis_apply(
        actor=lead,
        advisory_id="CVE-a",
        analysis=analyses.Analysis(state="false_positive"),
        review_date=REVIEW,
    )
    assert "GHSA-b" in result.skipped[record.pk]
    record.refresh_from_db()
    assert record.state == State.NEW
    assert record.analyses.count() == 1  # the analysis itself is kept
    _, result = analyses.analysis_apply(
        actor=lead,
        advisory_id="GHSA-b",
        analysis=analyses.Analysis(state="exploitable", responses=("will_not_fix",)),
        review_date=REVIEW,
    )
    assert result.applied == [record.pk]
    record.refresh_from_db()
    assert (record.state, record.suppression) == (State.KEPT, "accepted-risk")


def test_an_exploitable_update_asks_the_owner(team):
    lead = factories.member(team, Role.TRIAGER)
    owner = factories.member(team, Role.OWNER)
    record = _found(factories.repository(team), "requests", [{"id": "GHSA-u", "aliases": []}])
    _, result = analyses.analysis_apply(
        actor=lead,
        advisory_id="GHSA-u",
        analysis=analyses.Analysis(state="exploitable", responses=("update",)),
        owners={team.pk: owner},
    )
    assert result.applied == [record.pk]
    record.refresh_from_db()
    assert (record.state, record.next_action, record.owner) == (
        State.AWAITING_APPROVAL,
        "reduce",
        owner,
    )


def test_analysis_skips_what_the_analyst_cannot_change(aliases):
    _, pysec, _ghsa, _ = aliases
    outsider_team = factories.team()
    outsider = factories.member(outsider_team, Role.TRIAGER)
    viewer = factories.member(pysec.repository.team, Role.VIEWER)
    for person in (outsider, viewer):
        _, result = analyses.analysis_apply(
            actor=person,
            advisory_id="CVE-2024-22195",
            analysis=analyses.Analysis(state="false_positive"),
            review_date=REVIEW,
        )
        assert result.applied == []
    assert not VulnerabilityAnalysis.objects.exists()
    assert DecisionRecord.objects.get(pk=pysec.pk).state == State.NEW


def test_portfolio_by_advisory_lists_alias_records_and_the_analysis_form(client, aliases):
    lead, pysec, ghsa, unrelated = aliases
    client.force_login(lead)
    body = client.get(reverse("decisions:portfolio"), {"advisory": "CVE-2024-22195"}).content
    body = body.decode()
    assert reverse("decisions:record-detail", args=[pysec.pk]) in body
    assert reverse("decisions:record-detail", args=[ghsa.pk]) in body
    assert reverse("decisions:record-detail", args=[unrelated.pk]) not in body
    assert "Vulnerability analysis of CVE-2024-22195" in body
    response = client.post(
        reverse("decisions:analysis-apply"),
        {
            "advisory": "GHSA-h5c8-rqwp-cp95",
            "state": "not_affected",
            "justification": "requires_configuration",
            "review_date": REVIEW.isoformat(),
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert DecisionRecord.objects.filter(state=State.KEPT).count() == 2


def test_portfolio_by_advisory_stays_within_twelve_queries(client, aliases):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lead, *_ = aliases
    client.force_login(lead)
    client.get(reverse("decisions:portfolio"), {"advisory": "CVE-2024-22195"})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("decisions:portfolio"), {"advisory": "CVE-2024-22195"})
    assert response.status_code == 200
    assert len(queries) <= 12, [q["sql"] for q in queries]
