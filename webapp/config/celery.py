"""The Celery app: the scheduler and the worker in every setting.

Production uses Redis (``CELERY_BROKER_URL=redis://...``); the embedded default of
`make run` uses a broker on the local disk, so timers keep firing with no server.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.config.settings")

app = Celery("fuzhi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
