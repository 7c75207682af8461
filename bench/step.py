"""One step: over HTTP, through the service, and the bare engine persisted and in memory.

All four complete the same step (approving a commendation, which records it and ends
the case) on copies of one real case, in the same run:

- HTTP: a real gunicorn worker; the approver's browser session posts the task form
  (CSRF, session, permission checks, form validation, the service, the redirect);
- service: ``services.task_complete`` in-process (lock, engine, operators, projection,
  hash-chained events, versioned save), the step without HTTP;
- bare persisted: lock the case row, load its state, deserialize, complete, serialize,
  write the state back, commit: the least any persisted engine step can do;
- bare in memory: deserialize, complete, serialize (JSON text in, JSON text out).
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

from processes import engine
from processes.operators import OperatorRegistry

from .common import (
    APPROVE,
    BENCH_PASSWORD,
    Row,
    bench_agency,
    clocked,
    copies_at_approval,
    p50,
    percentile,
    process_cpu_ms,
    timed,
    user,
)

RUNS = 200


def _stub_operators() -> OperatorRegistry:
    """The engine alone: the operator answers without touching a database."""
    registry = OperatorRegistry()
    registry.register("commendation_record", lambda call: {"commendation": 1})
    return registry


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def web_server() -> Iterator[tuple[str, int]]:
    """One gunicorn sync worker on the benchmark database."""
    port = _free_port()
    env = {**os.environ, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1", "CONN_MAX_AGE": "60"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "webapp.config.wsgi",
            "-w",
            "1",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield base, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)


def _login(base: str, username: str) -> Any:
    import requests

    session = requests.Session()
    session.get(f"{base}/login/")
    response = session.post(
        f"{base}/login/",
        data={
            "username": username,
            "password": BENCH_PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base}/login/"},
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise RuntimeError(f"benchmark login failed: HTTP {response.status_code}")
    return session


def http_steps(base: str, session: Any, task_ids: list[int]) -> list[float]:
    """Wall time of each step posted to the running server (client side, loopback)."""
    times = []
    for task_id in task_ids:
        url = f"{base}/inbox/tasks/{task_id}/"
        form = {**APPROVE, "comment": "", "csrfmiddlewaretoken": session.cookies["csrftoken"]}
        began = time.perf_counter()
        response = session.post(url, data=form, headers={"Referer": url}, allow_redirects=False)
        times.append((time.perf_counter() - began) * 1000)
        if response.status_code != 302:
            raise RuntimeError(f"step over HTTP failed: {response.status_code} {url}")
    return times


def service_steps(task_ids: list[int], approver: Any) -> list[tuple[float, float]]:
    from webapp.cases.services import task_complete

    return [
        clocked(lambda t=t: task_complete(task_id=t, user=approver, data=APPROVE)) for t in task_ids
    ]


def _case_and_engine_id(task_id: int) -> tuple[int, str]:
    from webapp.cases.models import HumanTask

    return HumanTask.objects.values_list("case_id", "engine_task_id").get(pk=task_id)


def bare_persisted_steps(task_ids: list[int], definition: Any) -> list[tuple[float, float]]:
    registry = _stub_operators()
    postgres = connection.vendor == "postgresql"
    cast, lock = ("::jsonb", " FOR UPDATE") if postgres else ("", "")

    def one(case_id: int, engine_id: str) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT state FROM cases_case WHERE id = %s{lock}", [case_id])
            stored = cursor.fetchone()[0]
            state = json.loads(stored) if isinstance(stored, str | bytes) else stored
            outcome = engine.complete_task(
                definition, state, engine_id, APPROVE, operators=registry
            )
            cursor.execute(
                f"UPDATE cases_case SET state = %s{cast} WHERE id = %s",
                [json.dumps(outcome.state), case_id],
            )

    found = []
    for task_id in task_ids:
        case_id, engine_id = _case_and_engine_id(task_id)
        found.append(clocked(lambda c=case_id, e=engine_id: one(c, e)))
    return found


def bare_memory_steps(task_ids: list[int], definition: Any) -> list[tuple[float, float]]:
    from webapp.cases.models import Case

    registry = _stub_operators()

    def one(text: str, engine_id: str) -> None:
        outcome = engine.complete_task(
            definition, json.loads(text), engine_id, APPROVE, operators=registry
        )
        json.dumps(outcome.state)

    found = []
    for task_id in task_ids:
        case_id, engine_id = _case_and_engine_id(task_id)
        text = json.dumps(Case.objects.values_list("state", flat=True).get(pk=case_id))
        found.append(clocked(lambda text=text, engine_id=engine_id: one(text, engine_id)))
    return found


def round_trips(runs: int) -> list[float]:
    """A bare database round trip (SELECT 1): what each query of a step costs at least."""
    with connection.cursor() as cursor:
        return [timed(lambda: cursor.execute("SELECT 1")) for _ in range(runs)]


def queries_per_step(task_id: int, approver: Any) -> int:
    from django.test.utils import CaptureQueriesContext

    from webapp.cases.services import task_complete

    with CaptureQueriesContext(connection) as queries:
        task_complete(task_id=task_id, user=approver, data=APPROVE)
    return sum(1 for q in queries.captured_queries if q["sql"] not in ("BEGIN", "COMMIT"))


VARIANTS = ("http", "service", "persisted", "memory")
ROUNDS = 10


def _interleaved(
    tasks: dict[str, list[int]], rounds: int, call: dict[str, Any]
) -> tuple[dict[str, list[tuple[float, float]]], dict[str, list[float]], list[float]]:
    """Each round runs a slice of every variant, the order rotating round by round, so
    the machine's load falls on all of them alike. Returns every (wall, CPU) sample, each
    round's p50 per variant, and the load average at each round."""
    found: dict[str, list[tuple[float, float]]] = {v: [] for v in VARIANTS}
    medians: dict[str, list[float]] = {v: [] for v in VARIANTS}
    loads = []
    size = len(tasks["http"]) // rounds
    for number in range(rounds):
        order = VARIANTS[number % 4 :] + VARIANTS[: number % 4]
        loads.append(os.getloadavg()[0])
        for variant in order:
            chunk = tasks[variant][number * size : (number + 1) * size]
            samples = call[variant](chunk)
            found[variant].extend(samples)
            medians[variant].append(p50([w for w, _ in samples]))
    return found, medians, loads


