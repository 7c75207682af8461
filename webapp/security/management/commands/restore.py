"""``manage.py restore FILE``: replace the database with a backup, then verify every chain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from webapp.security.backup import BackupError, restore
from webapp.security.integrity import case_count, check_all


class Command(BaseCommand):
    help = "Restore the database from FILE (made by `manage.py backup`), then check it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--yes", action="store_true", help="do not ask before replacing the data"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["file"])
        if not options["yes"] and input("Replace ALL data with the backup? [y/N] ") != "y":
            raise CommandError("not restored")
        try:
            restore(source)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        problems = [str(finding) for finding in check_all()]
        for problem in problems:
            self.stdout.write(f"PROBLEM {problem}")
        self.stdout.write(f"restored {source}: {case_count()} cases, {len(problems)} problems")
        if problems:
            raise SystemExit(1)
