"""The one-command demo: who to sign in as, advisories to show, and pages as visitors see them."""

from __future__ import annotations

from unittest import mock

from django.conf import settings
from django.core.management import call_command
from django.test import Client

from decisions.management.commands import rundemo
from inventory.demo import DEMO_ADVISORIES, DEMO_PASSWORD, DEMO_PEOPLE
from scanning.models import Advisory, AdvisorySync


def test_the_banner_names_every_demo_person_with_the_port_given():
    text = rundemo.banner("0.0.0.0:8080")
    assert "http://0.0.0.0:8080/" in text
    for username in ("admin", *DEMO_PEOPLE):
        assert f"{username} / {DEMO_PASSWORD}" in text
    assert "package owner: owner" in text


def test_the_demo_serves_with_debug_off_and_its_static_files(settings):
    settings.DEBUG = True
    with mock.patch.object(rundemo, "call_command") as run:  # the server loop itself
        rundemo.serve("127.0.0.1:9000", debug=False)
    assert settings.DEBUG is False
    run.assert_called_once_with("runserver", "127.0.0.1:9000", use_reloader=False, insecure=True)


def test_with_debug_off_a_missing_page_is_the_apps_404(db, viewer):
    client = Client()
    client.force_login(viewer)
    assert settings.DEBUG is False
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Not found</h1>" in page and "technical" not in page.lower()


def test_the_shipped_demo_advisories_sync_and_carry_their_licence(db):
    assert "Attribution 4.0 International" in (DEMO_ADVISORIES / "LICENSE").read_text()
    assert "CC-BY-4.0" in (DEMO_ADVISORIES / "README.md").read_text()
    call_command("sync_advisories", str(DEMO_ADVISORIES), verbosity=0)
    sync = AdvisorySync.objects.get()
    assert sync.status == AdvisorySync.Status.SUCCEEDED and sync.malformed == 0
    assert Advisory.objects.filter(packages__name="django").exists()
    # Only packages the demo repositories declare or import (cv2 is opencv-python).
    demo_packages = {
        *("black", "celery", "django", "gunicorn", "jinja2", "numpy", "opencv-python"),
        *("pandas", "pyyaml", "redis", "requests", "scikit-learn"),
    }
    assert {folder.name for folder in (DEMO_ADVISORIES / "vulns").iterdir()} <= demo_packages
