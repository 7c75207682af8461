"""Bulk work: the yearly assessment (Art. 20) opened by the Celery job, and the inbox's
bulk completion of 100 selected tasks.

- Yearly assessment: ``open_yearly_assessments`` on real ``celery worker`` processes
  (solo pool, 2 by default: the machine's cores) on a throwaway Redis, for every on-duty
  member of the generated database (at province scale ~147,000 of 200,000 staff). The
  clock runs from sending the job until the database holds an assessment of that year
  for every member; the figure for 200,000 cases is that rate extrapolated. The
  workers' CPU (with their sandbox processes) is read from /proc before and after.
- Bulk completion: the approver of agency BENCH-00001 posts the inbox's bulk form for
  100 approvals of copies of a real commendation case (Django's test client, in
  process: the whole request, the 100 steps each its own transaction); repeated.
"""

from __future__ import annotations

import os
import time
from typing import Any

from django.test import Client

from .common import (
    APPROVE,
    Row,
    bench_agency,
    clocked,
    copies_at_approval,
    p50,
    process_cpu_ms,
    user,
)
from .workers import start_workers, wait_ready

PROVINCE = 200_000
BULK = 100


def yearly_assessment(workers: int = 2) -> tuple[list[Row], dict[str, Any]]:
    from webapp.cases.models import Case
    from webapp.cases.tasks import open_yearly_assessments
    from webapp.staff.models import Staff

    assessments = Case.objects.filter(definition__process_id="assessment")
    used = set(assessments.values_list("data__assessment_year", flat=True).distinct())
    year = next(y for y in range(2100, 2000, -1) if y not in used)  # none opened yet
    members = Staff.objects.filter(state="on_duty").count()
    opened = assessments.filter(data__assessment_year=year)
    processes = start_workers(workers, queues="bench,celery")
    try:
        wait_ready(workers)
        cpu_before = [process_cpu_ms(p.pid) for p in processes]
        load = os.getloadavg()[0]
        began = time.perf_counter()
        open_yearly_assessments.delay(year)
        while (done := opened.count()) < members:
            time.sleep(1.0)
            if time.perf_counter() - began > 3600:
                raise RuntimeError(f"only {done} of {members} assessments opened in an hour")
        seconds = time.perf_counter() - began
        cpu = sum(process_cpu_ms(p.pid) for p in processes) - sum(cpu_before)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
    per_case_ms = seconds * 1000 / members
    rows = [
        Row(f"yearly assessment: cases opened ({workers} workers)", members, "cases"),
        Row("yearly assessment: cases opened per second", members / seconds, "cases/s"),
        Row(
            "yearly assessment: 200,000 cases (extrapolated)",
            per_case_ms * PROVINCE / 60_000,
            "min",
            10.0,
            "target",
            f"load {load:.1f}",
        ),
        Row("yearly assessment: worker CPU per case", cpu / members, "ms"),
        # What the machine could do with its cores to itself: the figure the load hides.
        Row(
            "yearly assessment: 200,000 cases at that CPU on free cores",
            cpu / members * PROVINCE / min(workers, os.cpu_count() or 1) / 60_000,
            "min",
            10.0,
            "target",
        ),
    ]
    facts = {"members": members, "seconds": seconds, "cpu_ms": cpu, "workers": workers}
    return rows, facts | {"load_before": load, "load_after": os.getloadavg()[0]}


def _bulk_post(client: Client, task_ids: list[int]) -> None:
    response = client.post(
        "/inbox/bulk/",
        {
            "task": [str(t) for t in task_ids],
            "kind": "commendation:approve_commendation",
            **APPROVE,
            "_comment": "",
            "_confirmed": "1",
        },
    )
    if response.status_code != 200:
        raise RuntimeError(f"the bulk form answered {response.status_code}")


def bulk_completion(rounds: int = 3) -> tuple[list[Row], dict[str, Any]]:
    from webapp.cases.models import HumanTask

    agency = bench_agency(1)
    approver = user("approver", agency)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(approver)
    walls, cpus, loads = [], [], []
    for _ in range(rounds):
        tasks = copies_at_approval(agency, BULK)
        loads.append(os.getloadavg()[0])
        wall, cpu = clocked(lambda tasks=tasks: _bulk_post(client, tasks))
        done = HumanTask.objects.filter(pk__in=tasks, state="done").count()
        if done != BULK:
            raise RuntimeError(f"the bulk completion completed {done} of {BULK} tasks")
        walls.append(wall)
        cpus.append(cpu)
    rows = [
        Row(
            f"bulk completion of {BULK} tasks, p50 of {rounds}",
            p50(walls) / 1000,
            "s",
            2.0,
            "target",
            f"load {p50(loads):.1f}",
        ),
        Row(f"bulk completion of {BULK} tasks, CPU p50", p50(cpus) / 1000, "s"),
    ]
    return rows, {"walls_ms": walls, "cpus_ms": cpus, "loads": loads}
