"""The Celery task the throughput benchmark queues: one approval step (bench/workers.py)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="bench.complete_step")
def complete_step(task_id: int, user_id: int) -> None:
    from django.contrib.auth import get_user_model

    from webapp.cases.services import task_complete

    from .common import APPROVE

    user = get_user_model().objects.get(pk=user_id)
    task_complete(task_id=task_id, user=user, data=APPROVE)
