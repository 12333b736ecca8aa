from __future__ import annotations

import datetime
import html

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.template import Context
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.safestring import mark_safe

from decisions import services
from decisions.forms.records import members_of_teams_of
from decisions.models import DecisionRecord, NextAction
from decisions.selectors import records as record_selectors
from decisions.selectors import triage
from decisions.templatetags.triage_row import triage_row
from inventory.models import EDITOR_ROLES, Membership, Repository, Role
from tests import factories


def test_options_mark_the_selected_value_compared_as_text():
    options = triage.Options([(1, "ann"), (12, "bob")])
    assert (
        options.render(12)
        == '<option value="1">ann</option><option value="12" selected>bob</option>'
    )
    assert (
        options.render("1")
        == '<option value="1" selected>ann</option><option value="12">bob</option>'
    )


def test_options_select_nothing_for_an_unknown_value():
    options = triage.Options([(1, "ann")])
    assert options.render(99) == '<option value="1">ann</option>'
    assert options.render("not a number") == '<option value="1">ann</option>'


def test_options_none_selects_the_empty_choice():
    options = triage.Options([("", "Any"), ("keep", "Keep")])
    assert (
        options.render(None)
        == '<option value="" selected>Any</option><option value="keep">Keep</option>'
    )
    assert triage.Options([(1, "ann")]).render(None) == '<option value="1">ann</option>'


def test_options_escape_values_and_labels_but_not_safe_text():
    options = triage.Options([('"><script>', "<b>&"), (2, mark_safe("<i>ok</i>"))])
    rendered = options.render('"><script>')
    assert rendered == (
        '<option value="&quot;&gt;&lt;script&gt;" selected>&lt;b&gt;&amp;</option>'
        '<option value="2"><i>ok</i></option>'
    )


@pytest.mark.parametrize(
    "labels",
    [
        ["a&b", '"q"', "it's", "<x>", "", "plain"],
        ["nul\x00inside", "<b>", "x"],  # the text joining would split: escaped one by one
        ["only"],
        [],
    ],
)
def test_options_escape_every_label_as_if_one_by_one(labels):
    choices = [(n, label) for n, label in enumerate(labels)] + [("v&<>", "last")]
    expected = "".join(
        f'<option value="{html.escape(str(value))}">{html.escape(label)}</option>'
        for value, label in choices
    )
    assert triage.Options(choices).render() == expected
    selected = triage.Options(choices).render("v&<>")
    assert selected.endswith('<option value="v&amp;&lt;&gt;" selected>last</option>')


@pytest.mark.parametrize("pk", [1, 7, 10, 8191819181918191, 123456789012])
def test_record_link_is_what_reverse_gives(pk):
    for name in ("decisions:record-detail", "decisions:record-triage"):
        assert triage.record_link(name)(pk) == reverse(name, args=[pk])


def test_rows_offer_team_members_as_owners_and_mark_the_current_one(triager, team, repository):
    owner = factories.member(team, Role.OWNER, username="olivia")
    factories.member(factories.team(), Role.OWNER, username="outsider")
    record = factories.record(repository, owner=owner, next_action=NextAction.KEEP)

    [row] = triage.rows(DecisionRecord.objects.filter(pk=record.pk), user=triager)

    assert row["can_edit"] is True
    assert f'<option value="{owner.pk}" selected>olivia</option>' in row["owner_options"]
    assert "outsider" not in row["owner_options"]
    assert '<option value="keep" selected>Keep</option>' in row["action_options"]
    assert row["detail_url"] == reverse("decisions:record-detail", args=[record.pk])
    assert row["triage_url"] == reverse("decisions:record-triage", args=[record.pk])


def test_rows_for_a_viewer_carry_no_editors(viewer, repository):
    record = factories.record(repository)
    [row] = triage.rows(DecisionRecord.objects.filter(pk=record.pk), user=viewer)
    assert row["can_edit"] is False
    assert "owner_options" not in row and "triage_url" not in row


