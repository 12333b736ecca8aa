"""Saving the record page and the triage row: only what a person changed, never someone else's."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from decisions import services
from decisions.forms.records import RecordDetailForm
from decisions.models import NextAction
from inventory.models import Role
from scanning.models import ScanRun, ScanStatus
from tests import factories

_INPUT = re.compile(r"<(input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"[^>]*>", re.S)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _loaded_form(client, record) -> dict[str, str]:
    """What a browser would submit unchanged from the record page, as loaded now."""
    html = client.get(reverse("decisions:record-detail", args=[record.pk])).content.decode()
    form = html.split('id="record-fields"', 1)[1].split("</form>", 1)[0]
    data: dict[str, str] = {}
    for tag, name in _INPUT.findall(form):
        if name == "csrfmiddlewaretoken":
            continue
        element = re.search(
            rf"<{tag}\b[^>]*\bname=\"{re.escape(name)}\"[^>]*>.*?(?=<{tag}|$)", form, re.S
        )
        text = element.group(0)
        if tag == "select":
            selected = re.search(r"<option value=\"([^\"]*)\"[^>]*selected", text)
            data[name] = selected.group(1) if selected else ""
        elif tag == "textarea":
            data[name] = text.split(">", 1)[1].split("</textarea>", 1)[0].strip()
        else:
            value = re.search(r"\bvalue=\"([^\"]*)\"", text.split(">", 1)[0])
            data[name] = value.group(1) if value else ""
    return data


@pytest.fixture
def lead(team):
    return factories.member(team, Role.TRIAGER)


@pytest.fixture
def colleague(team):
    return factories.member(team, Role.TRIAGER, username="bea")


@pytest.fixture
def owner(team):
    return factories.member(team, Role.OWNER)


def test_a_stale_form_keeps_what_someone_else_saved_meanwhile(repository, lead, colleague, owner):
    record = factories.record(repository)
    stale = _loaded_form(_client(lead), record)
    fresh = _loaded_form(_client(colleague), record)
    fresh |= {"owner": str(owner.pk), "why_stale": "replaced by httpx in 2024"}
    assert _client(colleague).post(reverse("decisions:record-detail", args=[record.pk]), fresh)

    stale["impact"] = "5"
    response = _client(lead).post(reverse("decisions:record-detail", args=[record.pk]), stale)

    assert b'<p class="saved" role="status">Saved impact.</p>' in response.content
    record.refresh_from_db()
    assert record.impact == 5
    assert record.owner == owner
    assert record.why_stale == "replaced by httpx in 2024"


def test_a_stale_change_to_a_field_someone_else_changed_is_refused_naming_them(
    repository, lead, colleague, owner
):
    record = factories.record(repository)
    stale = _loaded_form(_client(lead), record)
    fresh = _loaded_form(_client(colleague), record) | {"owner": str(owner.pk)}
    _client(colleague).post(reverse("decisions:record-detail", args=[record.pk]), fresh)

    stale |= {"owner": str(lead.pk), "impact": "5"}
    response = _client(lead).post(reverse("decisions:record-detail", args=[record.pk]), stale)

    assert b'class="saved"' not in response.content
    assert b"bea" in response.content and b"owner" in response.content.lower()
    record.refresh_from_db()
    assert record.owner == owner
    assert record.impact == 3  # nothing of the refused submit was saved


def test_the_service_refuses_a_change_based_on_an_old_value(repository, lead, colleague, owner):
    record = factories.record(repository)
    services.record_update(record=record, actor=colleague, changes={"owner": owner})
    with pytest.raises(ValidationError, match="bea"):
        services.record_update(
            record=record, actor=lead, changes={"owner": lead}, expected={"owner": None}
        )
    # The same change as the one already made is no conflict.
    services.record_update(
        record=record, actor=lead, changes={"owner": owner}, expected={"owner": None}
    )


def test_the_triage_row_saves_only_what_was_changed(repository, lead, colleague, owner):
    record = factories.record(repository)
    loaded = {"initial-owner": "", "initial-next_action": "", "initial-review_date": ""}
    services.record_update(record=record, actor=colleague, changes={"owner": owner})

    response = _client(lead).post(
        reverse("decisions:record-triage", args=[record.pk]),
        loaded | {"owner": "", "next_action": NextAction.INVESTIGATE, "review_date": "2030-01-01"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    record.refresh_from_db()
    assert record.owner == owner
    assert record.next_action == NextAction.INVESTIGATE


def test_the_triage_row_renders_the_values_it_was_loaded_with(repository, lead, owner):
    record = factories.record(repository, owner=owner)
    html = _client(lead).get(reverse("decisions:record-list")).content.decode()
    assert f'name="initial-owner" value="{owner.pk}"' in html
    assert 'name="initial-next_action"' in html
    assert record.subject in html


# --- 14. remove and the mode notes it needs, in one submit ---------------------------------


@pytest.fixture
def scanned(repository):
    ScanRun.objects.create(
        repository=repository, status=ScanStatus.SUCCEEDED, modes_seen={"web": 3, "cron": 1}
    )
    repository.execution_modes = ["worker"]
    repository.save()
    return repository


def test_remove_and_its_mode_notes_save_in_one_submit(scanned, lead):
    record = factories.record(scanned, package=factories.package("pandas"), subject="pandas")
    client = _client(lead)
    data = _loaded_form(client, record)
    data |= {"next_action": NextAction.REMOVE, "mode_note_worker": "the worker never imports it"}

    response = client.post(reverse("decisions:record-detail", args=[record.pk]), data)

    assert b'<p class="saved" role="status">Saved next action and mode notes' in (
        response.content
    ), response.content.decode()
    record.refresh_from_db()
    assert record.next_action == NextAction.REMOVE
    assert record.mode_notes == {"worker": "the worker never imports it"}


def test_remove_without_the_notes_it_needs_is_still_refused(scanned, lead):
    record = factories.record(scanned, package=factories.package("pandas"), subject="pandas")
    form = RecordDetailForm(
        {
            "next_action": NextAction.REMOVE,
            **{f: 3 for f in ("impact", "confidence", "reversibility", "prevention")},
        },
        instance=record,
    )
    assert not form.is_valid()
    assert "missing: worker" in str(form.errors)


def test_a_stale_meeting_form_keeps_what_someone_else_saved_meanwhile(
    repository, lead, colleague, owner
):
    import datetime

    record = factories.record(repository, review_date=datetime.date(2026, 3, 2))
    meeting = services.meeting_start(team=repository.team, on=datetime.date(2026, 3, 2), actor=lead)
    item = meeting.items.get(record=record)
    url = reverse("decisions:meeting-detail", args=[meeting.pk])
    html = _client(lead).get(url, {"item": item.pk}).content.decode()
    loaded = dict(re.findall(r'name="(initial-[a-z_]+)"(?: value="([^"]*)")?', html))
    assert set(loaded) >= {"initial-owner", "initial-next_action", "initial-review_date"}
    services.record_update(record=record, actor=colleague, changes={"owner": owner})

    response = _client(lead).post(
        reverse("decisions:meeting-item", args=[meeting.pk, item.pk]),
        loaded
        | {
            "owner": "",
            "next_action": NextAction.KEEP,
            "review_date": "2026-03-02",
            "move": "",
            "comment": "",
            "note": "",
        },
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    record.refresh_from_db()
    assert record.owner == owner
    assert record.next_action == NextAction.KEEP


@pytest.mark.parametrize(
    "value",
    [None, "", "3", 3, 'a "quoted" <value> & more', __import__("datetime").date(2027, 1, 2)],
)
def test_the_loaded_value_input_renders_as_djangos_hidden_input(value):
    from django import forms

    from decisions.forms.records import LoadedValueInput

    attrs = {"id": "initial-id_owner"}
    ours = LoadedValueInput().render("initial-owner", value, attrs=attrs)
    django = forms.HiddenInput().render("initial-owner", value, attrs=attrs)
    assert ours == django


def test_the_record_page_carries_each_fields_loaded_value(repository, lead):
    record = factories.record(repository, impact=4)
    page = _client(lead).get(reverse("decisions:record-detail", args=[record.pk])).content.decode()
    assert '<input type="hidden" name="initial-impact" value="4" id="initial-id_impact">' in page
