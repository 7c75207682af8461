"""Recompute every case's history chain (Art. 15(3)); exit 1 naming each break."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from webapp.cases.history import verify_case
from webapp.cases.models import Case


class Command(BaseCommand):
    help = "Verify the SHA-256 history chain of every case."

    def handle(self, *args: Any, **options: Any) -> None:
        broken = 0
        checked = 0
        for case in Case.objects.order_by("pk").iterator():
            checked += 1
            for chain_break in verify_case(case):
                broken += 1
                self.stdout.write(f"BROKEN {chain_break}")
        self.stdout.write(f"{checked} cases checked, {broken} problems")
        if broken:
            raise SystemExit(1)
