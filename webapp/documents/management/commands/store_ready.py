"""Make the file store ready (the S3 bucket created if missing) and prove it works."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from webapp.documents.store import store_ready


class Command(BaseCommand):
    help = "Create the attachments' bucket if it is missing and write, read and delete a probe."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            notes = store_ready()
        except Exception as exc:  # any store failure: stop the start with its reason
            raise CommandError(f"the file store is not ready: {type(exc).__name__}: {exc}") from exc
        self.stdout.write("; ".join(notes))
