"""Credentials in a repository URL are stored apart and never surface anywhere.

Surfaces: the location column, admin pages (add, change, changelist, a form with errors), any
ModelForm, repr/str, Celery task arguments, ScanRun.error / file_errors, exception text, logs.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.forms import modelform_factory
from django.test import Client

from decisions import services as decision_services
from decisions import tasks as decision_tasks
from inventory import locations
from inventory.models import Repository
from scanning.git import checkout
from scanning.models import ScanStatus
from tests import factories

SECRET = "ghp_S3cretT0kenValue"
URL = f"https://alice:{SECRET}@git.example.com/org/app.git"
BARE = "https://git.example.com/org/app.git"
ADD = "/admin/inventory/repository/add/"
_FAILING_GIT = """#!/bin/sh
env > "{log}.env"
echo "fatal: unable to access 'https://alice:{secret}@git.example.com/': token {secret} refused" >&2
exit 128
"""


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(factories.user(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def public_dns(monkeypatch):
    def fake(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("140.82.121.4", port or 0))]

    monkeypatch.setattr(socket, "getaddrinfo", fake)


@pytest.fixture
def failing_git(tmp_path, monkeypatch, settings):
    """A ``git`` that prints the secret in its error, as a misbehaving remote might."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "git-log"
    script = bin_dir / "git"
    script.write_text(_FAILING_GIT.format(log=log, secret=SECRET))
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    settings.DEBTBOARD_CLONE_DIR = str(tmp_path / "clones")
    return log


def _form_data(team, **extra):
    data = {
        "team": team.pk,
        "name": "app",
        "location": URL,
        "default_branch": "",
        "is_active": "on",
        "release_cycle_days": 14,
        "scan_interval_hours": 24,
        "execution_modes": "[]",
        "known_first_party": "[]",
        "vulnerability_service": "mirror",
        "next_scan_at_0": "",
        "next_scan_at_1": "",
        "git_username": "",
        "git_secret": "",
    }
    data.update(extra)
    return data


def _registered(team, location: str = URL) -> Repository:
    repository = Repository(team=team, name="app", location=location)
    repository.full_clean()
    repository.save()
    return repository


def test_clean_moves_credentials_out_of_the_location(team):
    repository = _registered(team, f"https://alice:{SECRET}%40x@git.example.com/org/app.git")
    repository.refresh_from_db()
    assert repository.location == BARE
    assert repository.credentials == locations.Credentials("alice", SECRET + "@x")
    assert SECRET not in str(repository) + repr(repository) + repr(repository.credentials)


def test_a_lone_token_in_the_url_is_kept_as_the_user_name(team):
    repository = _registered(team, f"HTTPS://{SECRET}@git.example.com/org/app.git")
    assert SECRET not in repository.location
    assert repository.credentials == locations.Credentials(SECRET, "")


def test_the_database_refuses_a_location_with_credentials(team):
    with pytest.raises(IntegrityError), transaction.atomic():
        Repository.objects.create(team=team, name="raw", location=URL)


@pytest.mark.parametrize(
    "location", ["https://tok/en@host.example/r", "https://alice:pa/ss@host.example/r"]
)
def test_a_secret_with_a_raw_slash_is_refused_not_stored_in_the_path(team, location):
    # urlsplit ends the host at the first "/", so the rest of the secret lands in the path.
    repository = Repository(team=team, name="app", location=location)
    with pytest.raises(ValidationError):
        repository.full_clean()


def test_no_model_form_can_show_or_set_the_credentials():
    form_class = modelform_factory(Repository, fields="__all__")
    assert not {"credential_username", "credential_secret"} & set(form_class.base_fields)


