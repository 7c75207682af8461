"""Stored bytes per case: the case tables on disk (with indexes and TOAST) per case."""

from __future__ import annotations

import json
from typing import Any

from django.db import connection

from .common import Row

TABLES = ("cases_case", "cases_humantask", "cases_caseevent")


def run() -> tuple[list[Row], dict[str, Any]]:
    from webapp.cases.models import Case, CaseEvent, HumanTask

    cases = Case.objects.count()
    facts: dict[str, Any] = {
        "cases": cases,
        "events": CaseEvent.objects.count(),
        "tasks": HumanTask.objects.count(),
    }
    if connection.vendor != "postgresql":
        sample = Case.objects.order_by("?").values_list("state", flat=True)[:500]
        state = sum(len(json.dumps(s)) for s in sample) / max(len(sample), 1)
        return [Row("workflow state per case (JSON text)", state, "B")], facts
    with connection.cursor() as cursor:
        sizes = {}
        for table in TABLES:
            cursor.execute("SELECT pg_total_relation_size(%s)", [table])
            sizes[table] = int(cursor.fetchone()[0])
        cursor.execute(
            "SELECT avg(pg_column_size(state)), avg(octet_length(state::text)) FROM cases_case "
            "WHERE status = 'running'"
        )
        on_disk, text = cursor.fetchone()
    facts["table_bytes"] = sizes
    total = sum(sizes.values())
    return [
        Row("stored bytes per case (case, tasks, history)", total / cases, "B"),
        Row(
            "of which the case row's workflow state (open cases)",
            float(on_disk),
            "B",
            float(text),
            "as JSON text",
        ),
    ], facts
