"""Adding repositories in the app, one or hundreds at once, and pausing or archiving them."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from decisions import services
from inventory import onboarding
from inventory.models import Repository, Role
from scanning.models import ScanRun, ScanStatus
from tests import factories


def test_lines_parse_with_default_columns_and_with_a_header():
    lines = onboarding.parse(
        "# comment\nhttps://git.example.com/org/shop.git, Platform, main, 7, 12\n\n"
        "git@git.example.com:org/billing\n"
    )
    assert [
        (x.name, x.team, x.default_branch, x.release_cycle_days, x.scan_interval_hours)
        for x in lines
    ] == [("shop", "Platform", "main", 7, 12), ("billing", "", "", None, None)]
    assert [x.number for x in lines] == [2, 4]
    [line] = onboarding.parse("team,location\nPlatform,https://git.example.com/a/b\n")
    assert (line.team, line.location, line.name) == ("Platform", "https://git.example.com/a/b", "b")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("file:///etc/passwd", "file"),
        ("ext::sh -c touch% /tmp/x", "spaces"),
        ("https://user:token@git.example.com/a/b", "Credentials"),
        ("https://git.example.com/a/b,,main,zero", "Release cycle"),
        ("https://git.example.com/a/b,,main,1,2,extra", "At most 5 columns"),
    ],
)
def test_bad_lines_are_refused_with_the_reason(text, why, settings):
    settings.DEBTBOARD_ALLOW_LOCAL_REPOSITORIES = False
    [line] = onboarding.parse(text)
    assert line.error and why.lower() in line.error.lower()
    assert "token" not in line.location


@pytest.fixture
def lead(team):
    return factories.member(team, Role.TRIAGER)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_lead_adds_one_repository_and_its_first_scan_is_queued(team, lead):
    with mock.patch("decisions.tasks.scan_repository_task.delay"):
        response = _client(lead).post(
            reverse("decisions:repository-add"),
            {
                "team": team.pk,
                "location": "https://git.example.com/org/shop.git",
                "default_branch": "main",
                "release_cycle": 7,
                "schedule": 12,
            },
        )
    assert response.status_code == 200
    assert "1 added, 0 already there, 0 refused" in response.content.decode()
    repository = Repository.objects.get(name="shop")
    assert (repository.team, repository.default_branch) == (team, "main")
    assert (repository.release_cycle_days, repository.scan_interval_hours) == (7, 12)
    run = ScanRun.objects.get(repository=repository)
    assert run.status == ScanStatus.QUEUED and run.requested_by == lead


def test_results_say_per_line_added_already_there_or_refused_and_why(team, lead, settings):
    settings.DEBTBOARD_ALLOW_LOCAL_REPOSITORIES = False
    factories.repository(team, location="https://git.example.com/org/old.git")
    Repository.objects.filter(team=team).update(name="old")
    other = factories.team("Elsewhere")
    text = (
        "https://git.example.com/org/new.git\n"
        "https://git.example.com/org/old.git\n"
        "/srv/local/repo\n"
        f"https://git.example.com/org/x.git,{other.name}\n"
        "https://git.example.com/other/old.git\n"
    )
    results = services.repositories_add(actor=lead, text=text, default_team=team)
    assert [r.outcome for r in results] == ["added", "exists", "refused", "refused", "refused"]
    assert "Local paths are not allowed" in results[2].message
    assert "not a lead or admin" in results[3].message
    assert "another location" in results[4].message
    assert Repository.objects.filter(team=other).count() == 0


def test_a_csv_file_is_read_like_a_pasted_list(team, lead):
    upload = SimpleUploadedFile(
        "repos.csv",
        f"location,team,default_branch,release_cycle,schedule\n"
        f"https://git.example.com/o/a.git,{team.name},trunk,21,48\n".encode(),
        content_type="text/csv",
    )
    response = _client(lead).post(reverse("decisions:repository-add"), {"csv_file": upload})
    assert response.status_code == 200
    repository = Repository.objects.get(name="a")
    assert (repository.default_branch, repository.release_cycle_days) == ("trunk", 21)


def test_three_hundred_repositories_in_one_sitting_with_bounded_queries(team, lead):
    text = "\n".join(f"https://git.example.com/org/repo-{n}.git" for n in range(300))
    with (
        mock.patch("decisions.tasks.scan_repository_task.delay") as delay,
        CaptureQueriesContext(connection) as queries,
    ):
        results = services.repositories_add(actor=lead, text=text, default_team=team)
    # Teams, existing names, two bulk inserts (split into batches where the database limits
    # query parameters, as SQLite does): a few dozen at most, never one or more per line.
    assert len(queries) <= 30, [q["sql"][:80] for q in queries]
    assert sum(q["sql"].startswith("SELECT") for q in queries) == 2
    assert [r.outcome for r in results] == ["added"] * 300
    assert Repository.objects.filter(team=team).count() == 300
    assert ScanRun.objects.filter(repository__team=team, status=ScanStatus.QUEUED).count() == 300
    delay.assert_not_called()  # queued on commit, which a test transaction never reaches


def test_the_scans_are_queued_once_the_repositories_are_committed(
    team, lead, django_capture_on_commit_callbacks
):
    text = "\n".join(f"https://git.example.com/org/r{n}.git" for n in range(3))
    with (
        mock.patch("decisions.tasks.scan_repository_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.repositories_add(actor=lead, text=text, default_team=team)
    runs = dict(ScanRun.objects.values_list("pk", "repository_id"))
    assert sorted(c.kwargs["scan_run_id"] for c in delay.call_args_list) == sorted(runs)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OWNER])
def test_only_leads_and_admins_add_repositories(team, role):
    person = factories.member(team, role)
    client = _client(person)
    assert client.get(reverse("decisions:repository-add")).status_code == 403
    response = client.post(
        reverse("decisions:repository-add"),
        {"team": team.pk, "location": "https://git.example.com/o/z.git"},
    )
    assert response.status_code == 403
    assert not Repository.objects.filter(name="z").exists()


def test_pause_stops_scheduled_scans_and_archive_hides_but_keeps_records(team, lead, viewer):
    repository = factories.repository(team)
    record = factories.record(repository)
    client = _client(lead)
    client.post(reverse("decisions:repository-state", args=[repository.pk]), {"state": "paused"})
    repository.refresh_from_db()
    assert repository.is_active is False
    assert not Repository.objects.due().filter(pk=repository.pk).exists()

    client.post(reverse("decisions:repository-state", args=[repository.pk]), {"state": "archived"})
    repository.refresh_from_db()
    assert repository.archived_at is not None
    listing = client.get(reverse("scanning:repository-list")).content.decode()
    assert f"<strong>{repository.name}</strong>" not in listing
    assert "Show 1 archived" in listing
    archived = client.get(reverse("scanning:repository-list"), {"archived": "1"}).content.decode()
    assert f"<strong>{repository.name}</strong>" in archived
    page = _client(viewer).get(reverse("decisions:record-detail", args=[record.pk]))
    assert page.status_code == 200

    client.post(reverse("decisions:repository-state", args=[repository.pk]), {"state": "active"})
    repository.refresh_from_db()
    assert repository.is_active and repository.archived_at is None


def test_a_viewer_cannot_pause_a_repository(team, viewer):
    repository = factories.repository(team)
    response = _client(viewer).post(
        reverse("decisions:repository-state", args=[repository.pk]), {"state": "paused"}
    )
    assert response.status_code == 403
    repository.refresh_from_db()
    assert repository.is_active


def test_repository_table_fragment_polls_while_scans_are_queued(team, lead):
    repository = factories.repository(team)
    ScanRun.objects.create(repository=repository)
    response = _client(lead).get(
        reverse("scanning:repository-list"),
        headers={"HX-Request": "true", "HX-Target": "repository-table"},
    )
    fragment = response.content.decode()
    assert "<html" not in fragment
    assert 'hx-trigger="every 3s"' in fragment and "1 scan queued or running" in fragment


def test_refused_lines_come_first_and_a_long_list_of_added_ones_is_folded(team, lead, settings):
    settings.DEBTBOARD_ALLOW_LOCAL_REPOSITORIES = False
    text = "\n".join(f"https://git.example.com/org/repo-{n}.git" for n in range(30))
    text += "\nfile:///etc/passwd\n"
    with mock.patch("decisions.tasks.scan_repository_task.delay"):
        page = (
            _client(lead)
            .post(reverse("decisions:repository-add"), {"team": team.pk, "lines": text})
            .content.decode()
        )
    assert "30 added, 0 already there, 1 refused" in page
    assert page.index("file:///etc/passwd") < page.index("repo-0.git")
    folded = page[page.index("<details") :]
    assert "30 repositories added" in folded and "repo-29.git" in folded


def test_the_repository_list_counts_the_latest_scans_by_outcome(team, lead):
    for status in (ScanStatus.SUCCEEDED, ScanStatus.FAILED, ScanStatus.FAILED, ScanStatus.QUEUED):
        ScanRun.objects.create(repository=factories.repository(team), status=status)
    factories.repository(team)  # never scanned
    page = _client(lead).get(reverse("scanning:repository-list")).content.decode()
    assert "Latest scans: 1 succeeded, 2 failed, 1 queued or running, 1 never scanned." in page
