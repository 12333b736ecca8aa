from __future__ import annotations

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("debtboard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
@signals.worker_process_init.connect
def _tune_collector(**kwargs: object) -> None:
    # Scans build hundreds of thousands of short-lived objects; see config/memory.py.
    from config import memory

    memory.tune_for_serving()
