"""Inbox: an approver's first page and a search, server time, at the generated scale.

Measured in-process with Django's test client (the whole request: session, middleware,
the query, the template), so the figure is server time without the network. The
baseline is the same inbox query with PostgreSQL's index scans switched off: what an
unindexed task table would cost at this scale.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import Client

from .common import Row, bench_agency, clocked, copies_at_approval, p50, percentile, timed, user

RUNS = 200
# The busy approver of the issue: a queue of 200+ open tasks, 50 shown a page.
BUSY_QUEUE = 203


def _query_ms(approver: Any, search: str = "") -> float:
    from webapp.cases.selectors import inbox_tasks

    return timed(lambda: list(inbox_tasks(approver, search)[:200]))


def explain(approver: Any, search: str = "") -> str:
    """The plan PostgreSQL picks for the inbox query (docs/performance.md shows it)."""
    from webapp.cases.selectors import inbox_tasks

    if connection.vendor != "postgresql":
        return ""
    return str(inbox_tasks(approver, search)[:200].explain(analyze=True))


def run(runs: int = RUNS) -> tuple[list[Row], dict[str, Any]]:
    from webapp.cases.models import HumanTask

    agency = bench_agency()
    approver = user("approver", agency)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(approver)
    queue = HumanTask.objects.filter(agency=agency, role="approver", state="open").count()
    surname = (approver.last_name or "王")[:1]
    for _ in range(5):  # warm: parsed definitions, template cache, connection
        client.get("/inbox/")
    page_clock = [clocked(lambda: client.get("/inbox/")) for _ in range(runs)]
    search_clock = [clocked(lambda: client.get("/inbox/", {"q": surname})) for _ in range(runs)]
    page, search = [w for w, _ in page_clock], [w for w, _ in search_clock]
    query = [_query_ms(approver) for _ in range(runs)]
    unindexed: list[float] = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET enable_indexscan = off; SET enable_bitmapscan = off")
            unindexed = [_query_ms(approver) for _ in range(max(runs // 10, 5))]
            cursor.execute("RESET enable_indexscan; RESET enable_bitmapscan")
    rows = [
        Row("inbox first page p50", p50(page), "ms"),
        Row("inbox first page p95", percentile(page, 95), "ms", 20.0, "target"),
        Row("inbox search p50", p50(search), "ms"),
        Row("inbox search p95", percentile(search, 95), "ms", 20.0, "target"),
        Row(
            "inbox first page CPU p95",
            percentile([c for _, c in page_clock], 95),
            "ms",
            20.0,
            "target",
        ),
        Row(
            "inbox search CPU p95",
            percentile([c for _, c in search_clock], 95),
            "ms",
            20.0,
            "target",
        ),
    ]
    if unindexed:
        rows.append(
            Row(
                "inbox query alone p95",
                percentile(query, 95),
                "ms",
                percentile(unindexed, 95),
                "same query, index scans off",
            )
        )
    busy_rows, busy_facts = busy(runs)
    rows.extend(busy_rows)
    facts = {
        **busy_facts,
        "approver": approver.username,
        "queue": queue,
        "open_tasks": HumanTask.objects.filter(state="open").count(),
        "tasks": HumanTask.objects.count(),
        "plan": explain(approver),
        "search_plan": explain(approver, surname),
    }
    return rows, facts


def busy(runs: int) -> tuple[list[Row], dict[str, Any]]:
    """The first page of an approver with ``BUSY_QUEUE`` open tasks (agency 2, so the
    other benchmarks' agencies are untouched): whole request, in-process."""
    import os

    from webapp.cases.models import HumanTask

    agency = bench_agency(2)
    approver = user("approver", agency)
    waiting = HumanTask.objects.filter(agency=agency, role="approver", state="open").count()
    if waiting < BUSY_QUEUE:
        copies_at_approval(agency, BUSY_QUEUE - waiting)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(approver)
    for _ in range(5):
        client.get("/inbox/")
    load = os.getloadavg()[0]
    clock = [clocked(lambda: client.get("/inbox/")) for _ in range(runs)]
    wall, cpu = [w for w, _ in clock], [c for _, c in clock]
    note = f"load {load:.1f}-{os.getloadavg()[0]:.1f}"
    queue = HumanTask.objects.filter(agency=agency, role="approver", state="open").count()
    return [
        Row(f"busy approver's page ({queue} open) p50", p50(wall), "ms", note=note),
        Row(
            f"busy approver's page ({queue} open) p95",
            percentile(wall, 95),
            "ms",
            20.0,
            "target",
            note,
        ),
        Row(
            f"busy approver's page ({queue} open) CPU p95",
            percentile(cpu, 95),
            "ms",
            20.0,
            "target",
            note,
        ),
    ], {"busy_queue": queue}
