"""Every branch of bpmn/training, driven through processes.engine (docs/processes/training.md).

Each step starts from ``json.loads(json.dumps(outcome.state))`` (the ``step``/``drive``
fixtures do that), and the side effects are a real ``OperatorRegistry`` holding
recording stand-ins for the webapp's ``certificate_issue``, ``marks_issue`` and
``staff_separate``.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from processes import catalog, engine
from processes.errors import InvalidTaskData, ScriptFailed

from .conftest import Recorder

TRAINING_DIR = Path(__file__).resolve().parents[2] / "bpmn" / "training"
ART = re.compile(r"Art\. \d+")

START: dict[str, Any] = {
    "staff_name": "李明",
    "staff_state": "hired",
    "agency_name": "六安市城市管理行政执法局",
    "employment_mode": "unit",
    "post": "城市管理执法辅助岗",
}
ENROL = {
    "course_name": "2025年第一期岗前培训",
    "course_start": "2025-05-06",
    "course_end": "2025-05-16",
}
ATTENDED = {"training_hours": 40, "training_completed": True}
ABSENT = {"training_hours": 12, "training_completed": False, "training_notes": "因病缺课三天"}
CONFIRM = {"failure_decision": "confirm", "failure_reason": "两次考核均未达到合格线"}
RETAKE = {"failure_decision": "retake", "failure_reason": "第二次考核时因病缺考，准予再考一次"}


def exam(score: float) -> dict[str, Any]:
    return {"exam_score": score}


def attempt(score: float) -> list[tuple[str, dict[str, Any]]]:
    """One round of training and exam."""
    return [("record_training", ATTENDED), ("record_exam", exam(score))]


def enrolled(*rounds: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    return [("enrol", ENROL), *(step for one in rounds for step in one)]


@pytest.fixture(scope="module")
def training():
    return catalog.load_directory(TRAINING_DIR)


@pytest.fixture
def ops() -> Recorder:
    recorder = Recorder()
    recorder.add(
        "certificate_issue", {"number": "LA-CGJ-2025-0007", "staff": 4711, "state": "on_duty"}
    )
    recorder.add("marks_issue", {"marks": ["badge", "armband"]})
    recorder.add("staff_separate", {"state": "separated", "certificate": None})
    return recorder


def ran_ids(outcome) -> list[str]:
    return [record.bpmn_id for record in outcome.ran]


def ready(outcome) -> list[str]:
    return [task.bpmn_id for task in outcome.human_tasks]


def assert_certified(outcome, ops: Recorder) -> None:
    assert ops.names() == ["certificate_issue", "marks_issue"]
    assert ops.calls[0][1] == {}
    assert ops.calls[1][1] == {"kinds": ["badge", "armband"]}
    assert outcome.completed
    assert outcome.human_tasks == ()
    assert outcome.wake_at is None
    assert ran_ids(outcome)[-4:] == [
        "gateway_exam",
        "issue_certificate",
        "issue_marks",
        "certified_end",
    ]
    assert outcome.data["certificate_result"] == ops.results["certificate_issue"]
    assert outcome.data["marks_result"] == ops.results["marks_issue"]
    assert "separate_result" not in outcome.data
    certificate_call, marks_call = ops.calls[0][2], ops.calls[1][2]
    assert certificate_call.task_bpmn_id == "issue_certificate"
    assert "Art. 19" in certificate_call.documentation
    assert marks_call.task_bpmn_id == "issue_marks"
    assert "Art. 21" in marks_call.documentation


# ------------------------------------------------------------------ pass


def test_it_certifies_and_issues_marks_when_the_first_exam_is_passed(training, ops, drive):
    outcome = drive(training, START, enrolled(attempt(75)), operators=ops.registry)

    assert_certified(outcome, ops)
    assert outcome.data["training_attempt"] == 1
    assert outcome.data["pass_line"] == 60
    assert outcome.data["max_attempts"] == 2
    assert outcome.data["course_name"] == ENROL["course_name"]


@pytest.mark.parametrize(
    ("score", "passed"),
    [(60, True), (100, True), (59.5, False), (0, False)],
    ids=["60-on-the-line", "100", "59.5-below", "0"],
)
def test_it_passes_a_score_on_the_pass_line_and_fails_one_below(
    training, ops, drive, score, passed
):
    outcome = drive(training, START, enrolled(attempt(score)), operators=ops.registry)

    if passed:
        assert_certified(outcome, ops)
    else:
        assert ready(outcome) == ["record_training"]
        assert outcome.data["training_attempt"] == 2
        assert ops.calls == []
        assert ran_ids(outcome)[-3:] == ["gateway_exam", "gateway_attempts", "count_retake"]


# ---------------------------------------------------------------- retake


def test_it_lets_a_failed_member_retake_and_certifies_on_the_retake(training, ops, drive):
    outcome = drive(training, START, enrolled(attempt(45)), operators=ops.registry)

    assert ready(outcome) == ["record_training"]
    assert outcome.data["training_attempt"] == 2
    assert not outcome.completed
    assert ops.calls == []

    outcome = drive(training, START, enrolled(attempt(45), attempt(82)), operators=ops.registry)

    assert_certified(outcome, ops)
    assert outcome.data["training_attempt"] == 2
    assert outcome.data["exam_score"] == 82


def test_it_counts_unfinished_training_as_a_failed_attempt_without_an_exam(training, ops, drive):
    outcome = drive(
        training, START, [("enrol", ENROL), ("record_training", ABSENT)], operators=ops.registry
    )

    assert ready(outcome) == ["record_training"]
    assert outcome.data["training_attempt"] == 2
    assert "record_exam" not in ran_ids(outcome)
    assert ran_ids(outcome)[-3:] == [
        "gateway_training_completed",
        "gateway_attempts",
        "count_retake",
    ]
    assert "exam_score" not in outcome.data
    assert ops.calls == []

    outcome = drive(
        training,
        START,
        [("enrol", ENROL), ("record_training", ABSENT), *attempt(71)],
        operators=ops.registry,
    )
    assert_certified(outcome, ops)


# ------------------------------------------------------------ separation


def test_it_separates_after_two_failures_when_the_approver_confirms(training, ops, drive):
    outcome = drive(training, START, enrolled(attempt(40), attempt(52)), operators=ops.registry)

    assert ready(outcome) == ["confirm_training_failure"]
    assert outcome.human_tasks[0].lane == "approver"
    assert outcome.data["training_attempt"] == 2
    assert ops.calls == []

    outcome = drive(
        training,
        START,
        [*enrolled(attempt(40), attempt(52)), ("confirm_training_failure", CONFIRM)],
        operators=ops.registry,
    )

    params = ops.only("staff_separate")
    assert set(params) == {"reason"}
    reason = params["reason"]
    assert reason.startswith("岗前培训考核不合格（《办法》第十九条，Art. 19）")
    assert "经2次培训考核仍不合格" in reason
    assert reason.endswith("：经2次培训考核仍不合格，两次考核均未达到合格线")
    assert outcome.completed
    assert ran_ids(outcome) == ["gateway_separation", "separate_failed", "separated_end"]
    assert outcome.data["separate_result"] == ops.results["staff_separate"]
    assert "certificate_result" not in outcome.data
    call = ops.calls[0][2]
    assert call.task_bpmn_id == "separate_failed"
    assert "Art. 19" in call.documentation


def test_it_sends_unfinished_training_twice_to_the_approver(training, ops, drive):
    steps = [("enrol", ENROL), ("record_training", ABSENT), ("record_training", ABSENT)]

    outcome = drive(training, START, steps, operators=ops.registry)

    assert ready(outcome) == ["confirm_training_failure"]
    assert ops.calls == []


def test_it_grants_one_more_retake_when_the_approver_does_not_confirm(training, ops, drive):
    failed_twice = [*enrolled(attempt(40), attempt(52)), ("confirm_training_failure", RETAKE)]

    outcome = drive(training, START, failed_twice, operators=ops.registry)

    assert ready(outcome) == ["record_training"]
    assert outcome.data["training_attempt"] == 3
    assert ran_ids(outcome) == ["gateway_separation", "count_retake"]
    assert ops.calls == []

    outcome = drive(training, START, [*failed_twice, *attempt(66)], operators=ops.registry)
    assert_certified(outcome, ops)
    assert outcome.data["training_attempt"] == 3

    ops.calls.clear()
    outcome = drive(
        training,
        START,
        [*failed_twice, *attempt(30), ("confirm_training_failure", CONFIRM)],
        operators=ops.registry,
    )
    assert "经3次培训考核仍不合格" in ops.only("staff_separate")["reason"]


# ------------------------------------------------------- preset rules


def test_it_uses_a_pass_line_preset_in_the_case_data(training, ops, drive):
    outcome = drive(
        training, dict(START, pass_line=70), enrolled(attempt(65)), operators=ops.registry
    )

    assert outcome.data["pass_line"] == 70
    assert ready(outcome) == ["record_training"]
    assert ops.calls == []


@pytest.mark.parametrize(
    ("max_attempts", "rounds_before_approver"), [(1, 1), (3, 3)], ids=["one", "three"]
)
def test_it_uses_max_attempts_preset_in_the_case_data(
    training, ops, drive, max_attempts, rounds_before_approver
):
    rounds = [attempt(10)] * rounds_before_approver

    outcome = drive(
        training, dict(START, max_attempts=max_attempts), enrolled(*rounds), operators=ops.registry
    )

    assert ready(outcome) == ["confirm_training_failure"]
    assert outcome.data["training_attempt"] == rounds_before_approver
    assert outcome.data["max_attempts"] == max_attempts


@pytest.mark.parametrize(
    "preset",
    [{"pass_line": 101}, {"pass_line": "60"}, {"max_attempts": 0}, {"max_attempts": 1.5}],
    ids=["pass-line-101", "pass-line-text", "no-attempts", "fractional-attempts"],
)
def test_it_stops_on_an_unusable_preset_rule(training, ops, drive, preset):
    with pytest.raises(ScriptFailed) as stopped:
        drive(training, dict(START, **preset), [("enrol", ENROL)], operators=ops.registry)

    assert "set_training_rules" in str(stopped.value)
    assert ops.calls == []


# ---------------------------------------------------------- form refusals


REFUSALS = [
    pytest.param("record_exam", {"exam_score": 101}, "exam_score", id="score-101"),
    pytest.param("record_exam", {"exam_score": -1}, "exam_score", id="score-negative"),
    pytest.param("record_exam", {"exam_score": "80"}, "exam_score", id="score-text"),
    pytest.param("record_exam", {}, "exam_score", id="score-missing"),
    pytest.param(
        "record_exam", {"exam_score": 80, "training_attempt": 1}, "__all__", id="extra-field"
    ),
    pytest.param(
        "record_training",
        {"training_hours": 10, "training_completed": False},
        "training_notes",
        id="unfinished-without-notes",
    ),
    pytest.param(
        "record_training",
        {"training_hours": 10, "training_completed": False, "training_notes": "  "},
        "training_notes",
        id="unfinished-blank-notes",
    ),
    pytest.param(
        "record_training",
        {"training_hours": -2, "training_completed": True},
        "training_hours",
        id="negative-hours",
    ),
    pytest.param("enrol", dict(ENROL, course_name=""), "course_name", id="no-course-name"),
    pytest.param("enrol", dict(ENROL, course_end="2025-13-01"), "course_end", id="bad-date"),
    pytest.param(
        "confirm_training_failure",
        {"failure_decision": "confirm"},
        "failure_reason",
        id="confirm-without-reason",
    ),
    pytest.param(
        "confirm_training_failure",
        {"failure_decision": "confirm", "failure_reason": " "},
        "failure_reason",
        id="confirm-blank-reason",
    ),
    pytest.param(
        "confirm_training_failure",
        {"failure_decision": "dismiss", "failure_reason": "x"},
        "failure_decision",
        id="unknown-decision",
    ),
]

PATH_TO = {
    "enrol": [],
    "record_training": [("enrol", ENROL)],
    "record_exam": [("enrol", ENROL), ("record_training", ATTENDED)],
    "confirm_training_failure": enrolled(attempt(40), attempt(52)),
}


@pytest.mark.parametrize(("bpmn_id", "data", "field"), REFUSALS)
def test_it_refuses_bad_form_data_and_keeps_the_state(
    training, ops, drive, roundtrip, task_in, bpmn_id, data, field
):
    outcome = drive(training, START, PATH_TO[bpmn_id], operators=ops.registry)
    state = roundtrip(outcome.state)
    kept = copy.deepcopy(state)
    task = task_in(training, state, bpmn_id)

    with pytest.raises(InvalidTaskData) as refused:
        engine.complete_task(training, state, task.id, data, operators=ops.registry)

    assert field in refused.value.errors
    assert state == kept
    assert task_in(training, state, bpmn_id).id == task.id
    assert ops.calls == []


# ------------------------------------------------------------ human tasks


@pytest.mark.parametrize(
    ("bpmn_id", "lane", "form_name", "due_in"),
    [
        ("enrol", "hr_officer", "enrolment.json", "P5D"),
        ("record_training", "trainer", "training_record.json", "P30D"),
        ("record_exam", "trainer", "exam_result.json", "P7D"),
        ("confirm_training_failure", "approver", "training_failure.json", "P5D"),
    ],
)
def test_it_hands_out_each_human_task_with_lane_form_deadline_and_citation(
    training, ops, drive, bpmn_id, lane, form_name, due_in
):
    outcome = drive(training, START, PATH_TO[bpmn_id], operators=ops.registry)

    (task,) = outcome.human_tasks
    assert task.bpmn_id == bpmn_id
    assert task.lane == lane
    assert task.form_name == form_name
    assert task.form == training.forms[form_name]
    assert task.form["additionalProperties"] is False
    assert task.due_in == due_in
    assert ART.search(task.documentation)
    assert "Art. 19" in task.documentation
    assert task.name and not task.name.isascii()


def test_it_offers_the_start_data_to_the_first_form(training, roundtrip):
    outcome = engine.start(training, START)
    (task,) = outcome.human_tasks

    assert engine.human_task_data(training, roundtrip(outcome.state), task.id) == START
