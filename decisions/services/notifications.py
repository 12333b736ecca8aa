"""Tell people what needs them: an in-app notification plus an e-mail after commit."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from decisions.models import DecisionRecord, Notification
from inventory.models import Membership

logger = logging.getLogger(__name__)


def notify(*, user, record: DecisionRecord, kind: str, message: str) -> Notification | None:
    """Record a notification for ``user`` and mail it once the transaction commits.

    Only someone who can act on the record is notified: an active user who may change records of
    its team (a viewer, or someone who left the team, can do nothing about it).
    """
    if user is None or not user.is_active:
        return None
    if not user.is_superuser and not (
        Membership.objects.editors().filter(user=user, team_id=record.repository.team_id).exists()
    ):
        return None
    notification = Notification.objects.create(
        user=user, record=record, kind=kind, message=message[:500]
    )
    if user.email:
        link = settings.DEBTBOARD_BASE_URL.rstrip("/") + reverse(
            "decisions:record-detail", args=[record.pk]
        )
        subject = f"[Debtboard] {notification.get_kind_display()}: {record.subject}"
        body = f"{message}\n\n{record.repository.name} · {record.get_kind_display()}\n{link}\n"

        def send() -> None:
            try:
                send_mail(subject, body, None, [user.email])
            except Exception:  # a mail outage must never undo the decision itself
                logger.exception("mail failed user=%s record=%s", user.pk, record.pk)

        transaction.on_commit(send)
    return notification
