"""The Celery app: the scheduler and the worker in every setting.

Production uses Redis (``CELERY_BROKER_URL=redis://...``); the embedded default of
`make run` uses a broker on the local disk, so timers keep firing with no server.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_process_init

from processes import pool

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.config.settings")

app = Celery("fuzhi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect  # type: ignore[untyped-decorator]
def _start_sandbox_workers(**kwargs: object) -> None:
    # Each worker process starts its own sandbox workers as it starts (processes.pool):
    # a task never runs a model's code in the Celery process itself.
    pool.warm()
