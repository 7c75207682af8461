"""Make (or replace) a user's API token: ``manage.py api_token <username>``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from webapp.api.services import token_rotate


class Command(BaseCommand):
    help = "Make a new API token for a user (the old one stops working) and print it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = get_user_model().objects.get(username=options["username"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user {options['username']!r}.") from None
        self.stdout.write(token_rotate(user=user))
