from __future__ import annotations

import subprocess
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from inventory.demo import DEMO_PASSWORD

ADMIN_USERNAME = "admin"


class Command(BaseCommand):
    help = (
        "Run Debtboard on its embedded default: migrate, create a demo admin and organisation, "
        "start a Celery worker with beat, scan the demo repositories and serve the site. "
        "Ctrl-C stops everything."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args, **options) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self._ensure_admin()
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
        )
        try:
            call_command("demo")
            self.stdout.write(
                self.style.SUCCESS(
                    f"\nDebtboard: http://{options['addrport']}/  "
                    f"sign in as {ADMIN_USERNAME} / {DEMO_PASSWORD} "
                    f"(team lead: lead / {DEMO_PASSWORD}, viewer: viewer / {DEMO_PASSWORD})\n"
                )
            )
            call_command("runserver", options["addrport"], use_reloader=False)
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
