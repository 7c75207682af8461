"""Check that every case agrees with itself; exit 1 naming each disagreement.

For every case: its workflow state loads, the tasks it waits for are exactly the open
task rows, a running one waits for something (a task, a timer, a message), each done
task has its completion in the history, the history chain verifies (and the case row's
event count and head hash match it). For every member whose state a case step changed:
the state equals the last one recorded. Then the audit log's chain, and both against the
last signed checkpoint (deleted cases, histories cut short or recomputed).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from webapp.security.integrity import case_count, check_all


class Command(BaseCommand):
    help = "Verify workflow state, task rows, staff states and history chains of every case."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = 0
        for finding in check_all():
            problems += 1
            self.stdout.write(f"PROBLEM {finding}")
        self.stdout.write(f"{case_count()} cases checked, {problems} problems")
        if problems:
            raise SystemExit(1)
