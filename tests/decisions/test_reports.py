from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from decisions import exports, services
from decisions.models import DecisionRecord, NextAction, Severity, State
from decisions.reports import audit, cleanup, requirements_diff
from inventory import markdown
from inventory.models import Role
from scanning import selectors
from scanning import services as scanning_services
from tests import factories


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("requests", "requests"),
        ("a=b", "a=b"),
    ],
)
def test_formula_starts_are_neutralised(value, expected):
    assert exports.neutralise_formula(value) == expected


def test_csv_export_neutralises_every_cell(viewer, repository):
    factories.record(repository, subject="=cmd|' /C calc'!A0", summary="@SUM(1)")
    response = _client(viewer).get(reverse("decisions:record-export", args=["csv"]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][1] == "'=cmd|' /C calc'!A0"
    assert rows[1][8] == "'@SUM(1)"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a|b", "a\\|b"),
        ("line\nbreak", "line break"),
        ("<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert(1)\\>"),
        ("[click](javascript:alert(1))", "\\[click\\](" + markdown.LINK_REMOVED),
        ("see javascript:alert(1)", "see " + markdown.LINK_REMOVED),
        ("data:text/html;base64,PHNjcmlwdD4=", markdown.LINK_REMOVED),
        ("ftp://files.example/x", markdown.LINK_REMOVED),
        ("https://pypi.org/project/requests", "https://pypi.org/project/requests"),
        ("python_version<'3.12'", "python\\_version\\<'3.12'"),
    ],
)
def test_markdown_cells_escape_table_breakers_and_unsafe_links(value, expected):
    assert markdown.escape(value) == expected


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("audit", "Platform / api"), "audit-Platform-api.md"),
        (("audit", '../../etc/"passwd'), "audit-etc-passwd.md"),
        (("cleanup", "répo\r\nX-Header: 1"), "cleanup-r-po-X-Header-1.md"),
        (("", ""), "debtboard.md"),
    ],
)
def test_download_filenames_are_safe(parts, expected):
    assert exports.safe_filename(*parts, extension="md") == expected


def test_requirement_line_removal_keeps_other_lines_and_reports_drift():
    change = requirements_diff.remove_lines(
        "requirements.txt",
        "Django==5.2\npython-dateutil==2.9 \\\n    --hash=sha256:abc\nrequests\n",
        [(2, "python-dateutil"), (4, "pandas")],
    )
    assert change.removed == [2, 3]
    assert "-python-dateutil==2.9 \\\n-    --hash=sha256:abc\n" in change.diff
    assert " Django==5.2\n" in change.diff
    assert change.problems == [
        "requirements.txt: line 4 does not name pandas any more; edit it by hand."
    ]


@pytest.fixture
def scanned(tmp_path, team):
    path = factories.git_repository(
        tmp_path / "shop",
        {
            "requirements.txt": "requests==2.31.0\npandas==2.1.0\nflask>=3\n",
            "shop/__init__.py": "",
            "shop/web.py": "import requests\nimport flask\n",
        },
    )
    repository = factories.repository(team, location=str(path))
    run, _ = scanning_services.scan_run_create(repository=repository)
    services.repository_scan(repository_id=repository.pk, scan_run_id=run.pk)
    return repository


def _approve_removal(record, team):
    lead = factories.member(team, Role.TRIAGER)
    owner = factories.member(team, Role.OWNER)
    notes = {m: "not used there" for m in record.uncovered_modes()}
    services.record_update(
        record=record,
        actor=lead,
        changes={
            "owner": owner,
            "next_action": NextAction.REMOVE,
            "mode_notes": notes,
            "rollback_notes": "Re-add pandas==2.1.0 and redeploy",
            "watch_signal": "ImportError: pandas in the worker logs",
        },
    )
    services.record_move(record=record, actor=lead, move="propose")
    services.record_move(record=record, actor=owner, move="approve")
    return lead, owner


def test_cleanup_body_diffs_the_current_requirements_file(scanned, team):
    record = DecisionRecord.objects.get(repository=scanned, subject="pandas", kind="unused")
    lead, _ = _approve_removal(record, team)

    body = cleanup.cleanup_body(user=lead, repository=scanned)

    assert "**pandas**" in body
    diff = body.split("```diff\n", 1)[1].split("\n```", 1)[0]
    assert diff.splitlines() == [
        "--- a/requirements.txt",
        "+++ b/requirements.txt",
        "@@ -1,3 +1,2 @@",
        " requests==2.31.0",
        "-pandas==2.1.0",
        " flask>=3",
    ]
    assert "Re-add pandas==2.1.0 and redeploy" in body
    assert "ImportError: pandas in the worker logs" in body
    assert "### Process checks" in body and "### CI notes" in body
    assert "changed since the last scan" not in body


