"""Stored state keeps only what the live tasks need, so a case's age costs nothing.

Every engine call compacts before it stores (``processes/compaction.py``); the branch
tests of every model in ``bpmn/`` therefore already run compacted, with a JSON round
trip between steps. These tests add what they cannot show: a rework loop of 1,000
rounds, joins that must still see branches that arrived earlier, and data written in
the first step surviving the dropped past.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from SpiffWorkflow.util.task import TaskState

from processes import catalog, compaction, engine
from processes.definition import ProcessDefinition
from processes.operators import OperatorRegistry
from processes.types import Outcome

USAGE_PLAN_DIR = Path(__file__).resolve().parents[2] / "bpmn" / "usage_plan"
PLAN = {
    "post": "城市管理执法辅助岗",
    "headcount": 3,
    "employment_mode": "unit",
    "education_requirement": "college",
    "duties_summary": "协助开展市容巡查",
}
REJECT = {"decision_plan": "reject", "reason_plan": "请补充岗位职责"}

# Each round: three parallel reviews joined again, then "again" loops back to the
# merge in front of the split while round < rounds. (The loop-back enters an exclusive
# merge: a parallel gateway taking both the first entry and the loop-back would, in
# BPMN, wait for both; SpiffWorkflow lets it pass by walking back to the start event,
# which compaction drops. docs/performance.md names this modelling rule.)
PARALLEL_LOOP = """
<bpmn:process id="looping_parallel" isExecutable="true">
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="merge"/>
  <bpmn:exclusiveGateway id="merge"/>
  <bpmn:sequenceFlow id="f00" sourceRef="merge" targetRef="split"/>
  <bpmn:parallelGateway id="split"/>
  <bpmn:sequenceFlow id="f1" sourceRef="split" targetRef="check_a"/>
  <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="check_b"/>
  <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="check_c"/>
  <bpmn:userTask id="check_a"/>
  <bpmn:userTask id="check_b"/>
  <bpmn:userTask id="check_c"/>
  <bpmn:sequenceFlow id="f4" sourceRef="check_a" targetRef="join"/>
  <bpmn:sequenceFlow id="f5" sourceRef="check_b" targetRef="join"/>
  <bpmn:sequenceFlow id="f6" sourceRef="check_c" targetRef="join"/>
  <bpmn:parallelGateway id="join"/>
  <bpmn:sequenceFlow id="f7" sourceRef="join" targetRef="count"/>
  <bpmn:scriptTask id="count"><bpmn:script>round = round + 1</bpmn:script></bpmn:scriptTask>
  <bpmn:sequenceFlow id="f8" sourceRef="count" targetRef="again"/>
  <bpmn:exclusiveGateway id="again" default="f10"/>
  <bpmn:sequenceFlow id="f9" sourceRef="again" targetRef="merge">
    <bpmn:conditionExpression>round &lt; rounds</bpmn:conditionExpression>
  </bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="f10" sourceRef="again" targetRef="end"/>
  <bpmn:endEvent id="end"/>
</bpmn:process>
"""

INCLUSIVE = """
<bpmn:process id="inclusive" isExecutable="true">
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fork"/>
  <bpmn:inclusiveGateway id="fork"/>
  <bpmn:sequenceFlow id="f1" sourceRef="fork" targetRef="legal">
    <bpmn:conditionExpression>needs_legal</bpmn:conditionExpression>
  </bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="finance">
    <bpmn:conditionExpression>needs_finance</bpmn:conditionExpression>
  </bpmn:sequenceFlow>
  <bpmn:userTask id="legal"/>
  <bpmn:userTask id="finance"/>
  <bpmn:sequenceFlow id="f3" sourceRef="legal" targetRef="merge"/>
  <bpmn:sequenceFlow id="f4" sourceRef="finance" targetRef="merge"/>
  <bpmn:inclusiveGateway id="merge"/>
  <bpmn:sequenceFlow id="f5" sourceRef="merge" targetRef="decide"/>
  <bpmn:userTask id="decide"/>
  <bpmn:sequenceFlow id="f6" sourceRef="decide" targetRef="end"/>
  <bpmn:endEvent id="end"/>
