"""Fire due timers now (the scheduler does this every minute)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from webapp.cases.scheduling import wake_due_cases


class Command(BaseCommand):
    help = "Advance every running case whose next timer is due."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{wake_due_cases()} cases woken")
