"""The background verification of many case histories (thin: one service call, recorded)."""

from __future__ import annotations

from celery import shared_task

from webapp.cases.jobs import run_recorded

from . import services


@shared_task(acks_late=True)
def verify_histories(run_id: int, retry_of: int | None = None) -> int:
    """Recompute the hash chain of every case the run's requester may see."""

    def body() -> int:
        return len(services.integrity_run_execute(run_id=run_id).breaks)

    return int(run_recorded("verify_histories", [run_id], body, retry_of))
