from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from decisions import services
from inventory.models import Repository


class Command(BaseCommand):
    help = "Create a read-only API token for USERNAME and print it (it is shown only once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What the token is for.")
        parser.add_argument(
            "--repository",
            help="a repository's name: a CI token that pushes its scans and reads its gate only",
        )

    def handle(self, *args, **options) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None or not user.is_active:
            raise CommandError(f"No active user {options['username']!r}.")
        repository = None
        if options["repository"]:
            found = list(Repository.objects.filter(name=options["repository"])[:2])
            if len(found) != 1:
                raise CommandError(
                    f"{len(found) or 'No'} repositories named {options['repository']!r}."
                )
            repository = found[0]
        try:
            token, secret = services.api_token_create(
                user=user, name=options["name"], repository=repository
            )
        except (ValueError, PermissionError, services.TooManyTokens) as exc:
            raise CommandError(str(exc)) from None
        self.stderr.write(f"Token {token.prefix}… for {user.username}; it is not shown again.")
        self.stdout.write(secret)
