"""A real Celery worker process, on the configured broker, scans into the configured database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from decisions import services
from decisions.models import DecisionRecord
from scanning.models import ScanRun, ScanStatus
from tests import factories

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
BASE_DIR = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }
    process = subprocess.Popen(
        # No --pool: the worker the README starts, with the pool the settings choose.
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "INFO"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    print(output[-5000:])


def test_worker_process_scans_a_generated_git_repository(tmp_path, worker):
    team = factories.team()
    path = factories.git_repository(
        tmp_path / "service",
        {
            "requirements.txt": "requests==2.31.0\nleftpad==1.0\n",
            "service/__init__.py": "",
            "service/app.py": "import requests\nimport boto3\n",
        },
    )
    repository = factories.repository(team, location=str(path))
    run = services.scan_request(repository=repository)  # autocommit: the task is sent now

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and worker.poll() is None:
        run.refresh_from_db()
        if run.is_finished:
            break
        time.sleep(0.5)
    assert worker.poll() is None, "the worker process died"
    assert run.status == ScanStatus.SUCCEEDED, run.error or run.status
    assert run.commit
    # Exact pins without a lock file: one repository-level no-lock finding, none per package.
    assert set(
        DecisionRecord.objects.filter(repository=repository).values_list("kind", "subject")
    ) == {
        ("unused", "leftpad"),
        ("missing", "boto3"),
        ("no-lock", "(repository)"),
    }
    assert ScanRun.objects.filter(repository=repository).count() == 1
