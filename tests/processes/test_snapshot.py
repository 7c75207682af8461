"""Stored workflow state: instance only, JSON-safe, with the definition's specs re-attached."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
import time_machine
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from processes import engine, snapshot
from processes.errors import ProcessError

T0 = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
CHINA = timezone(timedelta(hours=8))

TINY = """
<bpmn:process id="tiny" name="小流程" isExecutable="true">
  <bpmn:startEvent id="start"><bpmn:outgoing>flow_start_task</bpmn:outgoing></bpmn:startEvent>
  <bpmn:userTask id="only_task" name="唯一任务">
    <bpmn:incoming>flow_start_task</bpmn:incoming><bpmn:outgoing>flow_task_end</bpmn:outgoing>
  </bpmn:userTask>
  <bpmn:endEvent id="end"><bpmn:incoming>flow_task_end</bpmn:incoming></bpmn:endEvent>
  <bpmn:sequenceFlow id="flow_start_task" sourceRef="start" targetRef="only_task" />
  <bpmn:sequenceFlow id="flow_task_end" sourceRef="only_task" targetRef="end" />
</bpmn:process>
"""


def all_keys(value, found=None) -> set[str]:
    found = set() if found is None else found
    if isinstance(value, dict):
        for key, item in value.items():
            found.add(key)
            all_keys(item, found)
    elif isinstance(value, list):
        for item in value:
            all_keys(item, found)
    return found


def full_spiff_json(workflow) -> str:
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    return serializer.serialize_json(workflow)


@pytest.fixture
def waiting_on_notice(recruitment, recorder, sample, drive):
    """A recruitment case parked on the public notice timer, started at T0."""
    with time_machine.travel(T0, tick=False):
        return drive(
            recruitment, sample.applicant(), sample.to_notice(), operators=recorder.registry
        )


def test_it_stores_no_spec(recruitment, sample, roundtrip):
    outcome = engine.start(recruitment, sample.applicant())
    full = json.loads(full_spiff_json(engine.load(recruitment, roundtrip(outcome.state))))

    assert {"spec", "subprocess_specs"} <= set(full)  # what SpiffWorkflow would store
    keys = all_keys(outcome.state)
    assert "spec" not in keys
    assert "subprocess_specs" not in keys
    assert "serializer_version" not in keys
    assert outcome.state["format"] == snapshot.STATE_FORMAT


def test_it_stores_far_less_than_spiffs_full_serialisation(
    recruitment, sample, waiting_on_notice, roundtrip
):
    for outcome in (engine.start(recruitment, sample.applicant()), waiting_on_notice):
        ours = json.dumps(outcome.state, ensure_ascii=False)
        theirs = full_spiff_json(engine.load(recruitment, roundtrip(outcome.state)))

        assert len(ours) * 3 < len(theirs), (len(ours), len(theirs))


def test_it_is_plain_json(waiting_on_notice):
    text = json.dumps(waiting_on_notice.state, allow_nan=False)

    assert json.loads(text) == waiting_on_notice.state


def test_it_round_trips_ready_tasks_and_data(recruitment, recorder, sample, drive, roundtrip):
    outcome = drive(
        recruitment, sample.applicant(), sample.to_background(), operators=recorder.registry
    )

    workflow = snapshot.load(
        roundtrip(outcome.state), recruitment.spec, recruitment.subprocess_specs
    )

    tasks = engine.ready_human_tasks(recruitment, workflow)
    assert [(t.id, t.bpmn_id) for t in tasks] == [(t.id, t.bpmn_id) for t in outcome.human_tasks]
    assert [t.bpmn_id for t in tasks] == ["background_check"]
    assert engine.case_data(workflow) == outcome.data
    assert engine.case_data(workflow)["total_score"] == 81.0
    assert snapshot.dump(workflow) == outcome.state


def test_it_round_trips_the_timer_due_time(recruitment, waiting_on_notice, roundtrip):
    # T0 is Monday 2 June 2025: five working days end on Monday 9 June, local time.
    assert waiting_on_notice.wake_at == datetime(2025, 6, 9, 23, 59, 59, tzinfo=CHINA).astimezone(
        UTC
    )

    workflow = snapshot.load(
        roundtrip(waiting_on_notice.state), recruitment.spec, recruitment.subprocess_specs
    )

    assert engine.next_timer(workflow) == waiting_on_notice.wake_at
    assert engine.ready_human_tasks(recruitment, workflow) == ()
    assert snapshot.dump(workflow) == waiting_on_notice.state


def test_it_reattaches_the_definitions_spec_objects(recruitment, sample):
    outcome = engine.start(recruitment, sample.applicant())

    workflow = snapshot.load(outcome.state, recruitment.spec, recruitment.subprocess_specs)

    assert workflow.spec is recruitment.spec
    (task,) = [t for t in workflow.get_tasks() if str(t.id) == outcome.human_tasks[0].id]
    assert task.task_spec is recruitment.spec.task_specs["review_application"]


@pytest.mark.parametrize(
    "fmt",
    [
        pytest.param("fuzhi-0/spiff-1.2", id="old"),
        pytest.param("", id="empty"),
        pytest.param(None, id="none"),
        pytest.param("missing", id="missing"),
    ],
)
def test_it_refuses_a_state_of_another_format(recruitment, sample, fmt):
    state = engine.start(recruitment, sample.applicant()).state
    if fmt == "missing":
        del state["format"]
    else:
        state["format"] = fmt
    kept = copy.deepcopy(state)

    with pytest.raises(ProcessError, match="format"):
        snapshot.load(state, recruitment.spec, recruitment.subprocess_specs)
    with pytest.raises(ProcessError):
        engine.advance(recruitment, state)

    assert state == kept


def test_it_refuses_a_state_that_does_not_fit_the_definition(recruitment, sample, inline_bpmn):
    state = engine.start(recruitment, sample.applicant()).state
    other = inline_bpmn(TINY)

    with pytest.raises(ProcessError, match="does not match"):
        snapshot.load(state, other.spec, other.subprocess_specs)


def test_it_refuses_a_truncated_state(recruitment, sample):
    state = engine.start(recruitment, sample.applicant()).state
    del state["tasks"]

    with pytest.raises(ProcessError):
        snapshot.load(state, recruitment.spec, recruitment.subprocess_specs)


def test_it_does_not_mutate_the_state_it_loads(recruitment, waiting_on_notice, roundtrip):
    state = roundtrip(waiting_on_notice.state)
    kept = copy.deepcopy(state)

    workflow = snapshot.load(state, recruitment.spec, recruitment.subprocess_specs)
    workflow.refresh_timers()
    workflow.do_engine_steps()

    assert state == kept
    assert "format" in state and "bpmn_events" in state


def test_it_loads_the_same_state_twice_into_independent_workflows(recruitment, sample):
    outcome = engine.start(recruitment, sample.applicant())
    task_id = outcome.human_tasks[0].id

    first = snapshot.load(outcome.state, recruitment.spec, recruitment.subprocess_specs)
    second = snapshot.load(outcome.state, recruitment.spec, recruitment.subprocess_specs)
    (task,) = [t for t in first.get_tasks() if str(t.id) == task_id]
    task.data["nationality_prc"] = False

    (other,) = [t for t in second.get_tasks() if str(t.id) == task_id]
    assert "nationality_prc" not in other.data
    assert "nationality_prc" not in json.dumps(outcome.state)
