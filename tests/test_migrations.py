from __future__ import annotations

import io

import pytest
from django.core.management import call_command


def test_no_pending_migrations(db):
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_existing_approvals_get_the_action_they_approved_from_the_history():
    from datetime import timedelta

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.utils import timezone

    before = [("decisions", "0005_record_suppression")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    # Only decisions goes back; the other apps stay at their latest migration.
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "decisions"]
    apps = executor.loader.project_state(before + others).apps
    team = apps.get_model("inventory", "Team").objects.create(name="T", slug="t")
    repository = apps.get_model("inventory", "Repository").objects.create(
        team=team, name="r", location="/tmp/r"
    )
    user = apps.get_model("auth", "User").objects.create(username="owner")
    Record = apps.get_model("decisions", "DecisionRecord")
    Approval = apps.get_model("decisions", "Approval")
    Event = apps.get_model("decisions", "DecisionEvent")
    decided = timezone.now() - timedelta(days=2)
    changed = Record.objects.create(
        repository=repository, subject="a", kind="unused", next_action="remove"
    )
    Approval.objects.create(record=changed, approver=user, decision="approved", created_at=decided)
    Event.objects.create(
        record=changed,
        field="next_action",
        old_value="archive",
        new_value="remove",
        created_at=decided + timedelta(hours=1),
    )
    kept = Record.objects.create(
        repository=repository, subject="b", kind="unused", next_action="remove"
    )
    Approval.objects.create(record=kept, approver=user, decision="approved", created_at=decided)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    apps = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps
    Approval = apps.get_model("decisions", "Approval")
    assert Approval.objects.get(record_id=changed.pk).next_action == "archive"
    assert Approval.objects.get(record_id=kept.pk).next_action == "remove"
