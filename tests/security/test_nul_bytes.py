"""A NUL byte in a scanned file or a request never fails a scan or a page (PostgreSQL refuses
NUL in text columns; the suite runs on PostgreSQL in CI)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from decisions import services
from decisions.models import DecisionRecord
from scanning import services as scanning_services
from scanning.models import Evidence, ScanStatus
from tests import factories


@pytest.mark.django_db
def test_a_nul_byte_in_scanned_files_is_stored_escaped(tmp_path, team):
    path = factories.git_repository(
        tmp_path / "app",
        {
            "requirements.txt": "leftpad==1.0  # owner\x00x\nrequests==2.32.3\ngunicorn==23.0\n",
            "Procfile": "web: gunicorn app.main --name a\x00b\n",
            "app/main.py": "import requests\nNAME = 'a\x00b'\nimport importlib\n"
            "importlib.import_module('x\x00y')\n",
        },
    )
    repository = factories.repository(team, location=str(path))
    run, _ = scanning_services.scan_run_create(repository=repository)

    services.repository_scan(repository_id=repository.pk, scan_run_id=run.pk)

    run.refresh_from_db()
    assert run.status == ScanStatus.SUCCEEDED, run.error
    assert DecisionRecord.objects.filter(kind="unused", subject="leftpad").exists()
    stored = list(Evidence.objects.values_list("detail", flat=True))
    assert not any("\x00" in text for text in stored)
    assert any("\\x00" in text for text in stored)


@pytest.mark.django_db
def test_a_nul_byte_in_an_api_filter_is_a_clear_error(team):
    user = factories.member(team)
    secret = services.api_token_create(user=user, name="ci")[1]
    response = Client().get(
        reverse("decisions:api-records"),
        {"owner": "a\x00b"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 400
    assert "not a name or an id" in response.json()["error"]
