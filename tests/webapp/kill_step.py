"""Run one task completion in this process and SIGKILL it at a chosen point.

Invoked by test_integrity_faults.py as ``python -m tests.webapp.kill_step <point> <task>
<user>`` against the test database (DATABASE_URL). Points:
  after_engine   the engine and the operators ran (staff row written), before task rows
  mid_append     the third history event has been inserted, before the rest
  before_commit  the case row saved with its new version, COMMIT not yet sent
  after_commit   just after COMMIT returned (everything must be there)
"""

from __future__ import annotations

import json
import os
import signal
import sys

import django


def die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def main() -> None:
    point, task_id, user_id, data = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.config.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from webapp.cases import services, steps

    if point == "after_engine":
        steps.sync_tasks = lambda *a, **k: die()  # type: ignore[assignment]
    elif point == "mid_append":
        real_append = steps.append_event
        calls = {"n": 0}

        def append(*args, **kwargs):
            event = real_append(*args, **kwargs)
            calls["n"] += 1
            if calls["n"] == 3:
                die()
            return event

        steps.append_event = append  # type: ignore[assignment]
    elif point == "before_commit":
        real_save = steps.save_case

        def save(case):
            real_save(case)
            die()

        steps.save_case = save  # type: ignore[assignment]
    elif point == "after_commit":
        connection.ensure_connection()
        real_commit = connection.connection.commit

        class Wrapped:
            def __init__(self, inner):
                object.__setattr__(self, "inner", inner)

            def __getattr__(self, name):
                return getattr(self.inner, name)

            def __setattr__(self, name, value):
                # Django turns autocommit off by setting it on the connection: it must
                # reach psycopg's connection, or every savepoint runs outside a transaction.
                setattr(self.inner, name, value)

            def commit(self):
                real_commit()
                die()

        connection.connection = Wrapped(connection.connection)
    user = get_user_model().objects.get(pk=user_id)
    print("stepping", flush=True)
    services.task_complete(task_id=task_id, user=user, data=json.loads(data), comment="")
    print("survived", flush=True)


if __name__ == "__main__":
    main()
