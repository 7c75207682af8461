"""Deploy the models under bpmn/ as definition versions (unchanged ones are kept)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from webapp.accounts.services import routing_rules_seed
from webapp.cases.definitions import deploy_directory


class Command(BaseCommand):
    help = "Deploy every process in FUZHI_BPMN_DIR as a new version when its files changed."

    def handle(self, *args: Any, **options: Any) -> None:
        # A deploy refuses lanes no routing rule routes: a database emptied since its
        # migration (a test's flush) gets the default rules back first.
        routing_rules_seed()
        for definition in deploy_directory(settings.FUZHI_BPMN_DIR):
            self.stdout.write(
                f"{definition.process_id} v{definition.version} ({definition.content_hash[:12]})"
            )
