"""Does every case agree with itself? Workflow state, task rows, staff states, history chain.

Used by ``manage.py check_integrity`` and by the fault-injection, backup and load tests:
after a crash, a restore or a storm of requests, each finding names what disagrees.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from processes import engine
from webapp.cases.definitions import parsed
from webapp.cases.history import verify_case
from webapp.cases.models import Case, CaseEvent, CaseStatus, HumanTask, TaskState
from webapp.cases.selectors import unactionable_tasks
from webapp.staff.models import Staff

from .verification import audit_findings, checkpoint_findings

ACTIVE = (TaskState.OPEN, TaskState.CLAIMED)


@dataclass(frozen=True)
class Finding:
    where: str
    problem: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}"


def check_case(case: Case) -> list[Finding]:
    where = f"case {case.business_key}"
    findings = [Finding(where, f"history: {b.problem} (event #{b.seq})") for b in verify_case(case)]
    findings += _workflow_findings(case, where)
    findings += _done_task_findings(case, where)
    return findings


def _workflow_findings(case: Case, where: str) -> list[Finding]:
    rows = {t.engine_task_id: t for t in HumanTask.objects.filter(case=case, state__in=ACTIVE)}
    if not case.state:
        return [Finding(where, "no workflow state stored")]
    try:
        definition = parsed(case.definition)
        workflow = engine.load(definition, case.state)
        ready = {t.id: t for t in engine.ready_human_tasks(definition, workflow)}
    except Exception as exc:  # any failure to load is itself the finding
        return [Finding(where, f"workflow state does not load: {type(exc).__name__}: {exc}")]
    findings: list[Finding] = []
    if case.status != CaseStatus.RUNNING:
        ready = {}  # a closed case waits for nobody
        if case.status == CaseStatus.COMPLETED and not workflow.is_completed():
            findings.append(Finding(where, "marked completed but the workflow has not ended"))
    elif workflow.is_completed():
        findings.append(Finding(where, "the workflow has ended but the case is still running"))
    elif not engine.waiting_for(definition, workflow):
        findings.append(
            Finding(where, "running, but waits for no task, timer or message: it has stalled")
        )
    for engine_id in sorted(set(ready) - set(rows)):
        findings.append(
            Finding(
                where, f"the workflow waits for “{ready[engine_id].bpmn_id}” but no open task row"
            )
        )
    for engine_id in sorted(set(rows) - set(ready)):
        findings.append(
            Finding(
                where,
                f"task row #{rows[engine_id].pk} “{rows[engine_id].bpmn_id}” is open but "
                "the workflow does not wait for it",
            )
        )
    return findings


def _done_task_findings(case: Case, where: str) -> list[Finding]:
    """A completed task without its history line is a lost step."""
    recorded = set(
        CaseEvent.objects.filter(case=case, kind="task_completed").values_list("task_id", flat=True)
    )
    return [
        Finding(where, f"task #{pk} “{bpmn_id}” is done but its completion is not in the history")
        for pk, bpmn_id in HumanTask.objects.filter(case=case, state=TaskState.DONE)
        .exclude(pk__in=recorded)
        .values_list("pk", "bpmn_id")
    ]


def check_staff() -> list[Finding]:
    """Each member's state equals the last state a case step recorded for them."""
    last: dict[int, str] = {}
    events = CaseEvent.objects.filter(kind="staff_state").order_by("at", "case_id", "seq")
    for data in events.values_list("data_after", flat=True).iterator():
        if isinstance(data, dict) and "staff" in data and "state" in data:
            last[int(data["staff"])] = str(data["state"])
    states = dict(Staff.objects.filter(pk__in=last).values_list("pk", "state"))
    findings = []
    for staff_id, recorded in sorted(last.items()):
        actual = states.get(staff_id)
        if actual is None:
            findings.append(Finding(f"staff #{staff_id}", "recorded in a history but missing"))
        elif actual != recorded:
            findings.append(
                Finding(
                    f"staff #{staff_id}",
                    f"state is “{actual}” but the last case step left “{recorded}”",
                )
            )
    return findings


def check_routing() -> list[Finding]:
    """Art. 4, 5: every open task reaches someone who holds its role in its agency."""
    return [
        Finding(
            f"case {task.case.business_key}",
            f"task #{task.pk} “{task.bpmn_id}” waits for role {task.role} in "
            f"{task.agency.code} {task.agency.name}, where no active user holds it",
        )
        for task in unactionable_tasks()
    ]


def check_all() -> Iterator[Finding]:
    for case in Case.objects.select_related("definition").order_by("pk").iterator():
        yield from check_case(case)
    yield from check_staff()
    yield from check_routing()
    # Art. 15(3): the audit log's chain, and what only the last checkpoint can show
    # (deleted cases, histories cut short or recomputed).
    for where, problem in [*audit_findings(), *checkpoint_findings()]:
        yield Finding(where, problem)


def case_count() -> int:
    return Case.objects.count()
