"""A test run in memory: the path taken, a person's input per task, timers fired on
demand, and operators that only record what they would have done."""

from __future__ import annotations

from processes import catalog, trial_run
from processes.definition import ProcessDefinition

from .conftest import RECRUITMENT_DIR
from .test_migration import REVIEW, START

OPERATORS = {"staff_hire", "staff_reject"}
HEALTH = {"health_ok": True, "health_hospital": "x", "health_exam_date": "2026-01-01"}


def definition() -> ProcessDefinition:
    return catalog.load_definition(catalog.read_directory(RECRUITMENT_DIR))


def test_it_runs_to_a_rejection_and_records_the_operator_call() -> None:
    run = trial_run.run(
        definition(),
        START,
        [{"task": "review_application", "data": {**REVIEW, "good_conduct": False}}],
        operators=OPERATORS,
    )
    assert run.completed and run.error == ""
    assert run.path[:2] == ["start_application", "review_application"]
    assert run.path[-2:] == ["reject_ineligible", "rejected_end"]
    [call] = run.operator_calls
    assert (call.task, call.operator) == ("reject_ineligible", "staff_reject")
    assert "Art. 10(5)" in call.params["reason"]


def test_it_fires_the_notice_timer_on_demand_and_hires() -> None:
    steps = [
        {"task": "review_application", "data": REVIEW},
        {"task": "record_scores", "data": {"exam_score": 90, "interview_score": 90}},
        {"task": "background_check", "data": {"background_ok": True}},
        {"task": "health_check", "data": HEALTH},
    ]
    waiting = trial_run.run(definition(), START, steps, operators=OPERATORS)
    assert waiting.timers and not waiting.waiting
    fired = trial_run.run(definition(), START, [*steps, {"timer": True}], operators=OPERATORS)
    assert [t.bpmn_id for t in fired.waiting] == ["approve_hire"]
    assert "public_notice" in fired.path


def test_it_stops_at_an_input_the_form_refuses_and_says_which_field() -> None:
    run = trial_run.run(
        definition(), START, [{"task": "review_application", "data": {}}], operators=OPERATORS
    )
    assert "nationality_prc" in run.field_errors
    assert [t.bpmn_id for t in run.waiting] == ["review_application"]


def test_it_refuses_an_input_for_a_task_that_is_not_waiting() -> None:
    run = trial_run.run(
        definition(), START, [{"task": "approve_hire", "data": {}}], operators=OPERATORS
    )
    assert "no task 'approve_hire' is waiting" in run.error


def test_its_operators_only_record() -> None:
    calls: list[trial_run.OperatorRecord] = []
    registry = trial_run.recording_registry({"staff_hire"}, calls)
    from processes.operators import OperatorCall

    result = registry.call(OperatorCall("staff_hire", {"x": 1}, "hire", "", {}, None))
    assert result == {"sandbox": True}
    assert calls == [trial_run.OperatorRecord("hire", "staff_hire", {"x": 1})]
