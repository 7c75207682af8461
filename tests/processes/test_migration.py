"""Moving a case's workflow state onto a newer version: the same engine task ids, timers
keep their due time, and a case waiting in a task the new version changed cannot move."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine

from processes import catalog, engine, migration
from processes.definition import ProcessDefinition
from tests.examples import CLEAN_REVIEW as REVIEW

from .conftest import RECRUITMENT_DIR

START = {
    "applicant_name": "李明",
    "age": 30,
    "education": "bachelor",
    "required_education": "college",
    "education_requirement_reason": "",
    "veteran": False,
    "bravery": False,
    "post": "城管协管员",
    "notice_period": "P5D",
}
OPERATORS = {"staff_hire", "staff_reject"}


def files() -> dict[str, bytes]:
    return catalog.read_directory(RECRUITMENT_DIR)


def variant(edit: Any) -> ProcessDefinition:
    bundle = files()
    bundle["recruitment.bpmn"] = edit(bundle["recruitment.bpmn"].decode()).encode()
    return catalog.load_definition(bundle)


def roundtrip(state: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(state))


def complete(definition: ProcessDefinition, state: dict[str, Any], bpmn_id: str, data: Any) -> Any:
    ready = engine.ready_human_tasks(definition, engine.load(definition, state))
    task = next(t for t in ready if t.bpmn_id == bpmn_id)
    return engine.complete_task(definition, roundtrip(state), task.id, data)


def test_it_moves_a_waiting_case_keeping_its_task_id() -> None:
    old = catalog.load_definition(files())
    new = variant(lambda x: x.replace('name="报名资格审查"', 'name="报名资格审查（新）"', 1))
    outcome = engine.start(old, START)
    moved = migration.migrate(old, new, roundtrip(outcome.state))
    [task] = engine.ready_human_tasks(new, engine.load(new, roundtrip(moved)))
    assert task.id == outcome.human_tasks[0].id
    assert task.name == "报名资格审查（新）"
    after = complete(new, roundtrip(moved), "review_application", REVIEW)
    assert [t.bpmn_id for t in after.human_tasks] == ["record_scores"]


def test_it_keeps_a_waiting_timers_due_time() -> None:
    old = catalog.load_definition(files())
    new = variant(lambda x: x.replace('name="录用审批"', 'name="录用审批（新）"', 1))
    outcome = engine.start(old, START)
    for bpmn_id, data in [
        ("review_application", REVIEW),
        ("record_scores", {"exam_score": 90, "interview_score": 90}),
        ("background_check", {"background_ok": True}),
        (
            "health_check",
            {"health_ok": True, "health_hospital": "x", "health_exam_date": "2026-01-01"},
        ),
    ]:
        outcome = complete(old, outcome.state, bpmn_id, data)
    due = outcome.wake_at
    assert due is not None and not outcome.human_tasks
    later = datetime.now(UTC) + timedelta(days=2)
    with time_machine.travel(later, tick=False):
        moved = migration.migrate(old, new, roundtrip(outcome.state))
    assert engine.next_timer(engine.load(new, roundtrip(moved))) == due
    with time_machine.travel(due + timedelta(seconds=1), tick=False):
        fired = engine.advance(new, roundtrip(moved))
    assert [t.name for t in fired.human_tasks] == ["录用审批（新）"]


def test_it_refuses_a_case_waiting_in_a_task_whose_type_changed() -> None:
    old = catalog.load_definition(files())
    new = variant(
        lambda x: re.sub(
            r'<bpmn:userTask id="review_application"(.*?)</bpmn:userTask>',
            r'<bpmn:manualTask id="review_application"\1</bpmn:manualTask>',
            x,
            flags=re.S,
        )
    )
    outcome = engine.start(old, START)
    answer = migration.check(old, new, roundtrip(outcome.state))
    assert not answer.can_move
    assert answer.current == ("review_application",)
    assert "a UserTask here but a ManualTask in the new version" in str(answer.reasons[0])


def test_it_refuses_a_case_whose_current_task_is_gone() -> None:
    old = catalog.load_definition(files())
    outcome = engine.start(old, START)
    other = catalog.load_definition(catalog.read_directory(RECRUITMENT_DIR.parent / "training"))
    answer = migration.check(old, other, roundtrip(outcome.state))
    assert not answer.can_move
    assert "another process (training)" in str(answer.reasons[0])
    assert any("review_application" in str(r) and "does not have" in str(r) for r in answer.reasons)


def test_it_answers_for_an_unreadable_state_without_raising() -> None:
    old = catalog.load_definition(files())
    answer = migration.check(old, old, {"format": "nonsense"})
    assert not answer.can_move and "cannot be read" in str(answer.reasons[0])


def with_new_step_before_review(xml: str) -> str:
    """A script step inserted between the start and the first review."""
    xml = xml.replace(
        'id="flow_start_review" sourceRef="start_application" targetRef="review_application"',
        'id="flow_start_review" sourceRef="start_application" targetRef="pre_check"',
        1,
    )
    step = (
        '<bpmn:scriptTask id="pre_check" name="预先核对"><bpmn:script>pre_checked = True'
        "</bpmn:script></bpmn:scriptTask>"
        '<bpmn:sequenceFlow id="flow_pre_review" sourceRef="pre_check" '
        'targetRef="review_application" />'
    )
    xml = xml.replace(
        "<bpmn:flowNodeRef>review_application</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>review_application</bpmn:flowNodeRef><bpmn:flowNodeRef>pre_check</bpmn:flowNodeRef>",
        1,
    )
    return xml.replace(
        '<bpmn:sequenceFlow id="flow_start_review"',
        step + '<bpmn:sequenceFlow id="flow_start_review"',
        1,
    )


def test_it_warns_that_a_case_will_skip_a_step_inserted_before_where_it_waits() -> None:
    old = catalog.load_definition(files())
    new = variant(with_new_step_before_review)
    outcome = engine.start(old, START)
    movability = migration.check(old, new, roundtrip(outcome.state))
    assert movability.can_move
    [warning] = movability.warnings
    assert warning.code == "skips_new_step" and warning.params["task"] == "pre_check (预先核对)"
    assert movability.names == ("review_application (报名资格审查)",)
    # Once on the version that has the step, nothing is new: no warning.
    unchanged = migration.check(
        new, new, roundtrip(migration.migrate(old, new, roundtrip(outcome.state)))
    )
    assert unchanged.can_move and unchanged.warnings == ()
