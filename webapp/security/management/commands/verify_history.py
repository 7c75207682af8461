"""Verify every history (Art. 15(3)); exit 1 naming each break.

Each case's chain under the history key, the audit log's chain, and both against the
last signed checkpoint (``webapp/security/checkpoints.py``): altered, inserted and
deleted events, histories cut short or recomputed, and deleted cases.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from webapp.cases.history import verify_case
from webapp.cases.models import Case
from webapp.security import checkpoints
from webapp.security.verification import audit_findings, checkpoint_findings


class Command(BaseCommand):
    help = "Verify the keyed history chain of every case and of the audit log, and both "
    help += "against the last signed checkpoint."

    def handle(self, *args: Any, **options: Any) -> None:
        broken = 0
        checked = 0
        for case in Case.objects.order_by("pk").iterator():
            checked += 1
            for chain_break in verify_case(case):
                broken += 1
                self.stdout.write(f"BROKEN {chain_break}")
        fold = checkpoints.read()
        for where, problem in [*audit_findings(), *checkpoint_findings(fold)]:
            broken += 1
            self.stdout.write(f"BROKEN {where}: {problem}")
        self.stdout.write(self._checkpoint_note(fold))
        self.stdout.write(f"{checked} cases checked, {broken} problems")
        if broken:
            raise SystemExit(1)

    def _checkpoint_note(self, fold: checkpoints.Fold) -> str:
        if not fold.number:
            return (
                "no checkpoint yet (manage.py history_checkpoint): deleted cases and "
                "histories cut short cannot be seen"
            )
        return f"checked against checkpoint #{fold.number} of {fold.at}"
