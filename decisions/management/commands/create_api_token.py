from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from decisions import services


class Command(BaseCommand):
    help = "Create a read-only API token for USERNAME and print it (it is shown only once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What the token is for.")

    def handle(self, *args, **options) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None or not user.is_active:
            raise CommandError(f"No active user {options['username']!r}.")
        try:
            token, secret = services.api_token_create(user=user, name=options["name"])
        except (ValueError, services.TooManyTokens) as exc:
            raise CommandError(str(exc)) from None
        self.stderr.write(f"Token {token.prefix}… for {user.username}; it is not shown again.")
        self.stdout.write(secret)
