"""Which next actions a record is offered: a missing import is declared, never removed."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from decisions import services
from decisions.forms.meetings import MeetingItemForm
from decisions.models import NextAction, next_action_choices
from inventory.models import Role
from tests import factories

TODAY = datetime.date.today()


def _options(html: str, select_name: str) -> list[str]:
    select = re.search(rf'<select name="{select_name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no {select_name} select"
    return re.findall(r'<option value="([^"]*)"', select.group(1))


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("kind", ["missing", "transitive"])
def test_an_undeclared_import_is_offered_declare_and_not_remove(kind):
    offered = [value for value, _ in next_action_choices(kind)]
    assert NextAction.DECLARE in offered and NextAction.REMOVE not in offered


@pytest.mark.parametrize("kind", ["unused", "vulnerable", "weight-file", "dev-in-prod"])
def test_what_is_declared_can_be_removed_and_needs_no_declaring(kind):
    offered = [value for value, _ in next_action_choices(kind)]
    assert NextAction.REMOVE in offered and NextAction.DECLARE not in offered


def test_a_record_keeps_the_action_it_already_holds_on_offer():
    offered = [value for value, _ in next_action_choices("missing", current="remove")]
    assert NextAction.REMOVE in offered


def test_record_page_and_triage_row_offer_a_missing_record_no_removal(triager, repository):
    missing = factories.record(repository, subject="boto3", kind="missing")
    unused = factories.record(repository, subject="pandas", kind="unused")
    client = _client(triager)
    page = client.get(reverse("decisions:record-detail", args=[missing.pk])).content.decode()
    assert "remove" not in _options(page, "next_action") and "declare" in _options(
        page, "next_action"
    )
    page = client.get(reverse("decisions:record-detail", args=[unused.pk])).content.decode()
    assert "remove" in _options(page, "next_action")
    listing = client.get(reverse("decisions:record-list")).content.decode()
    row = listing[listing.index(f'id="record-{missing.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "remove" not in _options(row, "next_action") and "declare" in _options(
        row, "next_action"
    )


def test_the_meeting_offers_a_missing_record_no_removal(triager, repository):
    missing = factories.record(repository, subject="boto3", kind="missing")
    form = MeetingItemForm(record=missing, user=triager)
    offered = [value for value, _ in form.fields["next_action"].choices]
    assert "remove" not in offered and "declare" in offered


def test_removing_a_missing_package_is_refused_with_what_to_do_instead(triager, repository):
    missing = factories.record(repository, subject="boto3", kind="missing")
    with pytest.raises(ValidationError, match="declare it"):
        services.record_update(
            record=missing, actor=triager, changes={"next_action": NextAction.REMOVE}
        )
    missing.refresh_from_db()
    assert missing.next_action == ""


def test_a_bulk_removal_skips_the_missing_records_and_says_why(triager, team, repository):
    owner = factories.member(team, Role.OWNER)
    missing = factories.record(repository, subject="boto3", kind="missing", owner=owner)
    typo = factories.record(repository, subject="reqeusts", kind="typosquat", owner=owner)
    updated, errors = services.record_bulk_update(
        record_ids=[missing.pk, typo.pk],
        actor=triager,
        changes={"next_action": NextAction.REMOVE},
    )
    assert [r.pk for r in updated] == [typo.pk]
    assert "declare it" in errors[missing.pk]
