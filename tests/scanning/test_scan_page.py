"""The scan page as a person reads it after "Scan now"."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from inventory.models import Role
from scanning.models import ScanRun, ScanStatus
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_failed_scan_page_says_so_once_and_leads_back(team):
    viewer = factories.member(team, Role.VIEWER)
    repository = factories.repository(team)
    run = ScanRun.objects.create(
        repository=repository,
        status=ScanStatus.FAILED,
        progress_message="Failed",
        error="CheckoutError: /srv/gone is not a directory",
    )
    client = Client()
    client.force_login(viewer)
    body = client.get(reverse("scanning:scan-detail", args=[run.pk])).content.decode()
    assert "Failed — Failed" not in body
    assert "CheckoutError: /srv/gone is not a directory" in body
    # Not a dead end: back to the repositories, and to what the last good scan left.
    assert f'href="{reverse("scanning:repository-list")}"' in body
    records = f"{reverse('decisions:record-list')}?repository={repository.pk}"
    assert f'href="{records}"' in body
