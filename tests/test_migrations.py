from __future__ import annotations

import io

from django.core.management import call_command


def test_no_pending_migrations(db):
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
