"""A case sent back hundreds of times keeps working through the services.

Before the engine compacted its state, a usage plan returned for rework about 250 times
had a task tree deeper than SpiffWorkflow's iterator goes: the case showed no task and
looked finished. 300 rounds through ``services.task_complete`` (task projection, history
chain and all) must leave a small state, one open task and an intact history.
"""

from __future__ import annotations

import json
from typing import Any

from webapp.cases.history import verify_case
from webapp.cases.models import HumanTask, TaskState
from webapp.cases.openings import usage_plan_open
from webapp.cases.services import task_complete

PLAN = {
    "post": "城市管理执法辅助岗",
    "headcount": 2,
    "employment_mode": "unit",
    "education_requirement": "college",
    "duties_summary": "协助开展市容巡查",
}
REJECT = {"decision_plan": "reject", "reason_plan": "请补充岗位职责"}
ROUNDS = 300


def complete_open(case: Any, user: Any, data: dict[str, Any]) -> Any:
    task = HumanTask.objects.get(case=case, state=TaskState.OPEN)
    return task_complete(task_id=task.pk, user=user, data=data)


def test_it_keeps_a_usage_plan_sent_back_300_times_small_and_alive(
    models_deployed, agency, hr, approver
):
    case = usage_plan_open(agency=agency, actor=hr)
    sizes = []
    for _ in range(ROUNDS):
        complete_open(case, hr, PLAN)
        case = complete_open(case, approver, REJECT)
        sizes.append(len(json.dumps(case.state)))

    assert case.status == "running"
    assert max(sizes[10:]) - min(sizes[10:]) < 64  # flat, not growing with the rounds
    assert len(case.state["tasks"]) < 20
    [task] = HumanTask.objects.filter(case=case, state=TaskState.OPEN)
    assert task.bpmn_id == "draft_plan"
    assert HumanTask.objects.filter(case=case, state=TaskState.DONE).count() == 2 * ROUNDS
    assert case.data["reason_plan"] == REJECT["reason_plan"]
    assert verify_case(case) == []