def test_rows_reveal_hidden_characters_in_the_subject(viewer, repository):
    record = factories.record(repository, subject="a\u202eb")
    [row] = triage.rows(DecisionRecord.objects.filter(pk=record.pk), user=viewer)
    assert row["subject"] == "a⟨U+202E⟩b"


@pytest.mark.parametrize("superuser", [False, True])
def test_team_people_offer_who_the_forms_and_owner_pickers_accept(superuser, team, repository):
    """One query of memberships answers what three querysets did: the owner filter, the bulk
    owner field and each team's owner pickers, in the same order."""
    other = factories.team()
    factories.repository(other)
    empty = factories.team()  # no repository: its people are offered nowhere
    factories.member(empty, Role.OWNER, username="nobody")
    user = factories.member(team, Role.TRIAGER, username="lead")
    user.memberships.create(team=other, role=Role.VIEWER)
    user.is_superuser = superuser
    user.save()
    zed = factories.member(team, Role.OWNER, username="zed")
    factories.member(team, Role.VIEWER, username="ann")
    Membership.objects.create(team=other, user=zed, role=Role.ADMIN)
    factories.member(other, Role.OWNER, username="bob")
    factories.member(factories.team(), Role.OWNER, username="outsider")

    repositories = Repository.objects.for_user(user)
    with CaptureQueriesContext(connection) as queries:
        people = record_selectors.TeamPeople(repositories=repositories)
    assert len(queries) == 1

    def pairs(queryset):
        return list(queryset.values_list("pk", "username"))

    assert people.anyone() == pairs(members_of_teams_of(repositories))
    assert people.editors() == pairs(members_of_teams_of(repositories, roles=EDITOR_ROLES))
    assert [name for _, name in people.editors()] == ["bob", "lead", "zed"]
    teams = {team.pk, other.pk, empty.pk}
    assert people.editors_by_team(teams) == {
        **record_selectors.owners_by_team(team_ids={team.pk, other.pk}),
        empty.pk: [],
    }


def _row_html(user, record) -> str:
    client = Client()
    client.force_login(user)
    body = client.get(reverse("decisions:record-list")).content.decode()
    start = body.index(f'<tr id="record-{record.pk}"')
    return body[start : body.index("</tr>", start)]


def test_rows_show_labels_dates_and_lateness_of_their_record(viewer, triager, team, repository):
    owner = factories.member(team, Role.OWNER, username="olivia")
    late = factories.record(
        repository,
        subject="req\u200bests",
        kind="vulnerable",
        severity="high",
        state="triaged",
        owner=owner,
        next_action=NextAction.REMOVE,
        review_date=datetime.date(2020, 1, 2),
        summary="2 advisories\u202e",
    )
    later = factories.record(repository, review_date=datetime.date(2999, 1, 1))
    name = repository.name

    read_only = _row_html(viewer, late)
    assert 'class="state-triaged overdue"' in read_only
    assert '<span class="tag kind-vulnerable">Vulnerable</span>' in read_only
    assert '<span class="tag sev-high">High</span>' in read_only
    assert '<td class="state">Triaged</td>' in read_only
    assert (
        f'<td class="priority"><span class="card-label">Priority </span>{late.priority}</td>'
        in read_only
    )
    assert '<td class="summary">2 advisories⟨U+202E⟩</td>' in read_only
    assert "<strong>req⟨U+200B⟩ests</strong>" in read_only
    assert "olivia · Remove · 2020-01-02" in read_only
    assert "<form" not in read_only
    assert "Unowned · no next action · 2999-01-01" in _row_html(viewer, later)

    editable = _row_html(triager, late)
    assert 'class="state-triaged overdue"' in editable
    assert f'aria-label="Select req⟨U+200B⟩ests in {name}"' in editable
    assert f">Review date for req⟨U+200B⟩ests in {name}</label>" in editable
    assert 'data-key="r" value="2020-01-02"' in editable
    assert '<input type="hidden" name="initial-review_date" value="2020-01-02">' in editable
    assert 'class="state-new"' in _row_html(triager, later)


