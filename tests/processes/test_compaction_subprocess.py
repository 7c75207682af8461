"""Compaction fails closed (issue 19): a rework loop inside a ``bpmn:subProcess`` stays as
small as one on the top level and keeps its waiting task past SpiffWorkflow's depth
limit; a tree that cannot be compacted and grows too deep stops the step with a clear
error instead of losing its tasks; a stalled workflow is named as waiting for nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from SpiffWorkflow.util.task import TaskState

from processes import compaction, engine
from processes.definition import ProcessDefinition
from processes.errors import TaskTreeTooDeep
from processes.types import Outcome

from .test_compaction import PARALLEL_LOOP, complete, stored

# The rework loop sits inside a subprocess: review, and back to review until ok.
LOOP_IN_SUBPROCESS = """
<bpmn:process id="looping_sub" isExecutable="true">
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="rework"/>
  <bpmn:subProcess id="rework">
    <bpmn:startEvent id="sub_start"/>
    <bpmn:sequenceFlow id="s0" sourceRef="sub_start" targetRef="merge"/>
    <bpmn:exclusiveGateway id="merge"/>
    <bpmn:sequenceFlow id="s1" sourceRef="merge" targetRef="review"/>
    <bpmn:userTask id="review"/>
    <bpmn:sequenceFlow id="s2" sourceRef="review" targetRef="again"/>
    <bpmn:exclusiveGateway id="again" default="s4"/>
    <bpmn:sequenceFlow id="s3" sourceRef="again" targetRef="merge">
      <bpmn:conditionExpression>not ok</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="s4" sourceRef="again" targetRef="sub_end"/>
    <bpmn:endEvent id="sub_end"/>
  </bpmn:subProcess>
  <bpmn:sequenceFlow id="f1" sourceRef="rework" targetRef="after"/>
  <bpmn:userTask id="after"/>
  <bpmn:sequenceFlow id="f2" sourceRef="after" targetRef="end"/>
  <bpmn:endEvent id="end"/>
</bpmn:process>
"""


def rounds(definition: ProcessDefinition, outcome: Outcome, first: int, last: int) -> Outcome:
    for n in range(first, last):
        outcome = complete(definition, outcome, "review", {"ok": False, "round": n})
    return outcome


def test_a_rework_loop_inside_a_subprocess_stays_small_and_alive(inline_bpmn: Any) -> None:
    definition = inline_bpmn(LOOP_IN_SUBPROCESS)
    outcome = rounds(definition, engine.start(definition, {"ok": False}), 0, 10)
    after_10 = len(json.dumps(stored(outcome)))
    outcome = rounds(definition, outcome, 10, 400)
    after_400 = len(json.dumps(stored(outcome)))

    assert after_400 <= after_10 + 64, (after_10, after_400)
    assert [t.bpmn_id for t in outcome.human_tasks] == ["review"]
    assert outcome.data["round"] == 399
    outcome = complete(definition, outcome, "review", {"ok": True})
    assert [t.bpmn_id for t in outcome.human_tasks] == ["after"]
    assert outcome.data["round"] == 399, "the subprocess's data comes out with it"
    outcome = complete(definition, outcome, "after", {})
    assert outcome.completed


def test_a_tree_too_deep_stops_the_step_with_a_clear_error(
    inline_bpmn: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The loop-back into the parallel split cannot be compacted (test_compaction.py).
    looping_into_split = PARALLEL_LOOP.replace(
        'sourceRef="start" targetRef="merge"', 'sourceRef="start" targetRef="split"'
    ).replace('sourceRef="again" targetRef="merge"', 'sourceRef="again" targetRef="split"')
    definition = inline_bpmn(looping_into_split)
    monkeypatch.setattr(compaction, "MAX_TREE_DEPTH", 40)
    outcome = engine.start(definition, {"round": 0, "rounds": 100})
    with pytest.raises(TaskTreeTooDeep, match="deep") as refused:
        for _ in range(100):
            for bpmn_id in ("check_a", "check_b", "check_c"):
                outcome = complete(definition, outcome, bpmn_id, {})
    assert "40" in str(refused.value)
    # The last stored state is intact: its waiting tasks are all still there.
    assert len(outcome.human_tasks) >= 1


def test_a_workflow_waiting_for_nothing_is_named(inline_bpmn: Any) -> None:
    definition = inline_bpmn(LOOP_IN_SUBPROCESS)
    outcome = engine.start(definition, {"ok": False})
    workflow = engine.load(definition, stored(outcome))
    assert engine.waiting_for(definition, workflow) == ["review"]
    [task] = [t for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.name == "review"]
    task.cancel()
    assert not workflow.is_completed()
    assert engine.waiting_for(definition, workflow) == []
