"""Thin Celery tasks of the security app: each calls one service and records its run."""

from __future__ import annotations

from celery import shared_task

from webapp.cases.jobs import run_recorded

from . import services


@shared_task(acks_late=True)
def history_checkpoint(retry_of: int | None = None) -> str:
    """Beat: a signed checkpoint of every history head (Art. 15(3)). A head that went back
    fails the run, so the schedule page shows it with the cases named."""
    return str(run_recorded("history_checkpoint", [], services.history_checkpoint, retry_of))
