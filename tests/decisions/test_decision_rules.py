"""Decision rules: applied now, to later scans' records, and given back when they end."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from decisions import services, tasks
from decisions.models import DecisionEvent, DecisionRecord, DecisionRule, RuleApplication, State
from decisions.services import rules
from inventory.models import Role
from scanning import services as scanning_services
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


@pytest.fixture
def setting(tmp_path, team):
    lead = factories.member(team, Role.TRIAGER, "lead")
    path = factories.git_repository(
        tmp_path / "app",
        {"requirements.txt": "pandas==2.1.0\n", "app/__init__.py": "", "app/main.py": "x = 1\n"},
    )
    repository = factories.repository(team, location=str(path))
    return lead, repository, path


def _scan(repository):
    run, _ = scanning_services.scan_run_create(repository=repository)
    return services.repository_scan(repository_id=repository.pk, scan_run_id=run.pk)


def _keep_pandas(lead, team, **extra):
    return rules.rule_create(
        actor=lead,
        reason="pandas is loaded by the notebooks server",
        next_action="keep",
        ends_on=extra.pop("ends_on", TODAY + datetime.timedelta(days=90)),
        teams=[team],
        kinds=["unused"],
        packages=["Pandas"],  # canonicalised as the records' subjects are
        **extra,
    )


def test_a_rule_decides_the_matching_records_a_later_scan_finds(setting, team):
    lead, repository, _ = setting
    rule, now = _keep_pandas(lead, team)
    assert now.applied == []  # nothing found yet
    _scan(repository)
    record = DecisionRecord.objects.get(repository=repository, subject="pandas", kind="unused")
    assert record.state == State.KEPT
    assert record.next_action == "keep"
    assert record.events.filter(
        field="state", new_value=State.KEPT, comment__contains=f"Decision rule {rule.pk}"
    ).exists()
    assert RuleApplication.objects.filter(rule=rule, record=record).exists()
    # Other findings of the scan are outside the rule's scope and stay new.
    others = DecisionRecord.objects.filter(repository=repository).exclude(pk=record.pk)
    assert others and all(r.state == State.NEW for r in others)


def test_a_rescan_does_not_apply_a_rule_twice(setting, team):
    lead, repository, path = setting
    _keep_pandas(lead, team)
    _scan(repository)
    last = DecisionEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    (path / "app" / "main.py").write_text("y = 2\n")
    factories.git_repository(path, {})
    _scan(repository)
    record = DecisionRecord.objects.get(repository=repository, subject="pandas", kind="unused")
    assert record.state == State.KEPT
    assert RuleApplication.objects.count() == 1
    assert not DecisionEvent.objects.filter(pk__gt=last, record=record, field="state").exists()


def test_a_rule_applies_to_existing_records_when_created(team):
    lead = factories.member(team, Role.TRIAGER)
    repository = factories.repository(team)
    record = factories.record(repository, subject="pandas", kind="unused")
    decided_elsewhere = factories.record(repository, subject="pandas", kind="missing")
    _rule, result = _keep_pandas(lead, team)
    assert result.applied == [record.pk]
    record.refresh_from_db()
    assert record.state == State.KEPT
    decided_elsewhere.refresh_from_db()
    assert decided_elsewhere.state == State.NEW


def test_a_rule_never_reaches_beyond_its_author(team):
    lead = factories.member(team, Role.TRIAGER)
    factories.repository(team)
    other_team = factories.team()
    factories.record(factories.repository(other_team), subject="pandas", kind="unused")
    with pytest.raises(PermissionDenied):
        _keep_pandas(lead, other_team)
    # Unscoped by team: still only the author's own teams.
    _rule, result = rules.rule_create(
        actor=lead,
        reason="everyone keeps pandas",
        next_action="keep",
        ends_on=TODAY + datetime.timedelta(days=1),
        packages=["pandas"],
    )
    assert result.applied == []
    assert DecisionRecord.objects.get(subject="pandas").state == State.NEW


def test_a_viewer_cannot_make_rules(team):
    factories.repository(team)
    viewer = factories.member(team, Role.VIEWER)
    with pytest.raises(PermissionDenied):
        _keep_pandas(viewer, team)


def test_rules_need_a_reason_and_a_future_end(team):
    lead = factories.member(team, Role.TRIAGER)
    factories.repository(team)
    with pytest.raises(ValidationError):
        _keep_pandas(lead, team, ends_on=TODAY - datetime.timedelta(days=1))
    with pytest.raises(ValidationError):
        rules.rule_create(actor=lead, reason=" ", next_action="keep", ends_on=TODAY, teams=[team])
    with pytest.raises(ValidationError):  # a vulnerability kept needs a reason and a date
        rules.rule_create(
            actor=lead, reason="x", next_action="keep", ends_on=TODAY, kinds=["vulnerable"]
        )


def test_a_lapsed_rule_gives_its_records_back_to_triage_once(team):
    lead = factories.member(team, Role.TRIAGER)
    repository = factories.repository(team)
    record = factories.record(repository, subject="pandas", kind="unused")
    moved_on = factories.record(repository, subject="pandas", kind="dev-in-prod")
    rule, _ = rules.rule_create(
        actor=lead,
        reason="keep for the quarter",
        next_action="keep",
        ends_on=TODAY,
        teams=[team],
        packages=["pandas"],
    )
    # A person reopens and decides one of them again: theirs stands after the rule ends.
    services.record_move(record=moved_on, actor=lead, move="reopen")
    tomorrow = TODAY + datetime.timedelta(days=1)
    assert rules.rules_lapse(today=TODAY) == 0  # still holds on its last day
    assert rules.rules_lapse(today=tomorrow) == 1
    assert rules.rules_lapse(today=tomorrow) == 0
    record.refresh_from_db()
    assert (record.state, record.next_action) == (State.REOPENED, "")
    event = record.events.filter(field="state").last()
    assert event.new_value == State.REOPENED
    assert f"Decision rule {rule.pk} lapsed" in event.comment
    moved_on.refresh_from_db()
    assert moved_on.state == State.REOPENED
    assert not moved_on.events.filter(comment__contains="lapsed").exists()
    # A lapsed rule decides nothing found later.
    later = factories.record(repository, subject="pandas", kind="missing")
    run = scanning_services.scan_run_create(repository=repository)[0]
    rules.records_after_scan(scan_run=run)
    later.refresh_from_db()
    assert later.state == State.NEW


def test_the_lapse_task_is_harmless_twice(team, monkeypatch):
    lead = factories.member(team, Role.TRIAGER)
    record = factories.record(factories.repository(team), subject="pandas", kind="unused")
    rules.rule_create(
        actor=lead, reason="r", next_action="keep", ends_on=TODAY, packages=["pandas"]
    )
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY + datetime.timedelta(days=2))
    tasks.decision_rules_lapse_task()
    tasks.decision_rules_lapse_task()
    record.refresh_from_db()
    assert record.state == State.REOPENED
    assert record.events.filter(new_value=State.REOPENED).count() == 1


def test_withdrawing_a_rule_gives_back_what_it_decided(client, team):
    lead = factories.member(team, Role.TRIAGER)
    record = factories.record(factories.repository(team), subject="pandas", kind="unused")
    rule, _ = _keep_pandas(lead, team)
    other = factories.member(team, Role.TRIAGER)
    with pytest.raises(PermissionDenied):
        rules.rule_withdraw(rule=rule, actor=other)
    client.force_login(lead)
    response = client.post(
        reverse("decisions:rule-withdraw", args=[rule.pk]), {"reason": "notebooks retired"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == State.REOPENED
    assert record.events.filter(
        comment__contains="withdrawn by", actor=lead, new_value=State.REOPENED
    ).exists()
    rule.refresh_from_db()
    assert rule.withdrawn_by == lead
    with pytest.raises(ValidationError):
        rules.rule_withdraw(rule=rule, actor=lead)


def test_rule_page_creates_a_rule_and_lists_it(client, team):
    lead = factories.member(team, Role.TRIAGER)
    record = factories.record(factories.repository(team), subject="pytest", kind="dev-in-prod")
    client.force_login(lead)
    response = client.post(
        reverse("decisions:rule-list"),
        {
            "reason": "pytest ships in the image for smoke tests",
            "next_action": "keep",
            "ends_on": (TODAY + datetime.timedelta(days=30)).isoformat(),
            "kinds": ["dev-in-prod"],
            "packages": "pytest",
            "teams": [team.pk],
        },
    )
    # Back to the rules (a reload must not create the rule again), saying what it decided.
    assert response.status_code == 302
    assert response.url == reverse("decisions:rule-list")
    record.refresh_from_db()
    assert record.state == State.KEPT
    page = client.get(reverse("decisions:rule-list")).content.decode()
    assert "pytest ships in the image" in page
    rule = DecisionRule.objects.get()
    assert f"Rule {rule.pk} created: 1 record(s) decided now." in page


def test_a_viewer_gets_no_rule_form_and_a_clear_refusal(client, team):
    viewer = factories.member(team, Role.VIEWER)
    factories.repository(team)
    client.force_login(viewer)
    page = client.get(reverse("decisions:rule-list")).content.decode()
    assert "Create and apply" not in page
    assert "cannot create rules" in page
    response = client.post(
        reverse("decisions:rule-list"),
        {
            "reason": "keep it",
            "next_action": "keep",
            "ends_on": (TODAY + datetime.timedelta(days=30)).isoformat(),
            "packages": "pytest",
        },
    )
    assert response.status_code == 403
    assert not DecisionRule.objects.exists()


def test_rule_page_hides_other_teams_rules(client, team):
    lead = factories.member(team, Role.TRIAGER)
    factories.repository(team)
    _keep_pandas(lead, team)
    outsider = factories.member(factories.team(), Role.TRIAGER)
    client.force_login(outsider)
    assert "notebooks server" not in client.get(reverse("decisions:rule-list")).content.decode()


def test_a_rule_stops_deciding_when_its_author_can_no_longer_change_records(team):
    from inventory.models import Membership

    lead = factories.member(team, Role.TRIAGER)
    repository = factories.repository(team)
    _keep_pandas(lead, team)
    Membership.objects.filter(user=lead, team=team).update(role=Role.VIEWER)
    later = factories.record(repository, subject="pandas", kind="unused")
    run = scanning_services.scan_run_create(repository=repository)[0]
    rules.records_after_scan(scan_run=run)
    later.refresh_from_db()
    assert later.state == State.NEW
    assert not later.events.exists()
