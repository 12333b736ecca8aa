"""Hostile text shown again: Markdown outputs, CSV, meeting pages, the repository admin form.

The corpus is ``corpus.HOSTILE_TEXT``; the property tests check ``markdown.escape`` (the one
escaping function of every Markdown output) against a CommonMark renderer.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from decisions import exports, services
from decisions.models import DecisionRecord, NextAction
from decisions.reports import audit, cleanup, minutes
from inventory import markdown
from inventory.models import Role
from inventory.text import reveal
from scanning import selectors as scanning_selectors
from scanning import services as scanning_services
from tests import factories
from tests.security.corpus import HIDDEN_IN, HOSTILE_TEXT

_RENDERER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
# Characters nobody sees: bidi controls, zero-width, tag characters, C0/C1 controls.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e007f]"
)
# What GitHub turns into a notification: "@name" not preceded by a word character.
_MENTION = re.compile(r"(?<![0-9A-Za-z_])@[0-9A-Za-z]")


def _inline_tokens(source: str) -> list:
    tokens = _RENDERER.parse(source)
    return [child for token in tokens if token.children for child in token.children]


def _blocks(source: str) -> list[str]:
    return [t.type for t in _RENDERER.parse(source) if t.nesting >= 0 and t.type != "inline"]


def _shown(source: str) -> str:
    """The text a reader sees, with the zero-width space we put after "@" taken out again."""
    blocks = []
    for token in _RENDERER.parse(source):
        if token.type == "inline":
            blocks.append(
                "".join(
                    "\n" if child.type in ("softbreak", "hardbreak") else child.content
                    for child in token.children
                    if child.type in ("text", "text_special", "softbreak", "hardbreak")
                )
            )
    return "\n".join(blocks).replace("@\u200b", "@")


def _mentions(source: str) -> list[str]:
    """What GitHub would notify: "@name" in the rendered text, outside code."""
    blocks = []
    for token in _RENDERER.parse(source):
        if token.type == "inline":
            blocks.append(
                "".join(
                    child.content if child.type in ("text", "text_special") else "\n"
                    for child in token.children
                    if child.type != "code_inline"
                )
            )
    return _MENTION.findall("\n".join(blocks))


# --- the escaping function --------------------------------------------------------------------

_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("\\`*_{}[]()#+-.!|<>~=@&:;/\"' \n\t\r0123456789aZ")),
        st.sampled_from(["\u200b", "\u202e", "\x1b", "\x00", "\u2028", "\U000e0041", "é"]),
        st.characters(),
    ),
    max_size=60,
)
# A line that starts like a Markdown block (heading, list, quote, fence, setext underline …).
_LINE = st.tuples(
    st.sampled_from(
        [
            *("", "#", "# ", "###### ", "-", "- ", "+ ", "* ", "=", "===", "---", "1. ", "2) "),
            *("> ", "    ", "```", "~~~", "***", "<div>", "<!--", "| ", "[x]: https://x", "@"),
        ]
    ),
    _TEXT,
).map("".join)
_FAST = settings(deadline=None)


@_FAST
@given(st.one_of(_TEXT, _LINE))
def test_an_escaped_value_renders_as_exactly_its_visible_text(value):
    escaped = markdown.escape(value)
    assert "\n" not in escaped and "\r" not in escaped
    assert not _INVISIBLE.search(escaped)
    assert _blocks(escaped) in ([], ["paragraph_open"])
    kinds = {t.type for t in _inline_tokens(escaped)}
    assert kinds <= {"text", "text_special"}, kinds
    assert not _mentions(escaped)
    if markdown.LINK_REMOVED not in escaped:
        assert _shown(escaped) == " ".join(reveal(value).split())


@_FAST
@given(st.one_of(_TEXT, _LINE))
def test_an_escaped_value_stays_in_its_table_cell(value):
    table = "| a | b |\n|---|---|\n| " + markdown.escape(value) + " | end |\n"
    rows = [t for t in _RENDERER.parse(table) if t.type == "tr_open"]
    cells = [t for t in _RENDERER.parse(table) if t.type == "td_open"]
    assert len(rows) == 2 and len(cells) == 2


@_FAST
@given(st.lists(_LINE, max_size=5).map("\n".join))
def test_free_text_keeps_its_lines_and_makes_no_block(value):
    rendered = markdown.text(value)
    assert set(_blocks(rendered)) <= {"paragraph_open"}
    assert len(_blocks(rendered)) <= 1
    assert {t.type for t in _inline_tokens(rendered)} <= {
        "text",
        "text_special",
        "softbreak",
        "hardbreak",
    }


@pytest.mark.parametrize("name", sorted(HOSTILE_TEXT))
def test_every_hostile_text_is_shown_as_plain_visible_text(name):
    escaped = markdown.text(HOSTILE_TEXT[name])
    assert not _INVISIBLE.search(escaped)
    assert set(_blocks(escaped)) <= {"paragraph_open"}
    assert not _mentions(escaped)
    if name in HIDDEN_IN:
        assert "⟨U+" in escaped


def test_prose_that_names_a_scheme_is_not_a_link():
    escaped = markdown.escape("No lock file: pins drift. data: none. file:/etc/passwd")
    assert escaped.startswith("No lock file: pins drift. data: none.")
    assert "file:/etc" not in escaped


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=", "file:///etc/passwd"]
)
def test_links_that_run_or_read_are_still_removed(link):
    assert markdown.escape(f"see {link}") == f"see {markdown.LINK_REMOVED}"


# --- every Markdown output uses it ------------------------------------------------------------


@pytest.fixture
def hostile_repository(tmp_path, team):
    folder = "svc\n# Approved by security\n@security-team"
    path = factories.git_repository(
        tmp_path / "shop",
        {
            "requirements.txt": "requests==2.31.0\n",
            f"{folder}/requirements.txt": "pandas==2.1.0\n",
            "shop/__init__.py": "",
            "shop/web.py": "import requests\n",
        },
    )
    repository = factories.repository(team, location=str(path))
    run, _ = scanning_services.scan_run_create(repository=repository)
    services.repository_scan(repository_id=repository.pk, scan_run_id=run.pk)
    return repository


def test_a_directory_name_with_a_line_break_injects_nothing_into_the_pull_request_body(
    hostile_repository, team
):
    record = DecisionRecord.objects.get(repository=hostile_repository, subject="pandas")
    lead = factories.member(team, Role.TRIAGER)
    owner = factories.member(team, Role.OWNER)
    services.record_update(
        record=record,
        actor=lead,
        changes={
            "owner": owner,
            "next_action": NextAction.REMOVE,
            "mode_notes": {m: "@octocat\n# not used" for m in record.uncovered_modes()},
            "rollback_notes": "re-add\n# Approved\n@security-team",
        },
    )
    services.record_move(record=record, actor=lead, move="propose")
    services.record_move(record=record, actor=owner, move="approve")

    body = cleanup.cleanup_body(user=lead, repository=hostile_repository)

    headings = [t for t in _RENDERER.parse(body) if t.type == "heading_open"]
    shown_headings = [
        _RENDERER.parse(body)[i + 1].content
        for i, t in enumerate(_RENDERER.parse(body))
        if t.type == "heading_open"
    ]
    assert "Approved by security" not in " ".join(shown_headings)
    assert all("Approved" not in h for h in shown_headings), shown_headings
    assert len(headings) == len(cleanup_headings := shown_headings)
    assert all(not h.startswith(("svc", "@")) for h in cleanup_headings)
    assert not _mentions(body)
    assert "pandas" in body


def test_minutes_and_audit_log_reveal_hidden_characters(team, repository, django_user_model):
    lead = factories.member(team, Role.TRIAGER)
    record = factories.record(
        repository,
        subject="req\u200buests",
        summary="safe\u202eevil",
        review_date=factories_today(),
    )
    services.record_update(
        record=record, actor=lead, changes={"why_stale": "old\u2066x\u2069 @octocat"}
    )
    meeting = services.meeting_start(team=team, on=factories_today(), actor=lead)
    services.meeting_minutes_save(
        meeting=meeting, actor=lead, attendees=[lead], minutes="ok\u202e\n# Approved\n@all"
    )
    item = meeting.items.get()
    services.meeting_item_record(item=item, actor=lead, note="note\u200b @octocat")
    outputs = {
        "minutes": "".join(
            minutes.minutes_lines(
                meeting=meeting, items=meeting.items.all(), previous=None, changes=[]
            )
        ),
        "audit": "".join(
            audit.audit_lines(
                title="t\u202e",
                records=DecisionRecord.objects.filter(repository=repository),
                gate=scanning_selectors.repository_gate(repository=repository),
            )
        ),
    }
    for name, body in outputs.items():
        assert not _INVISIBLE.search(body), name
        assert "⟨U+" in body, name
        assert not _mentions(body), name


def factories_today():
    import datetime

    return datetime.date(2026, 3, 2)


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_cells_carry_no_terminal_escapes_or_hidden_characters(viewer, repository):
    for name, value in HOSTILE_TEXT.items():
        factories.record(repository, subject=f"{name}:{value}", summary=value)
    response = Client()
    response.force_login(viewer)
    body = b"".join(
        response.get(reverse("decisions:record-export", args=["csv"])).streaming_content
    ).decode()
    assert "\x1b" not in body and "\x07" not in body and "\x00" not in body
    assert not _INVISIBLE.search(body)
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) == 1 + len(HOSTILE_TEXT)
    assert any("⟨U+001B⟩[31mred" in cell for row in rows for cell in row)


def test_csv_reveals_the_repository_name_and_owner_too(viewer, team):
    repository = factories.repository(team)
    repository.name = "repo\x1b[2J"
    repository.save()
    factories.record(repository, subject="pandas")
    body = "".join(exports.csv_stream(DecisionRecord.objects.for_user(viewer)))
    assert "\x1b" not in body and "repo⟨U+001B⟩[2J" in body


# --- meeting pages -----------------------------------------------------------------------------


def test_meeting_pages_show_hidden_characters_visibly(team, repository):
    lead = factories.member(team, Role.TRIAGER)
    # User names cannot hold hidden characters (Django's username validator allows \w@.+-).
    owner = factories.member(team, Role.OWNER)
    repository.name = "api\u202egnp.exe"
    repository.save()
    record = factories.record(
        repository, subject="req\u200buests", summary="safe\u202eevil", owner=owner
    )
    record.review_date = factories_today()
    record.save()
    meeting = services.meeting_start(team=team, on=factories_today(), actor=lead)
    services.meeting_minutes_save(
        meeting=meeting, actor=lead, attendees=[lead], minutes="minutes\u2066hidden\u2069"
    )
    item = meeting.items.get()
    services.meeting_item_record(item=item, actor=lead, note="note\u200b")
    item.outcome = "out\u202ecome"
    item.save()
    client = Client()
    client.force_login(lead)
    pages = [
        client.get(reverse("decisions:meeting-detail", args=[meeting.pk])),
        client.get(reverse("decisions:meeting-detail", args=[meeting.pk]), {"item": item.pk}),
        client.get(
            reverse("decisions:meeting-list"),
            {"team": team.pk, "date": factories_today().isoformat()},
        ),
    ]
    for page in pages:
        # A text area holds what will be saved again, exactly; the page shows it revealed above.
        html = re.sub(r"<textarea[^>]*>.*?</textarea>", "", page.content.decode(), flags=re.S)
        assert page.status_code == 200
        assert not _INVISIBLE.search(html), _INVISIBLE.search(html)
        assert "⟨U+" in html


# --- the repository admin form -----------------------------------------------------------------

SECRET = "hunter2SECRET"
# Locations whose credentials a form must not show again once it refused them.
SECRET_LOCATIONS = [
    f"http://bob:{SECRET}@git.example/x.git",  # not https: refused, and re-rendered
    f"https://bob:{SECRET}@[::1/x.git",  # urlsplit cannot parse it
    f"ssh://bob:{SECRET}@git.example/x.git",
    f"git+https://bob:{SECRET}@git.example/x.git",
    f"HTTPS://{SECRET}@git.example/x.git",
    # Tokens and generated passwords hold "/", "+", "?" and "#" (base64, AWS CodeCommit): the
    # user-info then does not end at the first "/", and the URL does not split.
    f"https://bob:ab/{SECRET}+cd@git.example/x.git",
    f"https://bob:ab?{SECRET}@git.example/x.git",
    f"https://bob:ab#{SECRET}@git.example/x.git",
    f"ssh://git:ab/{SECRET}@git.example/x.git",
    f"https://ab/{SECRET}@git.example/x.git",
]


@pytest.mark.parametrize("location", SECRET_LOCATIONS)
def test_the_repository_form_never_shows_a_secret_after_an_error(admin_client, team, location):
    response = admin_client.post(
        "/admin/inventory/repository/add/",
        {
            "team": team.pk,
            "name": "",
            "location": location,
            "release_cycle_days": 14,
            "scan_interval_hours": 24,
            "execution_modes": "[]",
            "known_first_party": "[]",
            "vulnerability_service": "mirror",
        },
    )
    assert response.status_code == 200
    assert SECRET not in response.content.decode()


@pytest.mark.parametrize(
    ("location", "shown"),
    [
        (f"https://bob:{SECRET}@git.example/x.git", "https://git.example/x.git"),
        (f"https://{SECRET}@git.example/x.git", "https://git.example/x.git"),
        (f"ssh://git:{SECRET}@host/x.git", "ssh://git@host/x.git"),
        ("ssh://git@host/x.git", "ssh://git@host/x.git"),
        (f"https://bob:p@ss{SECRET}@host/x", "https://host/x"),
        (f"https://bob:ab/{SECRET}@host/x", "https://host/x"),
        (f"https://ab/{SECRET}@host/x", "https://host/x"),
        (f"ssh://git:ab/{SECRET}@host/x.git", "ssh://git@host/x.git"),
        ("https://host/x.git", "https://host/x.git"),
        ("git@github.com:org/x.git", "git@github.com:org/x.git"),
    ],
)
def test_a_location_is_shown_without_its_secrets(location, shown):
    from inventory.locations import without_secrets

    assert without_secrets(location) == shown


@pytest.mark.parametrize("location", SECRET_LOCATIONS)
def test_adding_repositories_in_the_app_never_shows_a_secret_again(team, location, settings):
    settings.DEBTBOARD_ALLOW_LOCAL_REPOSITORIES = False
    client = Client()
    client.force_login(factories.member(team, Role.TRIAGER))
    for data in (
        {"team": team.pk, "location": location},
        {"team": team.pk, "lines": f"{location}, , main\n  {location},,main,14,24\n"},
        {"team": team.pk, "lines": f'"{location}",{team.name}'},
    ):
        response = client.post(reverse("decisions:repository-add"), data)
        assert response.status_code == 200
        assert b"refused" in response.content
        assert SECRET not in response.content.decode(), data
