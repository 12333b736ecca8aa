from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from inventory.demo import DEMO_ADVISORIES, DEMO_PASSWORD, DEMO_PEOPLE

ADMIN_USERNAME = "admin"
_ROLE_WORDS = {"triager": "team lead", "owner": "package owner", "viewer": "viewer"}


def banner(addrport: str) -> str:
    """What to open and who to sign in as: the admin and every demo person, with their role."""
    people = ", ".join(
        f"{_ROLE_WORDS.get(role, role)}: {username} / {DEMO_PASSWORD}"
        for username, role in DEMO_PEOPLE.items()
    )
    return (
        f"\nDebtboard: http://{addrport}/  sign in as {ADMIN_USERNAME} / {DEMO_PASSWORD} "
        f"({people})\n"
        "The demo's advisories are a dated snapshot of the PyPA database shipped with Debtboard;"
        " the demo does not hold their age against them.\n"
    )


class Command(BaseCommand):
    help = (
        "Run Debtboard on its embedded default: migrate, create a demo admin and organisation, "
        "start a Celery worker with beat, scan the demo repositories and serve the site. "
        "Ctrl-C stops everything."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8000", help="e.g. 0.0.0.0:8080")
        parser.add_argument(
            "--debug",
            action="store_true",
            help="serve with DEBUG on (Django's debug pages instead of the app's 404 and 500)",
        )

    def handle(self, *args, **options) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self._ensure_admin()
        # Demo advisories first, so the first scans already show vulnerable pins. They are a
        # dated snapshot shipped with Debtboard: unless told otherwise, the demo does not hold
        # their age against them (a real installation does, DEBTBOARD_ADVISORY_MAX_DATA_AGE_DAYS).
        environment = dict(os.environ)
        if "DEBTBOARD_ADVISORY_MAX_DATA_AGE_DAYS" not in environment:
            environment["DEBTBOARD_ADVISORY_MAX_DATA_AGE_DAYS"] = "0"
            settings.DEBTBOARD_ADVISORY_MAX_DATA_AGE_DAYS = 0
        call_command("sync_advisories", str(DEMO_ADVISORIES), verbosity=0)
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--beat",
                "--pool=solo",
                "--loglevel=INFO",
                f"--schedule={settings.DATA_DIR / 'celerybeat-schedule'}",
            ],
            cwd=settings.BASE_DIR,
            env=environment,
        )
        try:
            call_command("demo")
            self.stdout.write(self.style.SUCCESS(banner(options["addrport"])))
            serve(options["addrport"], debug=options["debug"])
        finally:
            self._stop(worker)

    def _ensure_admin(self) -> None:
        User = get_user_model()
        if not User.objects.filter(username=ADMIN_USERNAME).exists():
            User.objects.create_superuser(
                ADMIN_USERNAME, f"{ADMIN_USERNAME}@example.invalid", DEMO_PASSWORD
            )

    def _stop(self, worker: subprocess.Popen) -> None:
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        self.stdout.write("Stopped the worker.")


def serve(addrport: str, *, debug: bool) -> None:
    """The development server, as a visitor should see the app: DEBUG off unless asked.

    With DEBUG off runserver serves no static files by itself; ``insecure`` makes it (the
    demo has no other web server).
    """
    settings.DEBUG = debug
    call_command("runserver", addrport, use_reloader=False, insecure=True)
