"""The history key (webapp/cases/keyring.py): ``rotate`` adds a new current key to the key
file (the old ones stay, to verify what they signed); ``new`` prints an entry to add to
FUZHI_HISTORY_KEYS where the keys come from the environment; ``show`` names the keys."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from webapp.cases import keyring
from webapp.security import services


class Command(BaseCommand):
    help = "Rotate, create or list the keys that sign the histories (never printed: ids only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rotate", "new", "show"])

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "rotate":
                self.stdout.write(f"current key: {services.history_key_rotate()}")
            elif options["action"] == "new":
                self.stdout.write(keyring.new_entry(keyring.next_id(keyring.keyring())))
            else:
                ring = keyring.keyring()
                self.stdout.write(f"keys: {', '.join(ring.keys)}; current: {ring.current_id}")
        except keyring.KeyringError as exc:
            raise CommandError(str(exc)) from None
