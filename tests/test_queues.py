"""Every task goes to a queue named by its work, and a worker without -Q consumes them all."""

from __future__ import annotations

from celery import current_app
from django.conf import settings

from config.celery import app


def test_every_registered_task_of_ours_has_a_queue_named_by_its_work():
    app.loader.import_default_modules()
    ours = sorted(n for n in app.tasks if n.startswith(("decisions.", "scanning.")))
    assert ours, "the tasks are registered"
    queues = {q.name for q in settings.CELERY_TASK_QUEUES}
    for name in ours:
        assert settings.CELERY_TASK_ROUTES[name]["queue"] in queues, name


def test_a_worker_without_q_consumes_every_queue():
    consumed = {q.name for q in current_app.amqp.queues.values()}
    assert consumed >= {"scans", "advisories", "notifications", "artifacts"}
