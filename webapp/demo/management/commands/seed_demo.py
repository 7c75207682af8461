"""Load the demo data `make run` shows (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from webapp.demo.seed import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create Lu'an's demo agencies, one login per role, staff and open cases."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = seed_demo()
        self.stdout.write(
            f"demo data: {counts['agencies']} agencies, {counts['users']} logins "
            f"(password {DEMO_PASSWORD}), {counts['staff_created']} staff created"
        )
