"""Portfolio view and one decision applied to many records, with mixed permissions."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from decisions.models import DecisionEvent, DecisionRecord, NextAction, State
from decisions.selectors import portfolio
from decisions.selectors.portfolio import PortfolioForm
from decisions.services.portfolio import Decision, decision_apply
from inventory.models import Membership, Role, Team
from tests import factories

pytestmark = pytest.mark.django_db
REVIEW = datetime.date.today() + datetime.timedelta(days=30)


@pytest.fixture
def org():
    """Three teams with ``requests`` unused in each; the lead leads A, views B, is not in C."""
    teams = {name: factories.team(f"Team {name}") for name in "ABC"}
    lead = factories.member(teams["A"], Role.TRIAGER, "lead")
    Membership.objects.create(team=teams["B"], user=lead, role=Role.VIEWER)
    owner_a = factories.member(teams["A"], Role.OWNER, "owner-a")
    records = {}
    for name, team in teams.items():
        for n in range(2):
            repo = factories.repository(team)
            records[(name, n)] = factories.record(repo, subject="requests", kind="unused")
        factories.record(repo, subject="flask", kind="unused")
    return teams, lead, owner_a, records


def _portfolio(user, **params):
    teams = Team.objects.all()
    return portfolio.portfolio(user=user, form=PortfolioForm(params, teams=teams))


def test_portfolio_counts_per_team_and_state_only_what_the_user_can_see(org):
    _teams, lead, _, records = org
    records[("A", 0)].state = State.TRIAGED
    records[("A", 0)].save()
    result = _portfolio(lead, package="requests")
    counts = {row.team: dict(row.by_state) for row in result.teams}
    assert counts == {"Team A": {"new": 1, "triaged": 1}, "Team B": {"new": 2}}
    assert result.total == 4
    assert {r.pk for r in result.records} == {
        records[k].pk for k in (("A", 0), ("A", 1), ("B", 0), ("B", 1))
    }


def test_portfolio_filters_by_team_and_state(org):
    teams, lead, _, records = org
    result = _portfolio(lead, package="Requests", team=str(teams["B"].pk), state="new")
    assert {r.pk for r in result.records} == {records[("B", 0)].pk, records[("B", 1)].pk}
    # The counts stay the subject's whole picture; the list is what the filters keep.
    assert result.total == 4


def test_portfolio_by_kind_and_empty_subject(org):
    _, lead, _, _ = org
    assert _portfolio(lead, kind="unused").total == 6
    assert _portfolio(lead).total == 0
    assert _portfolio(lead).records == []


def test_a_user_in_no_team_sees_nothing(org):
    outsider = factories.user()
    assert _portfolio(outsider, package="requests").total == 0


def test_apply_decides_editable_records_and_lists_the_rest_as_skipped(org):
    teams, lead, owner_a, records = org
    ids = [r.pk for r in records.values()]
    before_b = {
        r.pk: (r.state, r.next_action, r.owner_id)
        for r in DecisionRecord.objects.filter(repository__team__in=[teams["B"], teams["C"]])
    }
    result = decision_apply(
        actor=lead,
        record_ids=ids,
        decision=Decision(
            next_action=NextAction.INVESTIGATE,
            justification="Check whether the HTTP client is still needed",
            review_date=REVIEW,
            owners={teams["A"].pk: owner_a},
        ),
    )
    decided = {records[("A", 0)].pk, records[("A", 1)].pk}
    assert set(result.applied) == decided
    assert set(result.skipped) == set(ids) - decided
    assert all(why == "You cannot change this record." for why in result.skipped.values())
    for record in DecisionRecord.objects.filter(pk__in=decided):
        assert (record.state, record.next_action, record.owner) == (
            State.TRIAGED,
            NextAction.INVESTIGATE,
            owner_a,
        )
        assert record.review_date == REVIEW
        fields = set(record.events.values_list("field", flat=True))
        assert {"next_action", "owner", "review_date", "state"} <= fields
        assert record.events.filter(comment__contains="still needed").exists()
    after_b = {
        r.pk: (r.state, r.next_action, r.owner_id)
        for r in DecisionRecord.objects.filter(repository__team__in=[teams["B"], teams["C"]])
    }
    assert after_b == before_b
    assert not DecisionEvent.objects.filter(record_id__in=before_b).exists()


def test_apply_keep_closes_through_the_lifecycle_with_the_justification(org):
    _, lead, _, records = org
    pk = records[("A", 0)].pk
    result = decision_apply(
        actor=lead,
        record_ids=[pk],
        decision=Decision(next_action=NextAction.KEEP, justification="Used by a plugin"),
    )
    assert result.applied == [pk]
    record = DecisionRecord.objects.get(pk=pk)
    assert record.state == State.KEPT
    assert record.events.filter(field="state", new_value=State.KEPT, actor=lead).exists()


def test_apply_a_change_asks_the_owner_and_never_approves_it(org):
    teams, lead, owner_a, records = org
    pk = records[("A", 0)].pk
    result = decision_apply(
        actor=lead,
        record_ids=[pk],
        decision=Decision(
            next_action=NextAction.ARCHIVE,
            justification="Archive the old client",
            owners={teams["A"].pk: owner_a},
        ),
    )
    assert result.applied == [pk]
    record = DecisionRecord.objects.get(pk=pk)
    assert record.state == State.AWAITING_APPROVAL
    assert record.proposed_by == lead
    assert not record.approvals.exists()


def test_a_refused_record_is_left_exactly_as_it_was(org):
    _, lead, _, records = org
    pk = records[("A", 0)].pk
    # Investigate needs an owner and a review date: refused, so nothing of it is written.
    result = decision_apply(
        actor=lead,
        record_ids=[pk],
        decision=Decision(next_action=NextAction.INVESTIGATE, justification="why"),
    )
    assert result.applied == []
    assert "owner and a review date" in result.skipped[pk]
    record = DecisionRecord.objects.get(pk=pk)
    assert (record.state, record.next_action) == (State.NEW, "")
    assert not record.events.exists()


def test_a_viewer_applies_nothing(org):
    teams, _, _, records = org
    viewer = factories.member(teams["A"], Role.VIEWER)
    ids = [r.pk for r in records.values()]
    result = decision_apply(
        actor=viewer,
        record_ids=ids,
        decision=Decision(next_action=NextAction.KEEP, justification="no"),
    )
    assert result.applied == []
    assert set(result.skipped) == set(ids)
    assert not DecisionEvent.objects.exists()


def test_a_decision_needs_a_justification():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        Decision(next_action=NextAction.KEEP, justification="  ")
    with pytest.raises(ValidationError):
        Decision(next_action="delete-everything", justification="x")


# --- views -----------------------------------------------------------------------------------


def test_portfolio_page_htmx_returns_the_fragment_with_links(client, org):
    _, lead, _, records = org
    client.force_login(lead)
    url = reverse("decisions:portfolio")
    response = client.get(
        url,
        {"package": "requests"},
        headers={"HX-Request": "true", "HX-Target": "portfolio-results"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="portfolio-results"' in body
    assert reverse("decisions:record-detail", args=[records[("A", 0)].pk]) in body
    assert reverse("decisions:record-detail", args=[records[("C", 0)].pk]) not in body
    # The viewer's team B rows can be opened but not selected.
    assert f'value="{records[("B", 0)].pk}"' not in body
    assert f'value="{records[("A", 0)].pk}"' in body


def test_an_htmx_update_also_refreshes_the_heading_and_the_filters(client, org):
    # A kind link swaps the results; the heading, the kind chosen and the teams of that
    # subject must follow, or "Show" afterwards submits the old (empty) subject.
    teams, lead, _, _ = org
    client.force_login(lead)
    response = client.get(
        reverse("decisions:portfolio"),
        {"kind": "unused"},
        headers={"HX-Request": "true", "HX-Target": "portfolio-results"},
    )
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="portfolio-filters" hx-swap-oob="true"' in body
    assert "<h1>Portfolio: kind Unused</h1>" in body
    assert '<option value="unused" selected>' in body
    assert f'<option value="{teams["A"].pk}">Team A</option>' in body


def test_the_full_page_has_no_out_of_band_filters(client, org):
    _, lead, _, _ = org
    client.force_login(lead)
    body = client.get(reverse("decisions:portfolio"), {"kind": "unused"}).content.decode()
    assert body.count('id="portfolio-filters"') == 1
    assert "hx-swap-oob" not in body


def test_every_hx_get_link_has_an_href(client, org):
    import re

    _, lead, _, _ = org
    client.force_login(lead)
    body = client.get(reverse("decisions:portfolio"), {"package": "requests"}).content.decode()
    assert "<html" in body
    for tag in re.findall(r"<a [^>]*hx-get[^>]*>", body):
        assert "href=" in tag, tag


def test_portfolio_page_stays_within_twelve_queries(client, org):
    _, lead, _, _ = org
    client.force_login(lead)
    client.get(reverse("decisions:portfolio"), {"package": "requests"})
    for params in ({"package": "requests"}, {"kind": "unused", "state": "open"}):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("decisions:portfolio"), params)
        assert response.status_code == 200
        assert len(queries) <= 12, [q["sql"] for q in queries]


def test_apply_view_reports_applied_and_skipped(client, org):
    teams, lead, owner_a, records = org
    client.force_login(lead)
    ids = [records[("A", 0)].pk, records[("B", 0)].pk]
    response = client.post(
        reverse("decisions:portfolio-apply"),
        {
            "ids": ids,
            "next_action": "investigate",
            "justification": "One look for all",
            "review_date": REVIEW.isoformat(),
            f"owner_{teams['A'].pk}": owner_a.pk,
        },
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert "Decided (1)" in body and "Skipped, unchanged (1)" in body
    assert "You cannot change this record." in body
    assert DecisionRecord.objects.get(pk=ids[1]).state == State.NEW


def test_apply_view_refuses_an_owner_from_another_team(client, org):
    teams, lead, _, records = org
    client.force_login(lead)
    stranger = factories.member(teams["C"], Role.OWNER)
    response = client.post(
        reverse("decisions:portfolio-apply"),
        {
            "ids": [records[("A", 0)].pk],
            "next_action": "keep",
            "justification": "x",
            f"owner_{teams['A'].pk}": stranger.pk,
        },
    )
    assert response.status_code == 400
    assert DecisionRecord.objects.get(pk=records[("A", 0)].pk).state == State.NEW


def test_apply_view_without_selection_is_a_clear_error(client, org):
    _, lead, _, _ = org
    client.force_login(lead)
    response = client.post(
        reverse("decisions:portfolio-apply"),
        {"ids": ["x", "-1"], "next_action": "keep", "justification": "x"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert "Select at least one record." in response.content.decode()


def test_a_refused_move_undoes_the_records_edit_too(org):
    _teams, _, owner_a, records = org
    pk = records[("A", 0)].pk
    # Owners may edit records but not keep them (a lead's move): the edit is undone as well.
    result = decision_apply(
        actor=owner_a,
        record_ids=[pk],
        decision=Decision(next_action=NextAction.KEEP, justification="keep it"),
    )
    assert result.applied == []
    assert "cannot keep" in result.skipped[pk]
    record = DecisionRecord.objects.get(pk=pk)
    assert (record.state, record.next_action) == (State.NEW, "")
    assert not record.events.exists()


def test_apply_to_all_matching_records_across_pages(client, org, monkeypatch):
    teams, lead, owner_a, records = org
    monkeypatch.setattr(portfolio, "PAGE_SIZE", 1)
    client.force_login(lead)
    response = client.post(
        reverse("decisions:portfolio-apply"),
        {
            "all_matching": "on",
            "package": "requests",
            "state": "new",
            "next_action": "investigate",
            "justification": "All of them",
            "review_date": REVIEW.isoformat(),
            f"owner_{teams['A'].pk}": owner_a.pk,
        },
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    # Team A decided, team B (viewer) listed as skipped, team C never seen at all.
    assert "Decided (2)" in body and "Skipped, unchanged (2)" in body
    assert DecisionRecord.objects.filter(next_action="investigate").count() == 2
    assert DecisionRecord.objects.get(pk=records[("C", 0)].pk).state == State.NEW
    assert reverse("decisions:record-detail", args=[records[("C", 0)].pk]) not in body


def test_apply_to_all_matching_needs_a_subject(client, org):
    _, lead, _, _ = org
    client.force_login(lead)
    response = client.post(
        reverse("decisions:portfolio-apply"),
        {"all_matching": "on", "next_action": "keep", "justification": "x"},
    )
    assert response.status_code == 400
    assert not DecisionEvent.objects.exists()


def test_a_hostile_team_name_comes_out_as_text(client, org):
    teams, lead, _, _ = org
    Team.objects.filter(pk=teams["A"].pk).update(name='<img src=x onerror=alert(1)>"')
    client.force_login(lead)
    body = client.get(reverse("decisions:portfolio"), {"package": "requests"}).content.decode()
    assert "<img src=x" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;&quot;" in body


# --- a bounded number of queries ---------------------------------------------------------------


def _selection(teams, n: int) -> list[int]:
    """``n`` undecided records of team A (two repositories) and two of team B (the lead's
    team as a viewer), so every selection mixes records the lead may and may not change."""
    repositories = [factories.repository(teams["A"]) for _ in range(2)]
    ids = [factories.record(repositories[i % 2]).pk for i in range(n)]
    return ids + [factories.record(factories.repository(teams["B"])).pk for _ in range(2)]


@pytest.mark.parametrize(
    "next_action", [NextAction.INVESTIGATE, NextAction.KEEP, NextAction.ARCHIVE]
)
def test_apply_makes_as_many_queries_for_twenty_records_as_for_three(org, next_action):
    from decisions.models import Notification

    teams, lead, owner_a, _ = org
    decision = Decision(
        next_action=next_action,
        justification="The same for all of them",
        review_date=REVIEW,
        owners={teams["A"].pk: owner_a},
    )
    counts = []
    for n in (3, 20):
        ids = _selection(teams, n)
        # One record already has the owner: it changes fewer fields than the others.
        DecisionRecord.objects.filter(pk=ids[0]).update(owner=owner_a)
        with CaptureQueriesContext(connection) as queries:
            result = decision_apply(actor=lead, record_ids=ids, decision=decision)
        counts.append(len(queries))
        updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
        assert len(updates) == 1, updates  # one team, one set of values
        assert result.applied == ids[:n]
        assert list(result.skipped) == ids[n:]
        # Each record still has its own history and its owner is told about each one.
        for pk in ids[1:n]:
            fields = list(
                DecisionEvent.objects.filter(record_id=pk).values_list("field", flat=True)
            )
            assert {"next_action", "owner", "review_date"} <= set(fields)
        assert not DecisionEvent.objects.filter(record_id=ids[0], field="owner").exists()
        assigned = Notification.objects.filter(
            record_id__in=ids, kind=Notification.Kind.ASSIGNED, user=owner_a
        )
        assert assigned.count() == n - 1
        decided = DecisionRecord.objects.filter(pk__in=ids[:n])
        assert set(decided.values_list("owner", "next_action", "review_date")) == {
            (owner_a.pk, next_action, REVIEW)
        }
        assert not DecisionEvent.objects.filter(record_id__in=ids[n:]).exists()
    assert counts[0] == counts[1], counts


def test_a_change_for_many_records_asks_each_owner_and_proposes_each(org):
    from decisions.models import Notification

    teams, lead, owner_a, _ = org
    ids = _selection(teams, 5)[:5]
    result = decision_apply(
        actor=lead,
        record_ids=ids,
        decision=Decision(
            next_action=NextAction.ARCHIVE,
            justification="Archive them",
            owners={teams["A"].pk: owner_a},
        ),
    )
    assert result.applied == ids
    for record in DecisionRecord.objects.filter(pk__in=ids):
        assert (record.state, record.proposed_by, record.owner) == (
            State.AWAITING_APPROVAL,
            lead,
            owner_a,
        )
        states = list(
            record.events.filter(field="state").order_by("id").values_list("new_value", flat=True)
        )
        assert states == [State.TRIAGED, State.AWAITING_APPROVAL]
    asked = Notification.objects.filter(kind=Notification.Kind.APPROVAL_REQUESTED, user=owner_a)
    assert sorted(asked.values_list("record_id", flat=True)) == sorted(ids)


def test_keep_refused_for_an_approved_record_says_who_approved_it(org):
    from decisions.models import Approval

    _teams, lead, owner_a, records = org
    approved = records[("A", 0)]
    DecisionRecord.objects.filter(pk=approved.pk).update(
        state=State.APPROVED, next_action=NextAction.KEEP, owner=owner_a
    )
    Approval.objects.create(
        record=approved, approver=owner_a, decision="approved", next_action="keep"
    )
    other = records[("A", 1)]
    result = decision_apply(
        actor=lead,
        record_ids=[approved.pk, other.pk],
        decision=Decision(next_action=NextAction.KEEP, justification="Keep them"),
    )
    assert result.applied == [other.pk]
    assert result.skipped[approved.pk].startswith("Already approved by owner-a at ")
    assert DecisionRecord.objects.get(pk=approved.pk).state == State.APPROVED
    assert not DecisionEvent.objects.filter(record_id=approved.pk).exists()
