"""The engine seam: stored state in, Outcome out, errors that say what went wrong."""

from __future__ import annotations

import copy
import re
import uuid

import pytest

from processes import engine
from processes.errors import InvalidTaskData, OperatorRefused, TaskNotReady, UnknownOperator
from processes.operators import OperatorCall, OperatorRegistry

ART = re.compile(r"Art\. \d+")

PARALLEL = """
<bpmn:process id="parallel_review" name="并行审查" isExecutable="true">
  <bpmn:startEvent id="start" name="开始">
    <bpmn:outgoing>flow_start_split</bpmn:outgoing>
  </bpmn:startEvent>
  <bpmn:parallelGateway id="split" name="分送">
    <bpmn:documentation>依据《办法》第七条（Art. 7）：同时送审。</bpmn:documentation>
    <bpmn:incoming>flow_start_split</bpmn:incoming>
    <bpmn:outgoing>flow_split_a</bpmn:outgoing>
    <bpmn:outgoing>flow_split_b</bpmn:outgoing>
  </bpmn:parallelGateway>
  <bpmn:userTask id="task_a" name="法制审核">
    <bpmn:incoming>flow_split_a</bpmn:incoming><bpmn:outgoing>flow_a_join</bpmn:outgoing>
  </bpmn:userTask>
  <bpmn:userTask id="task_b" name="人事审查">
    <bpmn:incoming>flow_split_b</bpmn:incoming><bpmn:outgoing>flow_b_join</bpmn:outgoing>
  </bpmn:userTask>
  <bpmn:parallelGateway id="join" name="汇合">
    <bpmn:incoming>flow_a_join</bpmn:incoming>
    <bpmn:incoming>flow_b_join</bpmn:incoming>
    <bpmn:outgoing>flow_join_end</bpmn:outgoing>
  </bpmn:parallelGateway>
  <bpmn:endEvent id="end" name="完成"><bpmn:incoming>flow_join_end</bpmn:incoming></bpmn:endEvent>
  <bpmn:sequenceFlow id="flow_start_split" sourceRef="start" targetRef="split" />
  <bpmn:sequenceFlow id="flow_split_a" sourceRef="split" targetRef="task_a" />
  <bpmn:sequenceFlow id="flow_split_b" sourceRef="split" targetRef="task_b" />
  <bpmn:sequenceFlow id="flow_a_join" sourceRef="task_a" targetRef="join" />
  <bpmn:sequenceFlow id="flow_b_join" sourceRef="task_b" targetRef="join" />
  <bpmn:sequenceFlow id="flow_join_end" sourceRef="join" targetRef="end" />
</bpmn:process>
"""


@pytest.fixture
def at_review(recruitment, sample, roundtrip):
    """A fresh recruitment case waiting on review_application, as stored."""
    outcome = engine.start(recruitment, sample.applicant())
    return roundtrip(outcome.state), outcome.human_tasks[0]


# ------------------------------------------------------------------ task ids


def test_it_refuses_a_task_id_that_is_no_uuid_without_touching_the_state(
    recruitment, sample, at_review
):
    state, _ = at_review
    kept = copy.deepcopy(state)

    with pytest.raises(TaskNotReady):
        engine.complete_task(recruitment, state, "review_application", sample.review())

    assert state == kept


def test_it_refuses_an_unknown_task_id_as_task_not_ready(recruitment, sample, at_review):
    state, _ = at_review
    kept = copy.deepcopy(state)
    unknown = str(uuid.uuid4())

    with pytest.raises(TaskNotReady, match=unknown):
        engine.complete_task(recruitment, state, unknown, sample.review())
    with pytest.raises(TaskNotReady):
        engine.human_task_data(recruitment, state, unknown)

    assert state == kept


def test_it_refuses_to_complete_a_task_twice(recruitment, recorder, sample, at_review, roundtrip):
    state, task = at_review
    after = engine.complete_task(
        recruitment, state, task.id, sample.review(), operators=recorder.registry
    )
    stored = roundtrip(after.state)
    kept = copy.deepcopy(stored)

    with pytest.raises(TaskNotReady, match=task.id):
        engine.complete_task(
            recruitment, stored, task.id, sample.review(), operators=recorder.registry
        )

    assert stored == kept
    assert [t.bpmn_id for t in after.human_tasks] == ["record_scores"]


def test_it_refuses_a_task_that_is_not_a_human_task(recruitment, recorder, sample, drive):
    outcome = drive(
        recruitment, sample.applicant(), sample.to_notice(), operators=recorder.registry
    )
    timer_ids = [
        task_id
        for task_id, task in outcome.state["tasks"].items()
        if task["task_spec"] == "public_notice"
    ]
    assert len(timer_ids) == 1  # the case is parked on the public notice timer
    kept = copy.deepcopy(outcome.state)

    with pytest.raises(TaskNotReady):
        engine.complete_task(recruitment, outcome.state, timer_ids[0], {})

    assert outcome.state == kept


