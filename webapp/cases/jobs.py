"""A record of every background job run: what fired, what failed and why, and retry.

A worker killed mid-run leaves its run "running" (issue 19 saw one stay so forever on
``/schedule/``). Two things close it: the broker redelivers the message (tasks are
acknowledged late), and the new run, finding a run of the same message still
"running", marks it lost and points back to it; and a sweep marks lost any run with no
word for ``FUZHI_JOB_LOST_AFTER_MINUTES`` (a message that never came back), which the
schedule page then offers to retry.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from celery import current_task
from django.conf import settings
from django.utils import timezone

from .models import JobRun


def _message_id() -> str:
    """The Celery task id of the message being run, or "" when called outside a worker."""
    request = getattr(current_task, "request", None)
    return str(getattr(request, "id", None) or "")


def run_recorded(
    name: str, args: list[Any], body: Callable[[], Any], retry_of: int | None = None
) -> Any:
    """Run ``body`` and record it; a failure is recorded with its reason and re-raised."""
    task_id = _message_id()
    run = JobRun.objects.create(name=name, args=args, retry_of_id=retry_of, task_id=task_id)
    if task_id:
        _close_lost_runs(run)
    try:
        result = body()
    except Exception as exc:
        JobRun.objects.filter(pk=run.pk).update(
            status="failed",
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    JobRun.objects.filter(pk=run.pk).update(
        status="succeeded", result=str(result)[:200], finished_at=timezone.now()
    )
    return result


def _close_lost_runs(run: JobRun) -> None:
    """This message ran before and never finished: its worker died. Mark that run lost
    and link this one to it as its redelivery."""
    earlier = JobRun.objects.filter(task_id=run.task_id, status="running").exclude(pk=run.pk)
    last = earlier.order_by("-started_at", "-pk").first()
    if last is None:
        return
    earlier.update(
        status="lost",
        error=f"the worker died before the run finished; the message was redelivered as "
        f"run #{run.pk}",
        finished_at=timezone.now(),
    )
    JobRun.objects.filter(pk=run.pk).update(redelivery_of=last)


def job_runs_mark_lost(now: Any = None) -> int:
    """Runs with no word for longer than any job takes: their worker died and their
    message did not come back. Marked lost, so the schedule page offers a retry."""
    now = now or timezone.now()
    minutes = int(getattr(settings, "FUZHI_JOB_LOST_AFTER_MINUTES", 60))
    return JobRun.objects.filter(
        status="running", started_at__lt=now - timedelta(minutes=minutes)
    ).update(
        status="lost",
        error=f"no word from its worker for {minutes} minutes; it died and the message did "
        "not come back",
        finished_at=now,
    )
