"""Thin Celery tasks: each calls one service, records its run, and is safe to run twice.

Timers, because a fired timer is part of the stored state and a second wake finds it
done; the yearly assessment, because it opens cases only for members who have none for
that year; reminders, because each task is flagged once.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.utils import timezone

from . import scheduling, services
from .jobs import job_runs_mark_lost, run_recorded
from .models import JobRun


@shared_task(acks_late=True)
def wake_due_cases(retry_of: int | None = None) -> int:
    """Beat: every half minute, wake the cases whose next timer is due."""

    def body() -> int:
        due = scheduling.due_case_ids()
        for case_id in due:
            wake_case.delay(case_id)
        return len(due)

    return int(run_recorded("wake_due_cases", [], body, retry_of))


@shared_task(acks_late=True)
def wake_case(case_id: int, retry_of: int | None = None) -> None:
    run_recorded(
        "wake_case", [case_id], lambda: services.case_wake(case_id=case_id).business_key, retry_of
    )


@shared_task(acks_late=True)
def open_yearly_assessments(year: int | None = None, retry_of: int | None = None) -> int:
    """Art. 20: one assessment case for every on-duty member of every agency, opened in
    chunks the workers share (a province has 200,000 members); returns the chunks sent.
    Sent twice or after an interruption, each chunk skips the members already opened."""
    year = year or timezone.localdate().year

    def body() -> int:
        chunks = scheduling.assessment_chunks()
        for first, last in chunks:
            open_assessment_chunk.delay(year, first, last)
        return len(chunks)

    return int(run_recorded("open_yearly_assessments", [year], body, retry_of))


@shared_task(acks_late=True)
def open_assessment_chunk(year: int, first: int, last: int, retry_of: int | None = None) -> int:
    """Art. 20: the assessments of the on-duty members with ids in [first, last]."""
    opened = run_recorded(
        "open_assessment_chunk",
        [year, first, last],
        lambda: len(scheduling.assessments_open_chunk(year=year, first=first, last=last)),
        retry_of,
    )
    return int(opened)


@shared_task(acks_late=True)
def deadlines_sweep(retry_of: int | None = None) -> dict[str, Any]:
    """Beat: remind before tasks fall due, escalate overdue ones (e.g. Art. 18 replies)."""
    result: dict[str, Any] = run_recorded(
        "deadlines_sweep", [], scheduling.deadlines_sweep, retry_of
    )
    return result


@shared_task(acks_late=True)
def open_renewals(retry_of: int | None = None) -> int:
    """Beat, daily: raise renewal cases ahead of contract ends (Art. 20)."""
    opened = run_recorded("open_renewals", [], lambda: len(scheduling.renewals_open()), retry_of)
    return int(opened)


@shared_task(acks_late=True)
def mark_lost_runs() -> int:
    """Beat: runs whose worker died and whose message never came back are marked lost."""
    return job_runs_mark_lost()


TASKS = {
    "open_renewals": open_renewals,
    "wake_due_cases": wake_due_cases,
    "wake_case": wake_case,
    "open_yearly_assessments": open_yearly_assessments,
    "open_assessment_chunk": open_assessment_chunk,
    "deadlines_sweep": deadlines_sweep,
}


def retry(run_id: int) -> None:
    """Send a failed or lost job again with the same arguments; the new run points back
    to it."""
    run = JobRun.objects.get(pk=run_id, status__in=["failed", "lost"])
    TASKS[run.name].delay(*run.args, retry_of=run.pk)
