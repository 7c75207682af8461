"""Throughput: completed steps per second with 1, 2 and 4 Celery worker processes.

Each worker is a real ``celery worker`` process (solo pool: one step at a time) on a
throwaway Redis; the steps are approvals of copies of a real commendation case. The
clock runs from queueing the batch until the database shows every task done. The
worker counts take turns in rounds (1, 2, 4, then 2, 4, 1, ...), so each is measured
under the same spread of the machine's load; the figure is the median over the rounds.
CPU per worker is its CPU time (with its sandbox processes) over the batch's wall time:
the share of a core it used. Memory per worker is its resident set size (VmRSS, and
the peak VmHWM) after the batch.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .common import Row, bench_agency, copies_at_approval, process_cpu_ms, user

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


def start_workers(count: int, queues: str = "bench") -> list[subprocess.Popen[bytes]]:
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
                    queues,
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


def wait_ready(count: int) -> None:
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


def batch(count: int, steps: int) -> tuple[float, list[float], list[tuple[int, int]]]:
    """Steps per second with ``count`` workers, each worker's share of a core, and each
    worker's (RSS, peak) in KiB."""
    from webapp.cases.models import HumanTask

    from .celery_tasks import complete_step

    agency = bench_agency(1)
    approver = user("approver", agency)
    tasks = copies_at_approval(agency, steps)
    workers = start_workers(count)
    try:
        wait_ready(count)
        cpu_before = [process_cpu_ms(worker.pid) for worker in workers]
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
        cpu = [process_cpu_ms(w.pid) - b for w, b in zip(workers, cpu_before, strict=True)]
        memory = [_memory_kib(worker.pid) for worker in workers]
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
    return len(tasks) / seconds, [ms / 1000 / seconds for ms in cpu], memory


ROUNDS = 3


def run(steps: int = STEPS, rounds: int = ROUNDS) -> tuple[list[Row], dict[str, Any]]:
    """``rounds`` rounds of every worker count, the order rotating; ``steps`` per round."""
    rates: dict[int, list[float]] = {n: [] for n in WORKERS}
    shares: dict[int, list[float]] = {n: [] for n in WORKERS}
    loads: list[float] = []
    memory: list[tuple[int, int]] = []
    for turn in range(rounds):
        for count in WORKERS[turn % len(WORKERS) :] + WORKERS[: turn % len(WORKERS)]:
            loads.append(os.getloadavg()[0])
            rate, share, used = batch(count, max(steps // rounds, 20))
            rates[count].append(rate)
            shares[count].extend(share)
            memory.extend(used)
    one = statistics.median(rates[WORKERS[0]])
    load = f"load {min(loads):.1f}-{max(loads):.1f}"
    rows = []
    for n in WORKERS:
        rows.append(
            Row(
                f"throughput, {n} worker{'s' if n > 1 else ''} (median of {rounds} rounds)",
                statistics.median(rates[n]),
                "steps/s",
                one if n > 1 else None,
                "1 worker" if n > 1 else "",
                load,
            )
        )
        rows.append(Row(f"CPU per worker, {n} workers", statistics.median(shares[n]), "cores"))
    rows.append(Row("memory per worker (RSS)", max(rss for rss, _ in memory) / 1024, "MiB"))
    rows.append(Row("memory per worker (peak)", max(hwm for _, hwm in memory) / 1024, "MiB"))
    facts = {"rates": rates, "cpu_shares": shares, "loads": loads, "memory_kib": memory}
    return rows, facts | {"cores": os.cpu_count()}
