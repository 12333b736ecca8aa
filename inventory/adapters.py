from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by an admin unless open sign-up is switched on."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return settings.DEBTBOARD_OPEN_SIGNUP
