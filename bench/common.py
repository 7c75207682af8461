"""What the benchmarks share: timing, the table row, real cases at a chosen step."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

BENCH_PASSWORD = "fuzhi-bench-2026"
APPROVE = {"decision": "approve", "reason": "同意"}
NOMINATION = {
    "commendation_title": "merit",
    "commendation_level": "unit",
    "commendation_deeds": "连续三年考核优秀，处置突发事件表现突出",
}


@dataclass(frozen=True)
class Row:
    figure: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_label: str = ""
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline  # type: ignore[operator]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def p50(values: list[float]) -> float:
    return statistics.median(values)


def timed(call: Callable[[], Any]) -> float:
    """Milliseconds one call takes."""
    began = time.perf_counter()
    call()
    return (time.perf_counter() - began) * 1000


def clocked(call: Callable[[], Any]) -> tuple[float, float]:
    """(wall, CPU) milliseconds of one call. On a shared machine the wall time includes
    waiting for a core; this process's CPU time does not."""
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def process_cpu_ms(pid: int) -> float:
    """CPU time used so far by a process and its child processes still running."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    total += (int(fields[11]) + int(fields[12])) * 1000 / ticks
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            total += sum(process_cpu_ms(int(child)) for child in children.read().split())
    except FileNotFoundError:
        pass
    return total


def bench_agency(number: int = 0) -> Any:
    """A generated agency. The inbox is read in agency 0; the steps run in agency 1, so
    the cases they add never change the inbox being measured."""
    from webapp.accounts.models import Agency

    return Agency.objects.get(code=f"BENCH-{number:05d}")


def user(role: str, agency: Any) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(memberships__agency=agency, memberships__role=role)


def on_duty_staff(agency: Any) -> list[int]:
    from webapp.staff.models import Staff

    return list(Staff.objects.filter(agency=agency, state="on_duty").values_list("id", flat=True))


def commendation_at_approval(agency: Any) -> Any:
    """One real commendation case, driven through the services to its approval task."""
    from webapp.cases.models import HumanTask
    from webapp.cases.openings import case_open_for_staff
    from webapp.cases.services import task_complete
    from webapp.staff.models import Staff

    hr = user("hr_officer", agency)
    staff = Staff.objects.get(pk=on_duty_staff(agency)[0])
    case = case_open_for_staff(process_id="commendation", staff=staff, actor=hr)
    nominate = HumanTask.objects.get(case=case, bpmn_id="nominate")
    return task_complete(task_id=nominate.pk, user=hr, data=NOMINATION, comment="")


def copies_at_approval(agency: Any, count: int) -> list[int]:
    """``count`` copies of a real commendation case waiting for approval; their task ids.

    Copied the way bench.generate copies the demo's cases (own key, re-hashed history),
    so preparing a thousand steps takes a second instead of two thousand real steps."""
    from webapp.accounts.models import Agency
    from webapp.cases.models import Case, CaseEvent, HumanTask

    from . import generate

    case = commendation_at_approval(agency)
    template = generate.template_of(case.pk)
    world = generate.World(
        agency_ids=[agency.pk],
        users=generate.users_by_role([agency.pk]),
        staff_by_agency={(agency.pk, None): on_duty_staff(agency)},
    )
    out = generate.Writer()
    copier = generate.CaseCopier(out, world, generate.template_user_roles())
    first = copier.next_case
    people = world.staff_by_agency[(agency.pk, None)]
    for n in range(count):
        copier.copy(template, agency.pk, people[n % len(people)], timedelta(0))
    copier.flush()
    out.finish([Agency, Case, HumanTask, CaseEvent], analyze=False)
    return list(
        HumanTask.objects.filter(case_id__gte=first, bpmn_id="approve_commendation")
        .order_by("id")
        .values_list("id", flat=True)
    )
