"""gunicorn's settings for the production shape (Dockerfile, docker-compose.yml):
``gunicorn -c webapp/config/gunicorn.py webapp.config.wsgi:application``.

Timeouts bound what one request may hold (docs/reliability.md): a worker that answers
nothing for ``timeout`` seconds is killed and replaced by the master; no step can run
that long anyway (its scripts have ten seconds in all, a designer's test run twenty).
Each worker process starts its own sandbox workers as it starts (``processes.pool``),
so the first step after a start or a restart does not wait for them.
"""

from __future__ import annotations

import os
from typing import Any

from processes import pool

bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_WORKERS", "3"))
threads = int(os.environ.get("WEB_THREADS", "2"))
worker_class = "gthread"
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))  # seconds a worker may stay silent
graceful_timeout = 30  # seconds a worker has to finish its requests on a restart
keepalive = 5
# Replace each worker now and then, so no slow leak outlives a day.
max_requests = 2000
max_requests_jitter = 200
# Request lines and headers: gunicorn's own limits, stated so they are not forgotten.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190


def post_worker_init(worker: Any) -> None:
    pool.warm()
