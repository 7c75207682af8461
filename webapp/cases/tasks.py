"""Thin Celery tasks: each calls one service and is safe to run twice.

Timers, because a fired timer is part of the stored state and a second wake finds it
done; the yearly assessment, because it opens cases only for members who have none for
that year.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(acks_late=True)
def wake_due_cases() -> int:
    """Beat: every half minute, wake the cases whose next timer is due."""
    due = services.due_case_ids()
    for case_id in due:
        wake_case.delay(case_id)
    return len(due)


@shared_task(acks_late=True)
def wake_case(case_id: int) -> None:
    services.case_wake(case_id=case_id)


@shared_task(acks_late=True)
def open_yearly_assessments(year: int | None = None) -> int:
    """Art. 20: one assessment case for every on-duty member of every agency."""
    return len(services.assessments_open_yearly(year=year or timezone.localdate().year))


@shared_task(acks_late=True)
def deadlines_sweep() -> dict[str, int]:
    """Beat: remind before tasks fall due, escalate overdue ones (e.g. Art. 18 replies)."""
    return services.deadlines_sweep()
