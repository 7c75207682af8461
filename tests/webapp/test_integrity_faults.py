"""A process SIGKILLed in the middle of a step leaves every case consistent.

The step runs in a real subprocess against the test database and is killed with SIGKILL
(no cleanup, no rollback by Python) at four points; then ``check_integrity`` must pass,
the case must be exactly before or exactly after the step, and the step can be retried.
Complements test_step_atomicity.py (exceptions inside one process) and
test_worker_restart.py (a Celery worker killed mid-wake).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
from django.db import connection

from tests.conftest import ROOT
from webapp.cases import services
from webapp.cases.models import Case, CaseEvent, HumanTask, TaskState
from webapp.security.integrity import check_all
from webapp.staff.models import Staff, StaffState

from .flows import APPROVE, CONTRACT, case_at_approval, drive, open_task

pytestmark = pytest.mark.django_db(transaction=True)

POINTS = ["after_engine", "mid_append", "before_commit", "after_commit"]


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return (
        f"postgres://{settings['USER']}{password}@{settings['HOST']}:{settings['PORT']}/"
        f"{settings['NAME']}"
    )


def killed_step(point: str, task: HumanTask, user, data: dict) -> subprocess.CompletedProcess:
    # Our connection must not hold a lock the child waits for.
    connection.close()
    env = {**os.environ, "DATABASE_URL": database_url()}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.webapp.kill_step",
            point,
            str(task.pk),
            str(user.pk),
            json.dumps(data),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def state_of(case: Case) -> tuple:
    case = Case.objects.get(pk=case.pk)
    return (
        case.version,
        case.head_hash,
        CaseEvent.objects.filter(case=case).count(),
        sorted(HumanTask.objects.filter(case=case).values_list("bpmn_id", "state")),
        Staff.objects.get(pk=case.subject_id).state,
    )


@pytest.mark.parametrize("point", POINTS)
def test_a_step_killed_at_any_point_leaves_the_case_consistent(
    point, hr, approver, agency, models_deployed
):
    case = case_at_approval(hr, approver, agency)
    drive(case, [("approve_hire", APPROVE)], hr, approver)
    task = open_task(case, "sign_contract")
    before = state_of(case)
    result = killed_step(point, task, hr, CONTRACT)
    assert result.returncode == -signal.SIGKILL, result.stdout + result.stderr
    assert "stepping" in result.stdout and "survived" not in result.stdout
    findings = [str(f) for f in check_all()]
    assert findings == []
    task.refresh_from_db()
    if point == "after_commit":
        # Committed before the kill: the whole step is there, nothing half.
        assert task.state == TaskState.DONE
        assert Staff.objects.get(pk=case.subject_id).state == StaffState.HIRED
        assert CaseEvent.objects.filter(case=case, task=task, kind="task_completed").exists()
        return
    assert state_of(case) == before
    assert task.state == TaskState.OPEN
    # The step is simply retried and lands once.
    services.task_complete(task_id=task.pk, user=hr, data=CONTRACT)
    assert Staff.objects.get(pk=case.subject_id).state == StaffState.HIRED
    assert CaseEvent.objects.filter(case=case, kind="task_completed", task=task).count() == 1
    assert [str(f) for f in check_all()] == []


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_crash_tests_run_with_synchronous_commit_on():
    # A commit acknowledged before a kill must be there after it (scripts/pg_throwaway.sh).
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://…"
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
