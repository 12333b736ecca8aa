"""The worker and ``manage.py scan`` scan through one engine: same checkout, same findings."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from scanning import services
from scanning.engine import report
from tests import factories

pytestmark = pytest.mark.django_db

_FILES = {
    # corelib-client is installed nowhere, and corelib is the repository's own package: the
    # similar-name guess must not give corelib-client credit for ``import corelib``.
    "requirements.txt": "requests==2.31.0\npandas==2.1.0\ncorelib-client==1.0\ndjango==3.2.0\n",
    "requirements-dev.txt": "rich\n",
    "app/__init__.py": "",
    "app/main.py": "import requests\nimport boto3\nimport rich\nimport corelib\nimport django\n",
    "app/broken.py": "def (:\n",
    "cron/jobs.yaml": "schedule: '0 3 1 * *'\ncommand: python -m app.main\n",
}


def _command_report(path: str, *args: str) -> dict:
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("scan", path, "--format", "json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_command_and_the_worker_find_the_same_on_one_checkout(tmp_path, team):
    root = factories.git_repository(tmp_path / "app", _FILES)
    repository = factories.repository(team, location=str(root), known_first_party=["corelib"])
    run, _ = services.scan_run_create(repository=repository)

    tree, _ = services.scan_run_collect(scan_run=run)
    worker = report.as_data(
        report.ScanReport(str(root), tree.files_seen, tree.findings, tree.errors, tree.audit)
    )
    command = _command_report(str(root), "--known-first-party", "corelib")

    assert command["findings"] == worker["findings"]
    kinds = {(f["kind"], f["subject"]) for f in command["findings"]}
    assert ("unused", "corelib-client") in kinds
    assert ("missing", "corelib") not in kinds
    assert ("missing", "boto3") in kinds
    assert command["audit"]["gate"] == worker["audit"]["gate"]


def test_the_command_passes_known_first_party_to_every_step(tmp_path):
    root = factories.git_repository(tmp_path / "app", _FILES)

    without = _command_report(str(root))
    known = _command_report(str(root), "--known-first-party", "corelib")

    assert ("missing", "corelib") not in {(f["kind"], f["subject"]) for f in known["findings"]}
    assert ("unused", "corelib-client") in {(f["kind"], f["subject"]) for f in known["findings"]}
    assert ("unused", "corelib-client") not in {
        (f["kind"], f["subject"]) for f in without["findings"]
    }