# ------------------------------------------------------------------ form data


@pytest.mark.parametrize(
    ("data", "field"),
    [
        pytest.param({"good_conduct": None}, "good_conduct", id="wrong-type"),
        pytest.param({"fit_for_post": "yes"}, "fit_for_post", id="string-for-bool"),
        pytest.param(
            {"application_review_notes": "很" * 501}, "application_review_notes", id="too-long"
        ),
    ],
)
def test_it_refuses_invalid_form_data_naming_the_field(recruitment, sample, at_review, data, field):
    state, task = at_review
    kept = copy.deepcopy(state)

    with pytest.raises(InvalidTaskData) as refused:
        engine.complete_task(recruitment, state, task.id, sample.review(**data))

    assert list(refused.value.errors) == [field]
    assert field in str(refused.value)
    assert state == kept


def test_it_names_a_missing_required_field(recruitment, sample, at_review):
    state, task = at_review
    data = sample.review()
    del data["dishonest_blacklist"]

    with pytest.raises(InvalidTaskData) as refused:
        engine.complete_task(recruitment, state, task.id, data)

    assert list(refused.value.errors) == ["dishonest_blacklist"]


def test_it_refuses_a_form_field_that_would_overwrite_a_decision(
    recruitment, recorder, sample, at_review
):
    state, task = at_review
    kept = copy.deepcopy(state)

    with pytest.raises(InvalidTaskData) as refused:
        engine.complete_task(
            recruitment,
            state,
            task.id,
            sample.review(nationality_prc=False, eligible=True),
            operators=recorder.registry,
        )

    assert "eligible" in str(refused.value)
    assert state == kept
    assert recorder.calls == []


# ---------------------------------------------------------------- immutability


def test_it_returns_new_state_and_leaves_its_inputs_alone(recruitment, recorder, sample):
    start = sample.applicant()
    outcome = engine.start(recruitment, start, operators=recorder.registry)
    assert start == sample.applicant()

    state = outcome.state
    kept = copy.deepcopy(state)
    data = sample.review()
    after = engine.complete_task(
        recruitment, state, outcome.human_tasks[0].id, data, operators=recorder.registry
    )

    assert state == kept
    assert data == sample.review()
    assert after.state is not state
    assert after.state != state
    assert engine.load(recruitment, state) is not None  # the old state still loads


# ------------------------------------------------------------------ operators


def test_it_lets_an_operator_refusal_through_unwrapped_and_keeps_the_state(
    recruitment, recorder, sample, drive, roundtrip, task_in
):
    outcome = drive(
        recruitment,
        sample.applicant(),
        [*sample.to_notice(), ("approve_hire", sample.approve)],
        operators=recorder.registry,
    )
    state = roundtrip(outcome.state)
    kept = copy.deepcopy(state)
    task = task_in(recruitment, state, "sign_contract")
    refusing = OperatorRegistry()
    seen: list[OperatorCall] = []

    def over_quota(call: OperatorCall) -> None:
        seen.append(call)
        raise OperatorRefused("超出核定的辅助人员数量（《办法》第九条，Art. 9），不得录用")

    refusing.register("staff_hire", over_quota)
    refusing.register("staff_reject", lambda call: {})

    with pytest.raises(OperatorRefused) as refused:
        engine.complete_task(recruitment, state, task.id, sample.contract_unit, operators=refusing)

    assert type(refused.value) is OperatorRefused
    assert str(refused.value) == "超出核定的辅助人员数量（《办法》第九条，Art. 9），不得录用"
    assert len(seen) == 1
    assert state == kept

    # Once the quota allows it, the same stored state completes the same task.
    done = engine.complete_task(
        recruitment, state, task.id, sample.contract_unit, operators=recorder.registry
    )
    assert done.completed
    assert recorder.names() == ["staff_hire"]


def test_it_stops_at_a_service_task_whose_operator_is_not_registered(
    recruitment, sample, at_review
):
    state, task = at_review
    kept = copy.deepcopy(state)
    only_hire = OperatorRegistry()
    only_hire.register("staff_hire", lambda call: {"hired": True})

    with pytest.raises(UnknownOperator) as refused:
        engine.complete_task(
            recruitment, state, task.id, sample.review(good_conduct=False), operators=only_hire
        )

    assert "reject_ineligible" in str(refused.value)
    assert "'staff_reject'" in str(refused.value)
    assert state == kept