def test_admin_add_stores_the_secret_apart_and_no_page_shows_it(admin_client, team):
    response = admin_client.post(ADD, _form_data(team))
    assert response.status_code == 302, response.content.decode()[:2000]
    repository = Repository.objects.get(name="app")
    assert repository.location == BARE
    assert repository.credentials.password == SECRET

    changelist = admin_client.get("/admin/inventory/repository/")
    change = admin_client.get(f"/admin/inventory/repository/{repository.pk}/change/")
    history = admin_client.get(f"/admin/inventory/repository/{repository.pk}/history/")
    for page in (changelist, change, history):
        assert page.status_code == 200
        assert SECRET not in page.content.decode()
    assert BARE in changelist.content.decode()
    assert ">set<" in change.content.decode().replace(" ", "")


def test_admin_marks_the_credential_fields_sensitive_for_error_reports(admin_client, team):
    response = admin_client.post(ADD, _form_data(team, name=""))
    hidden = set(response.wsgi_request.sensitive_post_parameters)
    assert {"location", "git_username", "git_secret"} <= hidden


def test_admin_form_with_errors_does_not_echo_the_secret(admin_client, team):
    typed = "typed-" + SECRET
    for data in (
        _form_data(team, name=""),  # in the URL
        _form_data(team, name="", location=BARE, git_username="bob", git_secret=typed),
    ):
        response = admin_client.post(ADD, data)
        assert response.status_code == 200  # the form again, with its errors
        page = response.content.decode()
        assert "This field is required" in page
        assert SECRET not in page
    assert not Repository.objects.exists()


def test_admin_credentials_are_write_only_and_kept_until_replaced(admin_client, team):
    repository = _registered(team)
    change = f"/admin/inventory/repository/{repository.pk}/change/"
    admin_client.post(change, _form_data(team, location=BARE, default_branch="main"))
    repository.refresh_from_db()
    assert (repository.default_branch, repository.credentials.password) == ("main", SECRET)

    admin_client.post(change, _form_data(team, location=BARE, git_secret="new-token"))
    repository.refresh_from_db()
    assert repository.credentials == locations.Credentials("", "new-token")

    admin_client.post(change, _form_data(team, location=BARE, clear_credentials="on"))
    repository.refresh_from_db()
    assert not repository.has_credentials


def test_admin_refuses_to_send_stored_credentials_to_a_new_host(admin_client, team):
    repository = _registered(team)
    change = f"/admin/inventory/repository/{repository.pk}/change/"
    response = admin_client.post(
        change, _form_data(team, location="https://evil.example/org/app.git")
    )
    assert response.status_code == 200
    assert "give the credentials again" in response.content.decode()
    repository.refresh_from_db()
    assert repository.location == BARE


def test_scan_tasks_carry_ids_only(team, monkeypatch, django_capture_on_commit_callbacks):
    repository = _registered(team)
    sent = []
    monkeypatch.setattr(
        decision_tasks.scan_repository_task, "delay", lambda *a, **k: sent.append((a, k))
    )
    with django_capture_on_commit_callbacks(execute=True):
        decision_services.scan_request(repository=repository)
    ((args, kwargs),) = sent
    assert all(isinstance(value, int) for value in [*args, *kwargs.values()])


def test_failed_checkout_hides_the_secret_in_the_run_the_exception_and_the_logs(
    team, failing_git, public_dns, caplog
):
    repository = _registered(team)
    caplog.set_level(logging.DEBUG)
    run = decision_services.repository_scan(repository_id=repository.pk)
    assert run.status == ScanStatus.FAILED
    assert "git clone failed" in run.error
    assert SECRET not in run.error
    assert SECRET not in str(run.file_errors) + str(run) + repr(run)
    assert caplog.records  # the failure was logged, traceback included
    assert SECRET not in caplog.text
    # git did get the credential, in its environment only
    assert "Authorization: Basic" in Path(f"{failing_git}.env").read_text()


def test_checkout_error_text_hides_a_token_given_as_the_user_name(failing_git, public_dns):
    with pytest.raises(checkout.CheckoutError) as excinfo:
        checkout.checkout(
            BARE,
            clone_dir=Path(failing_git).parent / "clones",
            credentials=locations.Credentials(SECRET, ""),
        )
    assert SECRET not in str(excinfo.value)
    assert "***" in str(excinfo.value)
