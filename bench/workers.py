"""Throughput: completed steps per second with 1, 2 and 4 Celery worker processes.

Each worker is a real ``celery worker`` process (solo pool: one step at a time) on a
throwaway Redis; the steps are approvals of copies of a real commendation case. The
clock runs from queueing the batch until the database shows every task done. Memory
per worker is its resident set size (VmRSS, and the peak VmHWM) after the batch.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .common import Row, bench_agency, copies_at_approval, user

STEPS = 300
WORKERS = (1, 2, 4)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def redis_broker() -> Iterator[str]:
    """A throwaway Redis for the run; sets CELERY_BROKER_URL before Django reads it."""
    server = shutil.which("redis-server")
    if server is None:
        raise RuntimeError("redis-server is needed for the worker benchmark (make system)")
    port = _free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    os.environ["CELERY_BROKER_URL"] = f"redis://127.0.0.1:{port}/0"
    try:
        yield os.environ["CELERY_BROKER_URL"]
    finally:
        process.terminate()
        process.wait(timeout=10)


LOGS = Path(__file__).resolve().parents[1] / "var" / "bench"


def _start_workers(count: int) -> list[subprocess.Popen[bytes]]:
    workers = []
    LOGS.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        log = (LOGS / f"worker-{count}-{n}.log").open("wb")
        workers.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "webapp.config",
                    "worker",
                    "--pool=solo",
                    "-Q",
                    "bench",
                    "-I",
                    "bench.celery_tasks",
                    "-n",
                    f"bench{n}@%h",
                    "--without-mingle",
                    "--without-gossip",
                    "-l",
                    "warning",
                ],
                env={**os.environ, "CONN_MAX_AGE": "600"},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    return workers


def _wait_ready(count: int) -> None:
    from webapp.config.celery import app

    for _ in range(120):
        if len(app.control.ping(timeout=1.0) or []) >= count:
            return
    raise RuntimeError(f"{count} benchmark workers did not start")


def _memory_kib(pid: int) -> tuple[int, int]:
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            fields[name] = value.strip()
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def batch(count: int, steps: int) -> tuple[float, list[tuple[int, int]]]:
    """Steps per second with ``count`` workers, and each worker's (RSS, peak) in KiB."""
    from webapp.cases.models import HumanTask

    from .celery_tasks import complete_step

    agency = bench_agency(1)
    approver = user("approver", agency)
    tasks = copies_at_approval(agency, steps)
    workers = _start_workers(count)
    try:
        _wait_ready(count)
        began = time.perf_counter()
        for task_id in tasks:
            complete_step.apply_async((task_id, approver.pk), queue="bench")
        done = 0
        while done < len(tasks):
            time.sleep(0.05)
            done = HumanTask.objects.filter(pk__in=tasks, state="done").count()
            if time.perf_counter() - began > 900:
                raise RuntimeError(f"only {done} of {len(tasks)} steps done in 15 minutes")
        seconds = time.perf_counter() - began
        memory = [_memory_kib(worker.pid) for worker in workers]
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
    return len(tasks) / seconds, memory


def run(steps: int = STEPS) -> tuple[list[Row], dict[str, Any]]:
    rates: dict[int, float] = {}
    memory: list[tuple[int, int]] = []
    for count in WORKERS:
        rates[count], used = batch(count, steps)
        memory.extend(used)
    one = rates[WORKERS[0]]
    rows = [
        Row(
            f"throughput, {n} worker{'s' if n > 1 else ''}",
            rates[n],
            "steps/s",
            one if n > 1 else None,
            "1 worker" if n > 1 else "",
        )
        for n in WORKERS
    ]
    rows.append(Row("memory per worker (RSS)", max(rss for rss, _ in memory) / 1024, "MiB"))
    rows.append(Row("memory per worker (peak)", max(hwm for _, hwm in memory) / 1024, "MiB"))
    return rows, {"rates": rates, "cores": os.cpu_count(), "memory_kib": memory}
