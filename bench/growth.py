"""Growth: a step in a case that has looped 1,000 times against one that looped 10 times.

Two real usage-plan cases in the benchmark agency are sent back for rework (Art. 8, 9:
the approver returns the draft) through ``services.task_complete``, 10 and 1,000 times.
Then both do the same further rounds and each step's server time is recorded, with the
stored state's size. For contrast, the engine alone runs the same loop in memory with
compaction switched off: what the stored state would have grown to.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import connection

from .common import Row, bench_agency, p50, timed, user

PLAN = {
    "post": "城市管理执法辅助岗",
    "headcount": 2,
    "employment_mode": "unit",
    "education_requirement": "college",
    "duties_summary": "协助开展市容巡查",
}
REJECT = {"decision_plan": "reject", "reason_plan": "请补充岗位职责"}
MEASURED_ROUNDS = 20


def _round(case: Any, hr: Any, approver: Any) -> tuple[float, float]:
    """One rework round; the two steps' server times in ms."""
    from webapp.cases.models import HumanTask
    from webapp.cases.services import task_complete

    def complete(who: Any, data: dict[str, Any]) -> None:
        task = HumanTask.objects.get(case=case, state="open")
        task_complete(task_id=task.pk, user=who, data=data)

    return timed(lambda: complete(hr, PLAN)), timed(lambda: complete(approver, REJECT))


def _stored_bytes(case_id: int) -> tuple[int, int]:
    """(JSON text length, bytes on disk after compression) of the case's state."""
    from webapp.cases.models import Case

    state = Case.objects.values_list("state", flat=True).get(pk=case_id)
    on_disk = len(json.dumps(state))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_column_size(state) FROM cases_case WHERE id = %s", [case_id])
            on_disk = int(cursor.fetchone()[0])
    return len(json.dumps(state)), on_disk


def looped_case(rounds: int) -> Any:
    from webapp.cases.openings import usage_plan_open

    agency = bench_agency(1)
    hr, approver = user("hr_officer", agency), user("approver", agency)
    case = usage_plan_open(agency=agency, actor=hr)
    for _ in range(rounds):
        _round(case, hr, approver)
    return case


def measured_rounds(cases: list[Any]) -> list[list[float]]:
    """Step times of further rounds, the cases taking turns so both see the same load."""
    agency = bench_agency(1)
    hr, approver = user("hr_officer", agency), user("approver", agency)
    times: list[list[float]] = [[] for _ in cases]
    for _ in range(MEASURED_ROUNDS):
        for case, found in zip(cases, times, strict=True):
            found.extend(_round(case, hr, approver))
    return times


def uncompacted_sizes(rounds: tuple[int, int]) -> tuple[int, int]:
    """State size after ``rounds`` loops with compaction off (engine only, in memory)."""
    from processes import compaction, engine
    from processes.operators import OperatorRegistry
    from webapp.cases.definitions import latest_deployed, parsed

    definition = parsed(latest_deployed("usage_plan"))
    registry = OperatorRegistry()
    saved = compaction.compact
    compaction.compact = lambda workflow: 0  # type: ignore[assignment]
    try:
        outcome = engine.start(definition, {"agency_quota": 10, "headcount_in_use": 1})
        sizes = []
        for n in range(1, max(rounds) + 1):
            for data in (PLAN, REJECT):
                [task] = outcome.human_tasks
                state = json.loads(json.dumps(outcome.state))
                outcome = engine.complete_task(definition, state, task.id, data, operators=registry)
            if n in rounds:
                sizes.append(len(json.dumps(outcome.state)))
    finally:
        compaction.compact = saved  # type: ignore[assignment]
    return sizes[0], sizes[1]


def run(long: int = 1000, short: int = 10) -> tuple[list[Row], dict[str, Any]]:
    short_case, long_case = looped_case(short), looped_case(long)
    short_times, long_times = measured_rounds([short_case, long_case])
    short_size, long_size = _stored_bytes(short_case.pk), _stored_bytes(long_case.pk)
    plain_short, plain_long = uncompacted_sizes((short, 100))
    rows = [
        Row(
            f"step after {long} loops p50",
            p50(long_times),
            "ms",
            p50(short_times),
            f"step after {short} loops p50",
        ),
        Row(
            f"stored state after {long} loops",
            long_size[0],
            "B",
            short_size[0],
            f"after {short} loops",
        ),
        Row(
            f"state on disk after {long} loops",
            long_size[1],
            "B",
            short_size[1],
            f"after {short} loops",
        ),
        Row(
            "uncompacted state after 100 loops (engine only)",
            plain_long,
            "B",
            plain_short,
            f"after {short} loops",
        ),
    ]
    long_case.refresh_from_db()
    short_case.refresh_from_db()
    facts = {
        "long_case": long_case.business_key,
        "long_events": long_case.event_count,
        "short_events": short_case.event_count,
    }
    return rows, facts
