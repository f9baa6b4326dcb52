from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minxin.accounts.models import User
from minxin.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a user (a device, a kiosk, an integration) and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="Username the token acts as.")
        parser.add_argument("--name", default="", help="What the token is for (default: 'cli').")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user named {options['user']!r}.")
        if not user.is_active:
            raise CommandError(f"User {options['user']!r} is disabled.")
        issued = api_token_create(user=user, name=options["name"] or "cli")
        self.stdout.write(issued.secret)