def test_rows_escape_what_people_and_scans_wrote(viewer, triager, team):
    repository = factories.repository(team)
    repository.name = 'api"<x>'
    repository.save()
    record = factories.record(repository, subject="<script>x</script>", summary="<b>&amp;</b>")
    escaped_subject = "&lt;script&gt;x&lt;/script&gt;"

    for user in (viewer, triager):
        row = _row_html(user, record)
        assert "<script>" not in row and "<b>" not in row
        assert f"<strong>{escaped_subject}</strong>" in row
        assert '<td class="repository">api&quot;&lt;x&gt;</td>' in row
        assert '<td class="summary">&lt;b&gt;&amp;amp;&lt;/b&gt;</td>' in row
    assert f"Owner of {escaped_subject} in api&quot;&lt;x&gt;</label>" in _row_html(triager, record)


def test_a_refused_save_shows_its_message_escaped_under_the_row(triager, repository):
    record = factories.record(repository)
    [row] = triage.rows(DecisionRecord.objects.filter(pk=record.pk), user=triager)
    html = triage_row(Context({"csrf_token": "token"}), row, '<i>not</i> "saved"')
    assert '<p class="row-error" role="alert">&lt;i&gt;not&lt;/i&gt; &quot;saved&quot;</p>' in html
    assert '<input type="hidden" name="csrfmiddlewaretoken" value="token">' in html
    assert "row-error" not in triage_row(Context({"csrf_token": "token"}), row)


def _list_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("decisions:record-list"))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", [Role.TRIAGER, Role.VIEWER])
def test_list_queries_do_not_grow_with_rows_teams_or_owners(team, repository, role):
    user = factories.member(team, role)
    client = Client()
    client.force_login(user)
    factories.record(repository, review_date=datetime.date(2020, 1, 1))
    one_row = _list_queries(client)

    other_team = factories.team()
    factories.member(other_team, Role.TRIAGER, username=None)
    user.memberships.create(team=other_team, role=role)
    other_repository = factories.repository(other_team)
    owner = factories.member(team, Role.OWNER)
    for n in range(30):
        factories.record(repository if n % 2 else other_repository, owner=owner if n % 3 else None)

    assert _list_queries(client) == one_row <= 12


@pytest.mark.parametrize(
    ("role", "target", "expected"),
    [
        # Session, user, count, page, memberships of the user's teams, the other findings
        # about the page's packages, the filter's repositories (and their teams).
        (Role.TRIAGER, None, 7),
        # ... and whether the user may edit anything at all, as no row says so.
        (Role.VIEWER, None, 8),
        # The table alone: no filters.
        (Role.TRIAGER, "record-table", 6),
    ],
)
def test_list_asks_each_question_once(team, repository, role, target, expected):
    user = factories.member(team, role)
    owner = factories.member(team, Role.OWNER)
    for n in range(30):
        factories.record(repository, owner=owner if n % 2 else None, kind="unused")
        factories.record(repository, subject=f"package-{n}-b", kind="missing")
    client = Client()
    client.force_login(user)
    headers = {"HX-Request": "true", "HX-Target": target} if target else {}
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("decisions:record-list"), headers=headers)
    assert response.status_code == 200
    assert response.content.decode().count('<tr id="record-') == 25
    assert len(queries) == expected, [q["sql"][:80] for q in queries]


def test_list_page_marks_chosen_filters_and_lists_people_for_bulk_edit(triager, team, repository):
    owner = factories.member(team, Role.OWNER, username="olivia")
    factories.record(repository, kind="missing")
    client = Client()
    client.force_login(triager)

    body = client.get(
        reverse("decisions:record-list"), {"kind": "missing", "owner": owner.pk}
    ).content.decode()

    assert '<option value="missing" selected>Missing</option>' in body
    assert f'<option value="{owner.pk}" selected>olivia</option>' in body
    bulk = body[body.index('id="bulk-form"') :]
    assert f'<option value="{owner.pk}">olivia</option>' in bulk
    assert '<option value="remove">Remove</option>' in bulk


