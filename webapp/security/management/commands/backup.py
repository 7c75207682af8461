"""``manage.py backup FILE``: a consistent copy of the database (SQLite API / pg_dump)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from webapp.security.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database to FILE (default var/backups/fuzhi-<time>.<ext>)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="where to write the backup")

    def handle(self, *args: Any, **options: Any) -> None:
        target = options.get("file")
        if not target:
            ext = "sqlite3" if connection.vendor == "sqlite" else "dump"
            stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
            target = str(Path(settings.VAR_DIR) / "backups" / f"fuzhi-{stamp}.{ext}")
        try:
            written = backup(Path(target))
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"backup written: {written} ({written.stat().st_size} bytes)")