def test_cleanup_body_warns_when_the_file_changed_since_the_scan(scanned, team):
    record = DecisionRecord.objects.get(repository=scanned, subject="pandas", kind="unused")
    lead, _ = _approve_removal(record, team)
    requirements = scanned.location + "/requirements.txt"
    with open(requirements, "w") as fh:
        fh.write("# pinned\nrequests==2.31.0\npandas==2.1.0\nflask>=3\n")

    body = cleanup.cleanup_body(user=lead, repository=scanned)

    assert "requirements.txt changed since the last scan" in body
    assert "line 2 does not name pandas any more" in body


def test_cleanup_body_ignores_records_not_yet_approved(scanned, team):
    lead = factories.member(team, Role.TRIAGER)
    body = cleanup.cleanup_body(user=lead, repository=scanned)
    assert "No removal is approved" in body


def test_cleanup_page_and_download_respect_access(scanned, team):
    record = DecisionRecord.objects.get(repository=scanned, subject="pandas", kind="unused")
    lead, _ = _approve_removal(record, team)
    page = _client(lead).get(reverse("decisions:cleanup-body", args=[scanned.pk]))
    assert "-pandas==2.1.0" in page.content.decode()
    download = _client(lead).get(reverse("decisions:cleanup-body-download", args=[scanned.pk]))
    assert download["Content-Disposition"].startswith('attachment; filename="cleanup-repo-')
    outsider = factories.member(factories.team(), Role.ADMIN)
    assert (
        _client(outsider).get(reverse("decisions:cleanup-body", args=[scanned.pk])).status_code
        == 404
    )


def test_audit_log_shows_found_decided_removed_and_gates(team, repository, viewer):
    owner = factories.member(team, Role.OWNER)
    factories.record(repository, subject="left|over", kind="unused")
    factories.record(repository, subject="urllib3", kind="vulnerable", severity=Severity.HIGH)
    fixed = factories.record(
        repository, subject="jinja2", kind="vulnerable", severity=Severity.CRITICAL
    )
    services.history.event_write(fixed, "state", State.TRIAGED, State.DONE, comment="upgraded")
    DecisionRecord.objects.filter(pk=fixed.pk).update(state=State.DONE)
    records = DecisionRecord.objects.for_user(viewer)
    never_scanned = selectors.repository_gate(repository=repository)
    assert audit.quality_gates(records, never_scanned) == [
        ("Unused dependencies", 1, "FAIL"),
        ("Missing dependencies", 0, "pass"),
        ("Vulnerabilities with CVSS ≥ 7", 1, "unknown"),  # no scan audited anything
    ]
    response = _client(viewer).get(reverse("decisions:audit-log", args=["team", team.pk]))
    text = b"".join(response.streaming_content).decode()
    assert text.startswith(f"# Audit log: {team.name}")
    assert "| Unused dependencies | 1 | FAIL |" in text
    assert "| Missing dependencies | 0 | pass |" in text
    assert "| Vulnerabilities with CVSS ≥ 7 | 1 | unknown |" in text
    assert f"{repository.name}: never scanned successfully" in text
    assert "left\\|over" in text
    assert "vulnerability fixed" in text
    assert owner.username not in text  # nobody owns anything yet
    outsider = factories.member(factories.team(), Role.ADMIN)
    assert (
        _client(outsider).get(reverse("decisions:audit-log", args=["team", team.pk])).status_code
        == 404
    )
    assert (
        _client(outsider)
        .get(reverse("decisions:audit-log", args=["repository", repository.pk]))
        .status_code
        == 404
    )


def test_exports_stream_every_cell_safely(viewer, repository):
    owner = factories.member(repository.team, Role.OWNER)
    factories.record(repository, subject="=1+1", summary="a|b <x> javascript:alert(1)", owner=owner)
    factories.record(repository, subject="plain\u202e", review_date="2026-01-02")
    records = DecisionRecord.objects.for_user(viewer).order_by("subject")
    csv_text = "".join(exports.csv_stream(records))
    assert "'=1+1" in csv_text
    assert "plain⟨U+202E⟩" in csv_text
    markdown = "".join(exports.markdown_stream(records, title="t"))
    assert "a\\|b \\<x\\>" in markdown
    assert "javascript:" not in markdown