@pytest.fixture
def twelve_records(repository):
    return [factories.record(repository, subject=f"pkg-{n:02}") for n in range(12)]


def test_capped_paginator_counts_exactly_below_the_limit(twelve_records):
    records = DecisionRecord.objects.order_by("subject")
    page = triage.CappedPaginator(records, 5, limit=20).get_page(1)
    assert page.paginator.count == 12
    assert not page.paginator.more
    assert page.paginator.num_pages == 3


def test_capped_paginator_stops_counting_past_the_limit(twelve_records):
    records = DecisionRecord.objects.order_by("subject")
    with CaptureQueriesContext(connection) as queries:
        page = triage.CappedPaginator(records, 5, limit=7).get_page(1)
        page.paginator.count  # noqa: B018
    assert page.paginator.more
    assert page.paginator.count == 8
    assert page.has_next()
    assert "LIMIT 8" in queries[0]["sql"]


def test_capped_paginator_reaches_a_page_past_the_limit(twelve_records):
    records = DecisionRecord.objects.order_by("subject")
    page = triage.CappedPaginator(records, 5, limit=3).get_page("3")
    assert page.number == 3
    assert [r.subject for r in page.object_list] == ["pkg-10", "pkg-11"]
    assert not page.paginator.more
    assert not page.has_next()


@pytest.mark.parametrize(
    ("number", "shown"),
    # Past the end: the last page (counting there makes it exact); below 1: the last counted.
    [("99", 3), ("9" * 30, 3), ("-1", 2), ("x", 1), (None, 1), ("2.5", 1)],
)
def test_capped_paginator_turns_bad_page_numbers_into_a_page_with_rows(
    twelve_records, number, shown
):
    records = DecisionRecord.objects.order_by("subject")
    page = triage.CappedPaginator(records, 5, limit=7).get_page(number)
    assert page.number == shown
    assert len(page.object_list) > 0


def test_list_says_more_than_the_limit_and_still_pages_on(viewer, twelve_records, settings):
    settings.DEBTBOARD_PAGE_SIZE = 5
    settings.DEBTBOARD_COUNT_LIMIT = 6
    client = Client()
    client.force_login(viewer)

    body = client.get(reverse("decisions:record-list")).content.decode()
    assert "More than 6 records" in body
    assert "Page 1</span>" in body and "Next →" in body

    last = client.get(reverse("decisions:record-list"), {"page": 3}).content.decode()
    assert "12 records" in last and "Page 3 of 3" in last


def test_record_update_refuses_who_may_not_edit_and_writes_nothing(viewer, repository):
    record = factories.record(repository)
    with pytest.raises(PermissionDenied, match="cannot change"):
        services.record_update(
            record=record, actor=viewer, changes={"next_action": NextAction.KEEP}
        )
    record.refresh_from_db()
    assert record.next_action == ""
    assert not record.events.exists()


def test_inline_update_writes_its_history_in_order_with_few_queries(triager, team, repository):
    owner = factories.member(team, Role.OWNER, username="olivia")
    record = factories.record(repository, owner=owner)
    client = Client()
    client.force_login(triager)

    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse("decisions:record-triage", args=[record.pk]),
            {"owner": "", "next_action": NextAction.REDUCE},
            headers={"HX-Request": "true"},
        )

    assert response.status_code == 200
    # Session, user, record, BEGIN, locked record, UPDATE, one INSERT of all events, COMMIT,
    # the row's owner choices, the other findings about the same package.
    assert len(queries) == 10
    history = [(e.field, e.old_value, e.new_value, e.actor) for e in record.events.all()]
    assert history == [
        ("state", "new", "triaged", triager),
        ("owner", "olivia", "", triager),
        ("next_action", "", "reduce", triager),
    ]
