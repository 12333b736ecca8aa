from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from decisions.models import DecisionEvent, NextAction, State
from inventory.models import Role
from tests import factories


@pytest.fixture
def record(repository):
    return factories.record(repository, subject="pandas", summary="pandas is unused")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _triage(client, record, **data):
    return client.post(
        reverse("decisions:record-triage", args=[record.pk]), data, headers={"HX-Request": "true"}
    )


@pytest.mark.parametrize(
    "url",
    [
        reverse("decisions:record-list"),
        reverse("scanning:repository-list"),
        reverse("decisions:record-export", args=["csv"]),
        reverse("decisions:record-export", args=["md"]),
    ],
)
def test_every_page_requires_login(db, url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_login_page_is_public(db):
    assert Client().get(reverse("account_login")).status_code == 200


def test_list_shows_only_the_users_teams(viewer, record):
    other = factories.record(factories.repository(), subject="secret-package")
    response = _client(viewer).get(reverse("decisions:record-list"))
    assert b"pandas" in response.content
    assert other.subject.encode() not in response.content


def test_viewer_cannot_change_a_record(viewer, record):
    response = _triage(_client(viewer), record, next_action=NextAction.REMOVE)
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.next_action == ""
    assert not DecisionEvent.objects.filter(record=record).exists()


def test_user_of_another_team_gets_404(record):
    stranger = factories.member(factories.team(), Role.TRIAGER)
    response = _triage(_client(stranger), record, next_action=NextAction.REMOVE)
    assert response.status_code == 404


def test_triager_assigns_owner_and_next_action_in_place(triager, team, record):
    owner = factories.member(team, Role.OWNER)
    response = _triage(_client(triager), record, owner=owner.pk, next_action=NextAction.REMOVE)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert f'id="record-{record.pk}"' in body
    assert "HX-Trigger" in response.headers
    record.refresh_from_db()
    assert record.owner == owner
    assert record.next_action == NextAction.REMOVE
    assert record.state == State.TRIAGED
    fields = set(record.events.values_list("field", flat=True))
    assert {"owner", "next_action", "state"} <= fields
    assert record.events.get(field="next_action").actor == triager


def test_validation_error_is_shown_in_the_row(triager, record):
    response = _triage(_client(triager), record, next_action=NextAction.INVESTIGATE)
    assert response.status_code == 200
    assert "needs an owner and a review date" in response.content.decode()
    record.refresh_from_db()
    assert record.next_action == ""


def test_owner_outside_the_team_is_refused(triager, record):
    outsider = factories.user()
    response = _triage(_client(triager), record, owner=outsider.pk)
    assert "Select a valid choice" in response.content.decode()
    record.refresh_from_db()
    assert record.owner is None


def test_csrf_is_enforced(triager, record):
    client = Client(enforce_csrf_checks=True)
    client.force_login(triager)
    response = _triage(client, record, next_action=NextAction.KEEP)
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.next_action == ""


def test_get_never_changes_a_record(triager, record):
    url = reverse("decisions:record-triage", args=[record.pk])
    response = _client(triager).get(url, {"next_action": NextAction.KEEP})
    assert response.status_code == 405


def test_filters_and_htmx_fragment(viewer, repository, record):
    factories.record(repository, subject="boto3", kind="missing")
    response = _client(viewer).get(
        reverse("decisions:record-list"),
        {"kind": "missing"},
        headers={"HX-Request": "true", "HX-Target": "record-table"},
    )
    body = response.content.decode()
    assert "<html" not in body
    assert "boto3" in body
    assert "pandas" not in body


def test_export_links_follow_the_filters_an_htmx_update_applied(viewer, repository, record):
    # The filters swap only the table: links left outside it would still export everything.
    response = _client(viewer).get(
        reverse("decisions:record-list"),
        {"kind": "missing"},
        headers={"HX-Request": "true", "HX-Target": "record-table"},
    )
    body = response.content.decode()
    assert f'href="{reverse("decisions:record-export", args=["csv"])}?kind=missing"' in body
    assert f'href="{reverse("decisions:record-export", args=["md"])}?kind=missing"' in body


def test_an_error_message_is_shown_as_an_error_and_a_success_as_a_status(triager, record):
    client = _client(triager)
    move = reverse("decisions:record-move", args=[record.pk])
    page = client.post(move, {"move": ""}, follow=True).content.decode()
    assert '<li class="error" role="alert">Choose an action.</li>' in page
    page = client.post(move, {"move": "triage"}, follow=True).content.decode()
    assert '<li class="success" role="status">' in page


def test_row_controls_are_named_with_their_repository(triager, repository, record):
    # The same package, or "(repository)", appears once per repository: a control named
    # only by its subject is ambiguous to a screen reader and to get_by_label.
    other = factories.repository(repository.team)
    twin = factories.record(other, subject="pandas")
    body = _client(triager).get(reverse("decisions:record-list")).content.decode()
    for row, name in ((record, repository.name), (twin, other.name)):
        assert f'aria-label="Select pandas in {name}"' in body
        assert f'for="owner-{row.pk}">Owner of pandas in {name}</label>' in body
        assert f'for="next-action-{row.pk}">Next action for pandas in {name}</label>' in body
        assert f'for="review-date-{row.pk}">Review date for pandas in {name}</label>' in body


def test_pagination(viewer, repository, settings):
    settings.DEBTBOARD_PAGE_SIZE = 2
    for n in range(5):
        factories.record(repository, subject=f"pkg-{n}")
    response = _client(viewer).get(reverse("decisions:record-list"), {"page": 3})
    assert response.context["page"].number == 3
    assert len(response.context["rows"]) == 1


def test_csv_export_respects_filters_and_neutralises_formulas(viewer, repository, record):
    factories.record(repository, subject="evil", kind="missing", summary="=HYPERLINK(1)")
    response = _client(viewer).get(
        reverse("decisions:record-export", args=["csv"]), {"kind": "missing"}
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "Repository"
    assert [r[1] for r in rows[1:]] == ["evil"]
    assert rows[1][-1] == "'=HYPERLINK(1)"


def test_markdown_export_escapes_table_breakers(viewer, repository):
    factories.record(repository, subject="pipe", summary="a | b\nc")
    response = _client(viewer).get(reverse("decisions:record-export", args=["md"]))
    text = b"".join(response.streaming_content).decode()
    assert "a \\| b c" in text
    assert text.count("\n") == 5  # title, blank, header, rule, one row: no broken lines


def test_viewer_cannot_start_a_scan(viewer, repository):
    response = _client(viewer).post(reverse("decisions:repository-scan", args=[repository.pk]))
    assert response.status_code == 403


def test_triager_starts_a_scan_and_sees_its_page(triager, repository):
    response = _client(triager).post(reverse("decisions:repository-scan", args=[repository.pk]))
    assert response.status_code == 302
    page = _client(triager).get(response.url)
    assert b"Queued" in page.content
    assert b'hx-trigger="every 1s"' in page.content


def test_filter_choices_keep_the_chosen_value_and_only_visible_options(viewer, team, repository):
    hidden = factories.repository(factories.team())
    response = _client(viewer).get(reverse("decisions:record-list"), {"team": team.pk})
    body = response.content.decode()
    assert f'<option value="{team.pk}" selected>{team.name}</option>' in body
    assert hidden.team.name not in body and hidden.name not in body


def test_a_viewer_gets_no_bulk_bar_or_editing_keys(viewer, record):
    client = Client()
    client.force_login(viewer)
    page = client.get(reverse("decisions:record-list")).content.decode()
    assert 'id="bulk-form"' not in page and "<kbd>a</kbd> owner" not in page
    assert "You can read and export these records" in page


def test_a_triager_keeps_the_bulk_bar(triager, record):
    client = Client()
    client.force_login(triager)
    page = client.get(reverse("decisions:record-list")).content.decode()
    assert 'id="bulk-form"' in page and "<kbd>a</kbd> owner" in page


def test_login_page_offers_sign_up_only_when_it_is_open(db, settings):
    settings.DEBTBOARD_OPEN_SIGNUP = False
    page = Client().get(reverse("account_login")).content.decode()
    assert "sign up" not in page.lower() and "ask yours" in page
    settings.DEBTBOARD_OPEN_SIGNUP = True
    page = Client().get(reverse("account_login")).content.decode()
    assert "sign up" in page.lower()


def test_dates_read_the_same_on_every_page(viewer, repository):
    import datetime

    factories.record(repository, subject="dated", review_date=datetime.date(2027, 1, 15))
    client = Client()
    client.force_login(viewer)
    for url in (reverse("decisions:record-list"), reverse("decisions:my-work")):
        page = client.get(url).content.decode()
        assert "Jan. 15" not in page and "15/01/2027" not in page
    assert "2027-01-15" in client.get(reverse("decisions:record-list")).content.decode()


def test_decision_rules_are_in_the_navigation_beside_the_portfolio(viewer, record):
    client = Client()
    client.force_login(viewer)
    page = client.get(reverse("decisions:my-work")).content.decode()
    nav = page[page.index('<nav aria-label="Main">') : page.index("</nav>")]
    portfolio = nav.index(f'href="{reverse("decisions:portfolio")}"')
    rules = nav.index(f'<a href="{reverse("decisions:rule-list")}">Decision rules</a>')
    assert rules > portfolio