def run(runs: int = RUNS, rounds: int = ROUNDS) -> tuple[list[Row], dict[str, Any]]:
    from webapp.cases.definitions import parsed
    from webapp.cases.models import HumanTask

    agency = bench_agency(1)
    approver = user("approver", agency)
    all_tasks = copies_at_approval(agency, 4 * runs + 1)
    queries = queries_per_step(all_tasks.pop(), approver)
    trips = round_trips(runs)
    definition = parsed(
        HumanTask.objects.select_related("case__definition").get(pk=all_tasks[0]).case.definition
    )
    tasks = {v: all_tasks[n * runs : (n + 1) * runs] for n, v in enumerate(VARIANTS)}
    with web_server() as (base, pid):
        session = _login(base, approver.username)
        session.get(f"{base}/inbox/")  # warm the worker (definitions parsed, connection)
        http_cpu: list[float] = []

        def http(chunk: list[int]) -> list[tuple[float, float]]:
            before = process_cpu_ms(pid)
            times = http_steps(base, session, chunk)
            http_cpu.append((process_cpu_ms(pid) - before) / len(chunk))
            return [(t, 0.0) for t in times]

        found, medians, loads = _interleaved(
            tasks,
            rounds,
            {
                "http": http,
                "service": lambda chunk: service_steps(chunk, approver),
                "persisted": lambda chunk: bare_persisted_steps(chunk, definition),
                "memory": lambda chunk: bare_memory_steps(chunk, definition),
            },
        )
    # The bare persisted steps moved the engine state without the projection: withdraw
    # those tasks so no inbox shows them.
    HumanTask.objects.filter(pk__in=tasks["persisted"]).update(state="cancelled")
    wall = {v: [w for w, _ in found[v]] for v in VARIANTS}
    cpu = {v: [c for _, c in found[v]] for v in VARIANTS}

    def ratio(a: str, b: str) -> float:
        # The median of the rounds' ratios: each compares samples taken minutes apart.
        return statistics.median(x / y for x, y in zip(medians[a], medians[b], strict=True))

    load = f"load {min(loads):.1f}-{max(loads):.1f}"
    persisted = p50(wall["persisted"])
    rows = [
        Row("step over HTTP p50", p50(wall["http"]), "ms", persisted, "bare persisted step p50"),
        Row(
            "step over HTTP / bare persisted, median of round ratios",
            ratio("http", "persisted"),
            "x",
            4.0,
            "target",
            load,
        ),
        Row(
            "step over HTTP p95",
            percentile(wall["http"], 95),
            "ms",
            percentile(wall["persisted"], 95),
            "bare persisted step p95",
        ),
        Row("step in the service p50", p50(wall["service"]), "ms", persisted, "bare persisted p50"),
        Row(
            "step in the service / bare persisted, median of round ratios",
            ratio("service", "persisted"),
            "x",
            2.0,
            "target",
            load,
        ),
        Row(
            "step in the service p95",
            percentile(wall["service"], 95),
            "ms",
            percentile(wall["persisted"], 95),
            "bare persisted step p95",
        ),
        Row("bare persisted step p50", persisted, "ms", p50(wall["memory"]), "engine in memory"),
        Row("step over HTTP p50 (target 10 ms)", p50(wall["http"]), "ms", 10.0, "target", load),
        Row(
            "CPU per step over HTTP (server, mean)",
            statistics.mean(http_cpu),
            "ms",
            statistics.mean(cpu["persisted"]),
            "bare persisted step CPU, mean",
        ),
        Row(
            "CPU per step in the service p50",
            p50(cpu["service"]),
            "ms",
            p50(cpu["persisted"]),
            "bare persisted step CPU p50",
        ),
        Row("database round trip (SELECT 1) p50", p50(trips), "ms"),
        Row("statements in one service step", queries, "", 2, "bare persisted step"),
    ]
    facts = {
        "steps": runs,
        "rounds": rounds,
        "load_per_round": loads,
        "round_p50": medians,
        "memory_p95": percentile(wall["memory"], 95),
    }
    return rows, facts
