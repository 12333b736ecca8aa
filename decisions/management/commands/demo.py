from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from decisions import services
from inventory import demo
from scanning.models import ScanRun


class Command(BaseCommand):
    help = "Create the demo organisation (git repositories on disk) and queue a scan of each."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dir", default=str(Path(settings.DATA_DIR) / "demo-org"))
        parser.add_argument(
            "--wait", type=int, default=0, help="Wait up to N seconds for the worker to scan."
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEBTBOARD_ALLOW_LOCAL_REPOSITORIES:
            raise CommandError("The demo needs DEBTBOARD_ALLOW_LOCAL_REPOSITORIES=1.")
        with transaction.atomic():
            repositories = demo.create_demo_organisation(Path(options["dir"]))
            runs = [services.scan_request(repository=r) for r in repositories]
        for repository in repositories:
            self.stdout.write(f"Registered {repository.name} at {repository.location}")
        self.stdout.write(f"Queued {len(runs)} scans for the worker.")
        if options["wait"]:
            self._wait([r.pk for r in runs], options["wait"])

    def _wait(self, run_ids: list[int], seconds: int) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            runs = list(ScanRun.objects.filter(pk__in=run_ids))
            if all(r.is_finished for r in runs):
                for run in runs:
                    self.stdout.write(
                        f"Scan #{run.pk} {run.status}: {run.findings_count} candidates {run.error}"
                    )
                if any(r.status != "succeeded" for r in runs):
                    raise CommandError("Some demo scans failed.")
                return
            time.sleep(0.5)
        raise CommandError(f"The worker did not finish the demo scans within {seconds}s.")
