"""Write a signed checkpoint of every case's head and the audit log's head now (on demand;
Celery beat writes one every FUZHI_CHECKPOINT_MINUTES). Exit 1 naming any head that
went back since the last checkpoint."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from webapp.security import services
from webapp.security.checkpoints import CheckpointRefused


class Command(BaseCommand):
    help = "Append a signed checkpoint of every history head to FUZHI_CHECKPOINT_FILE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rebase",
            metavar="REASON",
            default="",
            help="after restoring an older backup: record every head as it now is "
            "(the reason is kept in the file and the audit log)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            written = services.history_checkpoint(rebase=options["rebase"])
        except CheckpointRefused as exc:
            self.stdout.write(f"REFUSED {exc}")
            raise SystemExit(1) from None
        self.stdout.write(str(written))