# ----------------------------------------------------------------- ran steps


def test_it_lists_the_engine_run_steps_with_their_documentation(
    recruitment, recorder, sample, at_review
):
    state, task = at_review

    outcome = engine.complete_task(
        recruitment, state, task.id, sample.review(), operators=recorder.registry
    )

    assert [(r.bpmn_id, r.kind) for r in outcome.ran] == [
        ("rank_education", "ScriptTask"),
        ("check_eligibility", "BusinessRuleTask"),
        ("gateway_eligible", "ExclusiveGateway"),
        ("check_disqualification", "BusinessRuleTask"),
        ("gateway_disqualified", "ExclusiveGateway"),
    ]
    for record in outcome.ran:
        info = recruitment.tasks[record.bpmn_id]
        assert record.documentation == info.documentation
        assert record.name == info.name
        assert ART.search(record.documentation), record.bpmn_id
    assert "Art. 10" in outcome.ran[1].documentation
    assert "Art. 11" in outcome.ran[3].documentation


def test_it_lists_only_what_ran_in_this_call(recruitment, recorder, sample, drive):
    outcome = drive(
        recruitment,
        sample.applicant(),
        sample.to_background(exam=30, interview=30),
        operators=recorder.registry,
    )

    assert [r.bpmn_id for r in outcome.ran] == [
        "compute_total",
        "gateway_score",
        "reject_low_score",
        "rejected_end",
    ]


# ------------------------------------------------------------- parallel tasks


def test_it_offers_both_branches_of_a_parallel_gateway(inline_bpmn):
    definition = inline_bpmn(PARALLEL)

    outcome = engine.start(definition, {"case_no": "LA-2025-001"})

    assert sorted(t.bpmn_id for t in outcome.human_tasks) == ["task_a", "task_b"]
    assert [r.bpmn_id for r in outcome.ran] == ["start", "split"]
    assert ART.search(outcome.ran[1].documentation)
    assert outcome.human_tasks[0].form is None
    assert outcome.human_tasks[0].form_name == ""


@pytest.mark.parametrize("order", [("task_a", "task_b"), ("task_b", "task_a")])
def test_it_joins_parallel_tasks_completed_one_after_the_other(
    inline_bpmn, roundtrip, task_in, order
):
    definition = inline_bpmn(PARALLEL)
    outcome = engine.start(definition, {"case_no": "LA-2025-001"})

    first, second = order
    state = roundtrip(outcome.state)
    outcome = engine.complete_task(
        definition, state, task_in(definition, state, first).id, {f"{first}_ok": True}
    )
    assert not outcome.completed
    assert [t.bpmn_id for t in outcome.human_tasks] == [second]

    state = roundtrip(outcome.state)
    outcome = engine.complete_task(
        definition, state, task_in(definition, state, second).id, {f"{second}_ok": True}
    )

    assert outcome.completed
    assert outcome.human_tasks == ()
    assert [r.bpmn_id for r in outcome.ran] == ["join", "end"]
    assert outcome.data == {"case_no": "LA-2025-001", "task_a_ok": True, "task_b_ok": True}


def test_it_shows_why_steps_on_one_case_must_be_serialised(inline_bpmn, roundtrip):
    """Two people complete the two parallel tasks from the same stored state.

    Each call returns a state that knows only its own completion; whichever is stored
    last wins and silently re-opens the other task. Nothing in the engine can detect
    that: the webapp must serialise steps on a case (row lock or version check) so the
    second step loads the state the first one stored. This test records the facts,
    not a timing race.
    """
    definition = inline_bpmn(PARALLEL)
    outcome = engine.start(definition, {})
    stored = roundtrip(outcome.state)
    ids = {t.bpmn_id: t.id for t in outcome.human_tasks}

    copy_for_alice = roundtrip(stored)
    copy_for_bob = roundtrip(stored)
    by_alice = engine.complete_task(definition, copy_for_alice, ids["task_a"], {"a": 1})
    by_bob = engine.complete_task(definition, copy_for_bob, ids["task_b"], {"b": 2})

    # Neither result contains the other's work: storing by_bob after by_alice loses "a".
    assert [t.bpmn_id for t in by_alice.human_tasks] == ["task_b"]
    assert [t.bpmn_id for t in by_bob.human_tasks] == ["task_a"]
    assert not by_alice.completed and not by_bob.completed
    assert "a" not in by_bob.data

    # Serialised, Bob's step loads Alice's stored state and the case finishes.
    serial = engine.complete_task(definition, roundtrip(by_alice.state), ids["task_b"], {"b": 2})
    assert serial.completed
    assert serial.data == {"a": 1, "b": 2}
