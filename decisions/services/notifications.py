"""Tell people what needs them: an in-app notification plus an e-mail after commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from decisions.models import DecisionRecord, Notification
from inventory.models import Membership
from inventory.roster import Roster

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    """A notification to make: for whom, about which record, of what kind, saying what."""

    user: object
    record: DecisionRecord
    kind: str
    message: str

    def as_kwargs(self) -> dict:
        return {
            "user": self.user,
            "record": self.record,
            "kind": self.kind,
            "message": self.message,
        }


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
    _mail_on_commit(notification, message)
    return notification


def notify_each(notices: Iterable[Notice], *, roster: Roster) -> list[Notification]:
    """``notify`` for many notices in one query: who may act on each record is read from
    ``roster`` (the memberships of the records' teams), the notifications are inserted
    together, and each is mailed once the transaction commits."""
    kept = [
        notice
        for notice in notices
        if notice.user is not None
        and notice.user.is_active
        and (
            notice.user.is_superuser
            or roster.is_editor(user_id=notice.user.pk, team_id=notice.record.repository.team_id)
        )
    ]
    made = Notification.objects.bulk_create(
        Notification(user=n.user, record=n.record, kind=n.kind, message=n.message[:500])
        for n in kept
    )
    for notification, notice in zip(made, kept, strict=True):
        _mail_on_commit(notification, notice.message)
    return made


def _mail_on_commit(notification: Notification, message: str) -> None:
    user, record = notification.user, notification.record
    if not user.email:
        return
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
