from __future__ import annotations

import pytest

from scanning.evidence import mode_for


@pytest.mark.parametrize(
    ("path", "mode"),
    [
        ("tests/test_views.py", "test"),
        ("app/tests/helpers.py", "test"),
        ("app/test_models.py", "test"),
        ("app/models_test.py", "test"),
        ("conftest.py", "test"),
        ("app/migrations/0001_initial.py", "migration"),
        ("alembic/versions/abc123_add_table.py", "migration"),
        ("db/alembic/env.py", "migration"),
        ("app/tasks.py", "worker"),
        ("app/workers/email.py", "worker"),
        ("app/cron/nightly.py", "cron"),
        ("app/scheduler.py", "cron"),
        ("config/celery_beat.py", "cron"),
        ("deploy/crontab", "cron"),
        ("notebooks/explore.ipynb", "notebook"),
        (".github/workflows/ci.yml", "ci"),
        (".gitlab-ci.yml", "ci"),
        ("tox.ini", "ci"),
        ("noxfile.py", "ci"),
        ("docs/conf.py", "docs"),
        ("scripts/backfill.py", "script"),
        ("bin/run.py", "script"),
        ("manage.py", "script"),
        ("setup.py", "script"),
        ("app/views.py", "web"),
        ("src/pkg/api/routes.py", "web"),
    ],
)
def test_mode_from_path(path: str, mode: str) -> None:
    assert mode_for(path) == mode


def test_heartbeat_is_not_mistaken_for_celery_beat() -> None:
    assert mode_for("app/heartbeat.py") == "web"


def test_main_guard_makes_package_module_a_script() -> None:
    source = 'def main():\n    pass\n\nif __name__ == "__main__":\n    main()\n'
    assert mode_for("app/tool.py", source) == "script"


def test_module_with_celery_task_decorator_is_worker() -> None:
    source = "from celery import shared_task\n\n@shared_task\ndef send():\n    pass\n"
    assert mode_for("app/emails.py", source) == "worker"
    assert mode_for("app/emails.py", "from celery import shared_task\n") == "web"


def test_rq_job_and_app_task_decorators_are_worker() -> None:
    source = "from rq.decorators import job\n@job('default')\ndef f(): pass\n"
    assert mode_for("app/jobs.py", source) == "worker"
    assert (
        mode_for("app/bg.py", "import celery\napp = celery.Celery()\n@app.task\ndef f(): pass\n")
        == "worker"
    )


def test_kubernetes_cronjob_manifest_is_cron() -> None:
    manifest = "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: x\n"
    assert mode_for("deploy/k8s/report.yaml", manifest) == "cron"


def test_test_mode_wins_over_main_guard() -> None:
    assert mode_for("tests/test_x.py", 'if __name__ == "__main__":\n    pass\n') == "test"


@pytest.mark.parametrize("module", ["celery", "rq", "dramatiq", "huey"])
def test_a_task_module_with_a_task_decorator_runs_in_the_worker(module):
    source = f"from {module} import shared_task\n\n@shared_task\ndef clean():\n    pass\n"
    assert mode_for("app/jobs.py", source) == "worker"
    # Either half alone is no worker: the import without a decorator, the decorator alone.
    assert mode_for("app/jobs.py", source.replace("@shared_task\n", "")) == "web"
    assert mode_for("app/jobs.py", source.replace(f"from {module} ", "from other ")) == "web"


def test_the_main_guard_makes_a_script_in_either_quotes():
    for guard in ("if __name__ == '__main__':", 'if __name__ == "__main__":'):
        assert mode_for("app/tool.py", f"import sys\n{guard}\n    main()\n") == "script"
    assert mode_for("app/tool.py", "MAIN = '__main__'\n") == "web"
