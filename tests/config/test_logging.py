"""A refused action logs one line, never a traceback (twice) on the console."""

from __future__ import annotations

import copy
import io
import logging
import logging.config

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from config.settings import base
from tests import factories


@pytest.fixture
def console():
    """The production logging configuration, its console written to a buffer."""
    buffer = io.StringIO()
    config = copy.deepcopy(base.LOGGING)
    config["handlers"]["console"]["stream"] = buffer
    logging.config.dictConfig(config)
    # As Django configures it too: its own "django" console handler (shown when DEBUG is on).
    logging.getLogger("django").addHandler(logging.StreamHandler(buffer))
    yield buffer
    logging.getLogger("django").handlers.clear()
    logging.config.dictConfig(settings.LOGGING)


def test_a_refused_action_is_one_log_line(console, viewer, team):
    record = factories.record(factories.repository(team))
    client = Client()
    client.force_login(viewer)
    response = client.post(reverse("decisions:record-move", args=[record.pk]), {"move": "keep"})
    assert response.status_code in (302, 403)
    response = client.post(reverse("decisions:record-detail", args=[record.pk]), {"impact": 5})
    assert response.status_code == 403
    text = console.getvalue()
    assert "Traceback" not in text
    for path in (f"/records/{record.pk}/move/", f"/records/{record.pk}/"):
        lines = [
            line for line in text.splitlines() if f"path={path} " in line or line.endswith(path)
        ]
        assert len(lines) == 1, text
        assert "forbidden" in lines[0] and "reason=" in lines[0]


def test_a_server_error_keeps_its_traceback(console):
    logger = logging.getLogger("django.request")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logger.error("Internal Server Error: /x", exc_info=True, extra={"status_code": 500})
    assert "Traceback" in console.getvalue()
