"""Sending the weekly digest: once per person and week, to those who did not opt out."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

from decisions import digests
from decisions.models import DigestPreference
from inventory.models import Membership

logger = logging.getLogger(__name__)


def week_start(on: date) -> date:
    return on - timedelta(days=on.weekday())


def digest_preference_save(*, user, weekly_personal: bool, weekly_team: bool) -> DigestPreference:
    preference, _ = DigestPreference.objects.get_or_create(user=user)
    preference.weekly_personal = weekly_personal
    preference.weekly_team = weekly_team
    preference.full_clean()
    preference.save(update_fields=["weekly_personal", "weekly_team"])
    return preference


def digests_send(*, on: date) -> int:
    """Mail each active member with an address the digest of the week of ``on`` (once: a second
    run in the same week sends nothing); nothing is sent to someone with nothing in it."""
    sent = 0
    people = (
        get_user_model()
        .objects.filter(is_active=True, pk__in=Membership.objects.values("user"), email__gt="")
        .order_by("pk")
    )
    this_week = week_start(on)
    for person in people:
        with transaction.atomic():
            preference, _ = DigestPreference.objects.select_for_update().get_or_create(user=person)
            if preference.last_sent_on and preference.last_sent_on >= this_week:
                continue
            if not (preference.weekly_personal or preference.weekly_team):
                continue
            content = digests.digest(
                user=person,
                on=on,
                personal=preference.weekly_personal,
                team=preference.weekly_team,
            )
            preference.last_sent_on = this_week
            preference.save(update_fields=["last_sent_on"])
            if not len(content):
                continue
            context = {"digest": content, "base_url": settings.DEBTBOARD_BASE_URL.rstrip("/")}
            body = render_to_string("decisions/email/digest.txt", context)
            subject = f"[Debtboard] Your week: {len(content)} item(s) for {on.isoformat()}"
        # Marked as sent first: a crash here misses one digest rather than sending it twice.
        _send(subject, body, person.email)
        sent += 1
    logger.info("digests sent count=%s week=%s", sent, this_week)
    return sent


def _send(subject: str, body: str, to: str) -> None:
    try:
        send_mail(subject, body, None, [to])
    except Exception:  # a mail outage must not stop the other digests
        logger.exception("digest mail failed to=%s", to)
