"""A worker killed in the middle of a wake: the message comes back and the timer fires once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone

from tests.conftest import ROOT
from webapp.cases import tasks
from webapp.cases.models import Case, CaseEvent, HumanTask, JobRun
from webapp.config.celery import app

from .flows import TO_APPROVAL, application, drive

pytestmark = pytest.mark.django_db(transaction=True)


def start_worker(redis_url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CELERY_RESTORE_INTERVAL": "1",
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "webapp.config.settings",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "webapp.config",
            "worker",
            "--pool=solo",
            "--loglevel=info",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


def wait_for(condition, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_it_fires_the_timer_once_after_the_worker_is_killed_mid_task(
    redis_url, tmp_path, agency, models_deployed, hr, approver
):
    from webapp.cases.openings import recruitment_open

    case = recruitment_open(user=hr, fields=application(agency, notice_period="PT1S"))
    drive(case, TO_APPROVAL, hr, approver)
    time.sleep(1.2)
    log = tmp_path / "worker.log"
    first = start_worker(redis_url, log)
    try:
        assert wait_for(lambda: "ready" in log.read_text(errors="replace"))
        # Hold the case so the wake blocks inside its transaction, then kill the worker.
        with transaction.atomic():
            Case.objects.select_for_update().get(pk=case.pk)
            if connection.vendor == "sqlite":
                Case.objects.filter(pk=case.pk).update(title=case.title)  # take the write lock
            with app.connection_for_write(url=redis_url) as broker:
                tasks.wake_case.apply_async((case.pk,), connection=broker)
            assert wait_for(lambda: "received" in log.read_text(errors="replace"))
            time.sleep(0.5)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    assert not HumanTask.objects.filter(case=case, bpmn_id="approve_hire").exists()
    second = start_worker(redis_url, log)
    try:
        assert wait_for(
            lambda: HumanTask.objects.filter(case=case, bpmn_id="approve_hire").exists(), seconds=60
        )
        time.sleep(2.0)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=20)
    assert HumanTask.objects.filter(case=case, bpmn_id="approve_hire").count() == 1
    fired = CaseEvent.objects.filter(case=case, kind="engine_step", bpmn_id="public_notice")
    assert fired.count() == 1
    assert timezone.now() - Case.objects.get(pk=case.pk).started_at < timedelta(minutes=5)
    runs = list(JobRun.objects.filter(name="wake_case").order_by("pk"))
    assert runs[-1].status == "succeeded"
    if connection.vendor == "postgresql":
        # The killed worker had recorded its run (SQLite's write lock, held above, kept it
        # from writing anything): marked lost and linked to the redelivered run.
        first_run, second_run = runs
        assert first_run.status == "lost" and first_run.task_id == second_run.task_id
        assert second_run.redelivery_of_id == first_run.pk
