"""Write a signed checkpoint of every case's head and the audit log's head now (on demand;
Celery beat writes one every FUZHI_CHECKPOINT_MINUTES). Exit 1 naming any head that
went back since the last checkpoint."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from webapp.security import checkpoint_copies, services
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
        parser.add_argument(
            "--ready",
            action="store_true",
            help="only make FUZHI_CHECKPOINT_BUCKET ready: create it with Object Lock if it "
            "is missing, refuse one without (exit 1)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["ready"]:
            self._ready()
            return
        try:
            written = services.history_checkpoint(rebase=options["rebase"])
        except CheckpointRefused as exc:
            self.stdout.write(f"REFUSED {exc}")
            raise SystemExit(1) from None
        self.stdout.write(str(written))

    def _ready(self) -> None:
        if not checkpoint_copies.enabled():
            self.stdout.write("no FUZHI_CHECKPOINT_BUCKET: checkpoints go to the file only")
            return
        try:
            self.stdout.write(checkpoint_copies.ready(create=True))
        except checkpoint_copies.CopyFailed as exc:
            self.stdout.write(f"REFUSED {exc}")
            raise SystemExit(1) from None
