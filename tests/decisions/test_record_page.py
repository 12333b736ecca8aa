"""The record page: what was checked, what we suggest, the decision, one card per package."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from decisions import services
from decisions.forms import record_layout as record_form
from decisions.forms.records import RecordDetailForm
from decisions.models import DecisionRecord, NextAction, State
from inventory.models import Package, Role
from scanning import services as scanning_services
from tests import factories
from tests.scanning.advisories.support import PYPA_FIXTURE


@pytest.fixture
def scanned(tmp_path, team):
    call_command("sync_advisories", str(PYPA_FIXTURE), verbosity=0)
    path = factories.git_repository(
        tmp_path / "shop",
        {
            "requirements.txt": "pandas==2.1.0\nrequests==2.30.0\ndjango==4.2.1\n",
            "shop/__init__.py": "",
            "shop/views.py": "import django\nimport boto3\n",
            "shop/broken.py": "def broken(:\n",
            "tests/test_views.py": "import shop.views\n",
        },
    )
    repository = factories.repository(team, location=str(path))
    run, _ = scanning_services.scan_run_create(repository=repository)
    services.repository_scan(repository_id=repository.pk, scan_run_id=run.pk)
    return repository


def _record(repository, kind: str, subject: str) -> DecisionRecord:
    return DecisionRecord.objects.get(repository=repository, kind=kind, subject=subject)


def _page(client: Client, record: DecisionRecord, **headers) -> str:
    response = client.get(reverse("decisions:record-detail", args=[record.pk]), **headers)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def lead_client(team):
    client = Client()
    client.force_login(factories.member(team, Role.TRIAGER))
    return client


def test_unused_record_says_what_was_checked_and_suggests_removal(scanned, lead_client):
    page = _page(lead_client, _record(scanned, "unused", "pandas"))
    assert "Import names looked for" in page and "<code>pandas</code>" in page
    assert "Source: Debtboard&#x27;s knowledge table" in page or "Source: its name" in page
    assert "confidence" in page
    # Per mode: files read, evidence found or not, or that the mode has no files.
    assert 'class="mode-none"><th scope="row">test</th>' in page
    assert "No files of these modes in the repository: worker, cron, migration," in page
    # shop/broken.py could not be read, so "no use in web code" is not proven.
    assert 'class="mode-incomplete"><th scope="row">web</th>' in page
    assert "What we suggest: Remove pandas" in page
    assert "web could not be read in full: the removal needs a note" in page
    # Without index metadata what a removal saves is said to be unknown, never guessed.
    assert "the package index was not asked for this package&#x27;s metadata" in page


def test_what_a_removal_saves_comes_from_the_packages_own_metadata(scanned, lead_client):
    facts = {"requires": ["numpy>=1.26", "tzdata"], "requires_source": "index"}
    sizes = {"pandas": 60 << 20}
    for name, size in sizes.items():
        Package.objects.filter(name=name).update(
            import_names=[name],
            import_names_source="index",
            import_names_version="2.2.2",
            distribution_facts={**facts, "installed_bytes": size},
        )
    page = _page(lead_client, _record(scanned, "unused", "pandas"))
    assert "It removes 3 packages (numpy, pandas, tzdata), about 60.0 MB installed" in page
    assert "the size of numpy, tzdata is not known" in page


def test_unreadable_files_are_listed(scanned, lead_client):
    page = _page(lead_client, _record(scanned, "unused", "pandas"))
    assert "Files that could not be read" in page
    assert "shop/broken.py" in page


def test_missing_record_suggests_declaring_with_the_line_to_add(scanned, lead_client):
    page = _page(lead_client, _record(scanned, "missing", "boto3"))
    assert "What we suggest: Declare boto3" in page
    assert "Add to <code>requirements.txt</code>" in page
    assert '<pre class="line-to-add"><code>boto3</code></pre>' in page
    assert 'class="mode-found"><th scope="row">web</th>' in page or "1 use" in page


def test_vulnerable_and_unused_package_is_one_card_and_removal_is_suggested(scanned, lead_client):
    vulnerable = _record(scanned, "vulnerable", "requests")
    unused = _record(scanned, "unused", "requests")
    page = _page(lead_client, vulnerable)
    assert "What we suggest: Remove requests" in page
    assert "cheaper than upgrading" in page
    detail = reverse("decisions:record-detail", args=[unused.pk])
    assert f'class="tag kind-unused sibling" href="{detail}"' in page
    assert "Also found about requests here" in page


def test_vulnerable_used_pin_suggests_the_lowest_fixing_version(scanned, lead_client):
    page = _page(lead_client, _record(scanned, "vulnerable", "django"))
    assert "What we suggest: Upgrade django to 4.2.3" in page
    assert "django==4.2.3" in page


def test_list_rows_show_the_other_findings_of_the_same_package(scanned, lead_client):
    response = lead_client.get(reverse("decisions:record-list"), {"kind": "vulnerable"})
    page = response.content.decode()
    row_start = page.index(f'id="record-{_record(scanned, "vulnerable", "requests").pk}"')
    row = page[row_start : page.index("</tr>", row_start)]
    assert "also-kinds" in row and "Unused" in row


def test_saving_refreshes_state_decision_panel_and_history(scanned, team, lead_client):
    record = _record(scanned, "missing", "boto3")
    owner = factories.member(team, Role.OWNER, username="olga")
    assert record.state == State.NEW
    before = _page(lead_client, record)
    assert ">Mark triaged</button>" in before
    response = lead_client.post(
        reverse("decisions:record-detail", args=[record.pk]),
        {
            "owner": owner.pk,
            "next_action": NextAction.DECLARE,
            "impact": 4,
            "confidence": 4,
            "reversibility": 3,
            "prevention": 3,
        },
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="record-body",
    )
    assert response.status_code == 200
    fragment = response.content.decode()
    assert "<html" not in fragment
    assert fragment.startswith('<div id="record-body">')
    assert '<span class="tag state-tag">Triaged</span>' in fragment
    assert "Mark triaged" not in fragment  # the stale button would now be refused
    assert "Request approval" in fragment
    assert "owner  → olga" in fragment or "owner olga" in fragment or "→ olga" in fragment
    assert "Saved owner and next action; the record is now triaged." in fragment


def test_mode_notes_are_asked_only_when_remove_is_chosen(scanned, lead_client):
    record = _record(scanned, "unused", "pandas")
    record.repository.execution_modes = ["cron"]
    record.repository.save()
    page = _page(lead_client, record)
    assert '<fieldset class="mode-notes" id="mode-notes" hidden>' in page
    assert 'name="mode_note_cron"' in page
    assert 'name="mode_note_web"' in page  # shop/broken.py is unreadable: web needs a note
    assert 'name="mode_note_test"' not in page  # every test file was read
    DecisionRecord.objects.filter(pk=record.pk).update(next_action=NextAction.REMOVE)
    page = _page(lead_client, record)
    assert '<fieldset class="mode-notes" id="mode-notes">' in page


def test_decision_fields_come_before_the_rest_and_scores_explain_their_scale(scanned, lead_client):
    page = _page(lead_client, _record(scanned, "unused", "pandas"))
    order = [page.index(f'name="{name}"') for name in record_form.DECISION]
    assert order == sorted(order)
    assert max(order) < page.index('name="current_purpose"') < page.index('name="impact"')
    assert record_form.SCALES["impact"] in page
    assert "Priority = impact x confidence + reversibility + prevention" in page


def test_every_form_field_has_a_place_on_the_page(scanned):
    record = _record(scanned, "unused", "pandas")
    form = RecordDetailForm(instance=record)
    placed = {
        bf.name
        for group in record_form.groups(form, record=record, note_modes=["cron", "web"])
        for bf in group.fields
    }
    assert placed | {n for n in form.fields if n.startswith("mode_note_")} == set(form.fields)


def test_viewer_reads_the_decision_without_a_form(scanned, team):
    client = Client()
    client.force_login(factories.member(team, Role.VIEWER))
    page = _page(client, _record(scanned, "unused", "pandas"))
    assert '<form method="post" action="/records/' not in page.split('id="record-fields"')[1]
    assert "What we suggest" in page


def test_a_weight_file_record_lists_no_import_names_or_modes(tmp_path, team, lead_client, settings):
    settings.DEBTBOARD_WEIGHT_FILE_MB = 1
    path = factories.git_repository(tmp_path / "ml", {"train.py": "print(1)\n"})
    (path / "model.pt").write_bytes(b"\0" * (1024 * 1024 + 1))
    factories.git_repository(path, {})
    repository = factories.repository(team, location=str(path))
    run, _ = scanning_services.scan_run_create(repository=repository)
    services.repository_scan(repository_id=repository.pk, scan_run_id=run.pk)
    page = _page(lead_client, _record(repository, "weight-file", "model.pt"))
    assert "What we suggest: Move model.pt out of git" in page
    assert "Import names" not in page and "Evidence by execution mode" not in page
    assert "Files that could not be read" in page
    # What the scan looked for, with this installation's threshold.
    assert "What the scan looked for" in page
    assert "at or above 1 MB" in page and "<code>.pt</code>" in page
    assert "in the history the clone holds" in page


def test_a_removal_whose_size_is_known_starts_with_that_impact(scanned):
    record = _record(scanned, "unused", "pandas")
    before = record.impact
    Package.objects.filter(name="pandas").update(
        import_names=["pandas"],
        import_names_source="index",
        import_names_version="2.2.2",
        distribution_facts={"installed_bytes": 150 << 20},
    )
    record.delete()
    run, _ = scanning_services.scan_run_create(repository=scanned)
    services.repository_scan(repository_id=scanned.pk, scan_run_id=run.pk)

    again = _record(scanned, "unused", "pandas")
    assert before == 3  # the kind's guess without metadata
    assert again.impact == 5  # 150 MB leaves every install with it


@pytest.mark.parametrize(("kind", "subject"), [("missing", "boto3"), ("unused", "pandas")])
def test_keeping_a_vulnerability_is_asked_only_on_vulnerability_records(
    scanned, lead_client, kind, subject
):
    page = _page(lead_client, _record(scanned, kind, subject))
    assert "Keeping a vulnerability" not in page and 'name="suppression"' not in page
    page = _page(lead_client, _record(scanned, "vulnerable", "django"))
    assert "Keeping a vulnerability" in page and 'name="suppression"' in page


def test_a_record_that_holds_a_suppression_still_shows_it(scanned, lead_client):
    record = _record(scanned, "unused", "pandas")
    DecisionRecord.objects.filter(pk=record.pk).update(suppression="accepted-risk")
    page = _page(lead_client, record)
    assert 'name="suppression"' in page  # held, so shown where it can be cleared


def test_only_a_vulnerability_record_takes_a_suppression(scanned, lead_client):
    record = _record(scanned, "missing", "boto3")
    lead_client.post(
        reverse("decisions:record-detail", args=[record.pk]),
        {
            "suppression": "accepted-risk",
            "impact": 2,
            "confidence": 4,
            "reversibility": 3,
            "prevention": 3,
        },
    )
    record.refresh_from_db()
    assert record.impact == 2 and record.suppression == ""


def test_the_record_page_reads_the_latest_scan_once_without_its_audit(scanned, lead_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    record = _record(scanned, "unused", "pandas")
    _page(lead_client, record)
    with CaptureQueriesContext(connection) as queries:
        _page(lead_client, record)
    scan_reads = [
        q["sql"] for q in queries if q["sql"].startswith('SELECT "scanning_scanrun"."id"')
    ]
    assert len(scan_reads) == 1, scan_reads
    assert '"scanning_scanrun"."audit"' not in scan_reads[0]
    assert not any("DECLARE" in q["sql"] for q in queries)  # no server-side cursor
    assert len(queries) <= 15
