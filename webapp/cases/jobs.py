"""A record of every background job run: what fired, what failed and why, and retry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from .models import JobRun


def run_recorded(
    name: str, args: list[Any], body: Callable[[], Any], retry_of: int | None = None
) -> Any:
    """Run ``body`` and record it; a failure is recorded with its reason and re-raised."""
    run = JobRun.objects.create(name=name, args=args, retry_of_id=retry_of)
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