</bpmn:process>
"""


@pytest.fixture(scope="module")
def usage_plan() -> ProcessDefinition:
    return catalog.load_directory(USAGE_PLAN_DIR)


@pytest.fixture
def plan_operators() -> OperatorRegistry:
    registry = OperatorRegistry()
    registry.register(
        "usage_plan_check",
        lambda call: {"within_quota": True, "quota": 10, "in_use": 6, "planned": 3},
    )
    registry.register(
        "usage_plan_record", lambda call: {"plan": 7, "approved": call.params["approved"]}
    )
    return registry


def stored(outcome: Outcome) -> dict[str, Any]:
    return json.loads(json.dumps(outcome.state, allow_nan=False, ensure_ascii=False))


def complete(
    definition: ProcessDefinition,
    outcome: Outcome,
    bpmn_id: str,
    data: dict[str, Any],
    operators: OperatorRegistry | None = None,
) -> Outcome:
    """Complete the READY task ``bpmn_id`` of the JSON round-tripped state."""
    [task] = [t for t in outcome.human_tasks if t.bpmn_id == bpmn_id]
    return engine.complete_task(definition, stored(outcome), task.id, data, operators=operators)


def rework_rounds(
    definition: ProcessDefinition, outcome: Outcome, rounds: int, operators: OperatorRegistry
) -> Outcome:
    for _ in range(rounds):
        outcome = complete(definition, outcome, "draft_plan", PLAN, operators)
        outcome = complete(definition, outcome, "approve_plan", REJECT, operators)
    return outcome


def depth(definition: ProcessDefinition, state: dict[str, Any]) -> int:
    workflow = engine.load(definition, state)
    return max(task.depth for task in workflow.tasks.values())


def test_it_keeps_a_case_looped_1000_times_as_small_as_one_looped_10_times(
    usage_plan, plan_operators
):
    start = {"agency_name": "六安市城市管理局", "agency_quota": 10, "headcount_in_use": 6}
    outcome = engine.start(usage_plan, start, operators=plan_operators)
    outcome = rework_rounds(usage_plan, outcome, 10, plan_operators)
    after_10 = stored(outcome)
    outcome = rework_rounds(usage_plan, outcome, 990, plan_operators)
    after_1000 = stored(outcome)

    assert len(after_1000["tasks"]) == len(after_10["tasks"])
    assert len(json.dumps(after_1000)) <= len(json.dumps(after_10)) + 16
    assert depth(usage_plan, after_1000) == depth(usage_plan, after_10) < 20
    # Still alive past SpiffWorkflow's depth limit of 1,000, and the first step's data is
    # still there; the plan now goes through to the end.
    assert [t.bpmn_id for t in outcome.human_tasks] == ["draft_plan"]
    assert outcome.data["agency_name"] == "六安市城市管理局"
    assert outcome.data["reason_plan"] == REJECT["reason_plan"]
    outcome = complete(usage_plan, outcome, "draft_plan", PLAN, plan_operators)
    approve = {"decision_plan": "approve"}
    outcome = complete(usage_plan, outcome, "approve_plan", approve, plan_operators)
    assert [t.bpmn_id for t in outcome.human_tasks] == ["review_quota"]
    assert outcome.data["quota_check"]["within_quota"] is True


def parallel_rounds(definition: ProcessDefinition, rounds: int) -> list[tuple[Any, ...]]:
    """Drive the parallel loop; what a person sees after each step."""
    outcome = engine.start(definition, {"round": 0, "rounds": rounds})
    seen = []
    for round_no in range(rounds):
        for bpmn_id in ("check_b", "check_a", "check_c"):
            outcome = complete(definition, outcome, bpmn_id, {bpmn_id[-1]: round_no})
            ready = sorted(t.bpmn_id for t in outcome.human_tasks)
            seen.append((ready, outcome.data, outcome.completed, len(outcome.state["tasks"])))
    return seen


def test_it_waits_at_a_parallel_join_for_branches_that_arrived_in_earlier_steps(
    inline_bpmn, monkeypatch
):
    definition = inline_bpmn(PARALLEL_LOOP)
    compacted = parallel_rounds(definition, 30)
    monkeypatch.setattr(compaction, "compact", lambda workflow: 0)
    whole = parallel_rounds(definition, 30)

    # Two of three arrived, in separate compacted steps: the join still waits.
    assert [ready for ready, *_ in compacted[:3]] == [
        ["check_a", "check_c"],
        ["check_c"],
        ["check_a", "check_b", "check_c"],
    ]
    assert compacted[-1][2] is True
    assert compacted[-1][1]["round"] == 30
    # What a person sees is exactly what the uncompacted engine shows...
    assert [step[:3] for step in compacted] == [step[:3] for step in whole]
    # ...while the stored tree stops growing.
    assert compacted[-2][3] == compacted[31][3] < whole[-2][3] / 10


def test_it_merges_an_inclusive_gateway_after_a_compacted_step(inline_bpmn):
    definition = inline_bpmn(INCLUSIVE)
    outcome = engine.start(definition, {"needs_legal": True, "needs_finance": True})
    outcome = complete(definition, outcome, "finance", {"finance_ok": True})
    assert [t.bpmn_id for t in outcome.human_tasks] == ["legal"]
    outcome = complete(definition, outcome, "legal", {"legal_ok": True})
    assert [t.bpmn_id for t in outcome.human_tasks] == ["decide"]
    assert outcome.data["finance_ok"] is outcome.data["legal_ok"] is True


def test_it_drops_only_finished_tasks_and_nothing_twice(usage_plan, plan_operators):
    start = {"agency_name": "x", "agency_quota": 10, "headcount_in_use": 6}
    outcome = engine.start(usage_plan, start, operators=plan_operators)
    outcome = rework_rounds(usage_plan, outcome, 3, plan_operators)
    workflow = engine.load(usage_plan, stored(outcome))
    unfinished = {t.id for t in workflow.tasks.values() if not t.has_state(TaskState.FINISHED_MASK)}

    assert compaction.compact(workflow) == 0  # already compacted when stored
    assert workflow.task_tree.parent is None
    assert workflow.task_tree.has_state(TaskState.FINISHED_MASK)
    assert unfinished <= set(workflow.tasks)


def test_it_leaves_a_finished_case_whole(inline_bpmn):
    definition = inline_bpmn(PARALLEL_LOOP)
    outcome = engine.start(definition, {"round": 0, "rounds": 1})
    for bpmn_id in ("check_a", "check_b", "check_c"):
        outcome = complete(definition, outcome, bpmn_id, {})
    assert outcome.completed
    workflow = engine.load(definition, stored(outcome))
    assert workflow.is_completed()
    assert compaction.compact(workflow) == 0


def test_it_leaves_alone_a_parallel_gateway_taking_a_first_entry_and_a_loop_back(inline_bpmn):
    # The loop-back enters the split itself: SpiffWorkflow lets it pass by walking back
    # to the start event, so this model's past must stay (and the case still loops).
    looping_into_split = PARALLEL_LOOP.replace(
        'sourceRef="start" targetRef="merge"', 'sourceRef="start" targetRef="split"'
    ).replace('sourceRef="again" targetRef="merge"', 'sourceRef="again" targetRef="split"')
    definition = inline_bpmn(looping_into_split)
    assert not compaction.compactable(definition.spec)
    assert compaction.compactable(inline_bpmn(PARALLEL_LOOP).spec)
    outcome = engine.start(definition, {"round": 0, "rounds": 3})
    for _ in range(3):
        for bpmn_id in ("check_b", "check_a", "check_c"):
            outcome = complete(definition, outcome, bpmn_id, {})
    assert outcome.completed
    assert outcome.data["round"] == 3


@pytest.mark.parametrize(
    "model", sorted(p.parent.name for p in USAGE_PLAN_DIR.parent.glob("*/*.bpmn"))
)
def test_it_compacts_every_model_of_the_project(model):
    assert compaction.compactable(catalog.load_directory(USAGE_PLAN_DIR.parent / model).spec)
