"""Every branch of bpmn/assessment, driven through processes.engine (docs/processes/assessment.md).

Each step starts from ``json.loads(json.dumps(outcome.state))`` (the ``step``/``drive``
fixtures do that), and the side effects are a real ``OperatorRegistry`` holding
recording stand-ins for the webapp's ``assessment_record`` and ``case_open``. The
decision table ``assessment_grade`` is also checked on its own over every combination
of the four ratings.
"""

from __future__ import annotations

import copy
import itertools
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine

from processes import catalog, engine
from processes.errors import InvalidTaskData, ScriptFailed
from processes.sandbox.environment import RestrictedScriptEngine

from .conftest import Recorder

ASSESSMENT_DIR = Path(__file__).resolve().parents[2] / "bpmn" / "assessment"
ART = re.compile(r"Art\. \d+")
LABELS = {
    "excellent": "优秀",
    "competent": "合格",
    "basically_competent": "基本合格",
    "incompetent": "不合格",
}

START: dict[str, Any] = {
    "staff_name": "周敏",
    "staff_state": "on_duty",
    "agency_name": "六安市市场监督管理局",
    "employment_mode": "dispatch",
    "post": "市场巡查辅助岗",
    "assessment_year": 2025,
}
REMARKS = "全年出勤良好，协助巡查到位。"
APPROVE = {"decision": "approve"}


def ratings(discipline: int, performance: int, conduct: int, training: int) -> dict[str, Any]:
    return {
        "discipline_rating": discipline,
        "performance_rating": performance,
        "conduct_rating": conduct,
        "training_rating": training,
        "assessment_remarks": REMARKS,
    }


def expected_grade(scores: tuple[int, ...]) -> str:
    """docs/processes/assessment.md, written out independently of the table."""
    total, lowest = sum(scores), min(scores)
    if lowest == 1 or total < 10:
        return "incompetent"
    if total <= 13:
        return "basically_competent"
    if total <= 17 or lowest < 4:
        return "competent"
    return "excellent"


@pytest.fixture(scope="module")
def assessment():
    return catalog.load_directory(ASSESSMENT_DIR)


@pytest.fixture
def ops() -> Recorder:
    recorder = Recorder()
    recorder.add("assessment_record", {"assessment": 17, "grade": "recorded"})
    recorder.add("case_open", {"business_key": "LA-2026-000042"})
    return recorder


def ran_ids(outcome) -> list[str]:
    return [record.bpmn_id for record in outcome.ran]


def assert_recorded(ops: Recorder, grade: str, remarks: str = REMARKS) -> None:
    name, params, call = ops.calls[0]
    assert name == "assessment_record"
    assert params == {"year": 2025, "grade": grade, "remarks": remarks}
    assert call.task_bpmn_id == "record_assessment"
    assert "Art. 20" in call.documentation


def assert_follow_up(outcome, ops: Recorder, grade: str) -> None:
    """The case_open call (or none) and the end event that ``grade`` leads to."""
    assert outcome.completed
    assert outcome.human_tasks == ()
    ran = ran_ids(outcome)
    assert ran[:3] == ["set_final_grade", "record_assessment", "gateway_grade"]
    if grade == "incompetent":
        assert ops.names() == ["assessment_record", "case_open"]
        params = ops.calls[1][1]
        assert params["process"] == "separation"
        assert params["data"] == {"separation_reason": "failed_assessment"}
        assert params["reason"].startswith("年度考核不合格（《办法》第二十条，Art. 20）")
        assert "2025年度考核等次为不合格" in params["reason"]
        assert ran[3:] == ["open_separation", "separation_end"]
        assert outcome.data["separation_case_result"] == ops.results["case_open"]
        assert ops.calls[1][2].task_bpmn_id == "open_separation"
    elif grade == "excellent":
        assert ops.names() == ["assessment_record", "case_open"]
        params = ops.calls[1][1]
        assert params["process"] == "commendation"
        assert params["data"] == {"nomination_source": "assessment"}
        assert "年度考核优秀" in params["reason"]
        assert "Art. 17" in params["reason"] and "Art. 20" in params["reason"]
        assert ran[3:] == ["open_commendation", "commendation_end"]
        assert outcome.data["commendation_case_result"] == ops.results["case_open"]
        assert ops.calls[1][2].task_bpmn_id == "open_commendation"
    else:
        assert ops.names() == ["assessment_record"]
        assert ran[3:] == ["assessed_end"]
        assert "separation_case_result" not in outcome.data
        assert "commendation_case_result" not in outcome.data
    assert outcome.data["assessment_result"] == ops.results["assessment_record"]


# ------------------------------------------------------- the decision table


def _matching_rows(definition, data: dict[str, Any]) -> list[int]:
    table = definition.decisions["assessment_grade"].decision.decisionTables[0]
    every_row = copy.copy(table)
    every_row.hit_policy = "COLLECT"  # list every matching row, not only the first
    task = SimpleNamespace(
        data=data, workflow=SimpleNamespace(script_engine=RestrictedScriptEngine()), task_spec=None
    )
    return [rule.row_number for rule in DMNEngine(every_row).decide(task)]


def test_it_matches_exactly_one_row_for_every_combination_of_ratings(assessment):
    table = assessment.decisions["assessment_grade"].decision.decisionTables[0]
    assert table.hit_policy == "UNIQUE"
    outputs = {rule.row_number: rule for rule in table.rules}
    seen_rows = set()
    for scores in itertools.product(range(1, 6), repeat=4):
        data = {"total_rating": sum(scores), "lowest_rating": min(scores)}
        rows = _matching_rows(assessment, data)
        assert len(rows) == 1, f"{scores}: rows {rows}"
        seen_rows.update(rows)
        task = SimpleNamespace(
            data=data,
            workflow=SimpleNamespace(script_engine=RestrictedScriptEngine()),
            task_spec=None,
        )
        result = outputs[rows[0]].output_as_dict(task)
        assert result["grade"] == expected_grade(scores), scores
        assert result["grade_label"] == LABELS[result["grade"]]
        assert "Art. 20" in result["consequence"]
        assert result["consequence"].startswith(f"年度考核{result['grade_label']}（《办法》")
    assert seen_rows == set(outputs), "a row no combination of ratings reaches"


def test_it_covers_integers_outside_the_rating_range_too(assessment):
    for total, lowest in itertools.product(range(-5, 30), range(-2, 8)):
        data = {"total_rating": total, "lowest_rating": lowest}
        assert len(_matching_rows(assessment, data)) == 1, data


# -------------------------------------------------- every row, end to end


ROWS = [
    pytest.param((1, 5, 5, 5), 16, "incompetent", "有一项评分为“差”", id="row1-a-single-1"),
    pytest.param((1, 1, 1, 1), 4, "incompetent", "有一项评分为“差”", id="row1-all-1"),
    pytest.param((2, 2, 2, 3), 9, "incompetent", "总分低于 10 分", id="row2-total-9"),
    pytest.param((2, 2, 3, 3), 10, "basically_competent", "10 至 13 分", id="row3-total-10"),
    pytest.param((2, 3, 4, 4), 13, "basically_competent", "10 至 13 分", id="row3-total-13"),
    pytest.param((2, 3, 4, 5), 14, "competent", "14 至 17 分", id="row4-total-14"),
    pytest.param((2, 5, 5, 5), 17, "competent", "14 至 17 分", id="row4-total-17"),
    pytest.param((4, 4, 4, 5), 17, "competent", "14 至 17 分", id="row4-all-4-but-17"),
    pytest.param((3, 5, 5, 5), 18, "competent", "不评为优秀", id="row5-18-with-a-3"),
    pytest.param((5, 5, 5, 2), 17, "competent", "14 至 17 分", id="row4-17-with-a-2"),
    pytest.param((4, 4, 5, 5), 18, "excellent", "各项评分均不低于 4 分", id="row6-total-18"),
    pytest.param((5, 5, 5, 5), 20, "excellent", "各项评分均不低于 4 分", id="row6-total-20"),
]


@pytest.mark.parametrize(("scores", "total", "grade", "basis"), ROWS)
def test_it_grades_each_row_and_acts_on_the_approved_grade(
    assessment, ops, drive, scores, total, grade, basis
):
    rated = drive(assessment, START, [("rate_member", ratings(*scores))], operators=ops.registry)

    assert [task.bpmn_id for task in rated.human_tasks] == ["confirm_grade"]
    assert rated.data["total_rating"] == total
    assert rated.data["lowest_rating"] == min(scores)
    assert rated.data["grade"] == grade
    assert rated.data["grade_label"] == LABELS[grade]
    assert basis in rated.data["consequence"]
    assert ran_ids(rated) == ["compute_rating", "grade_assessment"]
    assert ops.calls == []

    outcome = drive(
        assessment,
        START,
        [("rate_member", ratings(*scores)), ("confirm_grade", APPROVE)],
        operators=ops.registry,
    )

    assert outcome.data["final_grade"] == grade
    assert outcome.data["final_grade_label"] == LABELS[grade]
    assert outcome.data["grade_adjusted"] is False
    assert outcome.data["final_remarks"] == REMARKS
    assert_recorded(ops, grade)
    assert_follow_up(outcome, ops, grade)


# ------------------------------------------------ the approver adjusts


@pytest.mark.parametrize(
    ("scores", "proposed", "adjusted"),
    [
        pytest.param((5, 5, 5, 5), "excellent", "competent", id="excellent-to-competent"),
        pytest.param((4, 4, 4, 4), "competent", "incompetent", id="competent-to-incompetent"),
        pytest.param((1, 4, 4, 4), "incompetent", "basically_competent", id="incompetent-to-basic"),
        pytest.param((3, 3, 3, 3), "basically_competent", "excellent", id="basic-to-excellent"),
    ],
)
def test_it_uses_the_grade_the_approver_adjusts_to(
    assessment, ops, drive, scores, proposed, adjusted
):
    decision = {"decision": "reject", "adjusted_grade": adjusted, "reason": "结合群众投诉情况调整"}

    outcome = drive(
        assessment,
        START,
        [("rate_member", ratings(*scores)), ("confirm_grade", decision)],
        operators=ops.registry,
    )

    assert outcome.data["grade"] == proposed
    assert outcome.data["final_grade"] == adjusted
    assert outcome.data["final_grade_label"] == LABELS[adjusted]
    assert outcome.data["grade_adjusted"] is True
    remarks = (
        f"{REMARKS}（机关负责人审核：评定等次为{LABELS[proposed]}，"
        f"确定为{LABELS[adjusted]}；理由：结合群众投诉情况调整）"
    )
    assert outcome.data["final_remarks"] == remarks
    assert_recorded(ops, adjusted, remarks)
    assert_follow_up(outcome, ops, adjusted)


def test_it_ignores_an_adjusted_grade_sent_with_an_approval(assessment, ops, drive):
    approve = {"decision": "approve", "adjusted_grade": "incompetent"}

    outcome = drive(
        assessment,
        START,
        [("rate_member", ratings(4, 4, 4, 4)), ("confirm_grade", approve)],
        operators=ops.registry,
    )

    assert outcome.data["final_grade"] == "competent"
    assert_recorded(ops, "competent")
    assert_follow_up(outcome, ops, "competent")


# ------------------------------------------------------------ start data


@pytest.mark.parametrize(
    "year",
    [None, "2025", 1999, True, 2025.0],
    ids=["missing", "text", "too-early", "bool", "float"],
)
def test_it_refuses_to_start_without_a_valid_assessment_year(assessment, ops, year):
    start = dict(START)
    if year is None:
        del start["assessment_year"]
    else:
        start["assessment_year"] = year

    with pytest.raises(ScriptFailed) as stopped:
        engine.start(assessment, start, operators=ops.registry)

    assert "check_assessment_year" in str(stopped.value)
    assert "assessment_year" in str(stopped.value)
    assert ops.calls == []


# ---------------------------------------------------------- form refusals


REFUSALS = [
    pytest.param("rate_member", ratings(6, 4, 4, 4), "discipline_rating", id="rating-6"),
    pytest.param("rate_member", ratings(4, 0, 4, 4), "performance_rating", id="rating-0"),
    pytest.param("rate_member", ratings(4, 4, 3.5, 4), "conduct_rating", id="rating-3.5"),
    pytest.param("rate_member", ratings(4, 4, 4, "5"), "training_rating", id="rating-text"),
    pytest.param(
        "rate_member",
        {k: v for k, v in ratings(4, 4, 4, 4).items() if k != "training_rating"},
        "training_rating",
        id="rating-missing",
    ),
    pytest.param(
        "rate_member",
        dict(ratings(4, 4, 4, 4), assessment_remarks=" "),
        "assessment_remarks",
        id="blank-remarks",
    ),
    pytest.param(
        "rate_member", dict(ratings(4, 4, 4, 4), total_rating=20), "__all__", id="extra-field"
    ),
    pytest.param(
        "confirm_grade",
        {"decision": "reject", "reason": "与实际不符"},
        "adjusted_grade",
        id="reject-without-grade",
    ),
    pytest.param(
        "confirm_grade",
        {"decision": "reject", "adjusted_grade": "competent"},
        "reason",
        id="reject-without-reason",
    ),
    pytest.param(
        "confirm_grade",
        {"decision": "reject", "adjusted_grade": "good", "reason": "x"},
        "adjusted_grade",
        id="unknown-grade",
    ),
    pytest.param(
        "confirm_grade",
        {"decision": "approve", "grade": "excellent"},
        "__all__",
        id="overwrite-grade",
    ),
]
PATH_TO = {"rate_member": [], "confirm_grade": [("rate_member", ratings(4, 4, 4, 4))]}


@pytest.mark.parametrize(("bpmn_id", "data", "field"), REFUSALS)
def test_it_refuses_bad_form_data_and_keeps_the_state(
    assessment, ops, drive, roundtrip, task_in, bpmn_id, data, field
):
    outcome = drive(assessment, START, PATH_TO[bpmn_id], operators=ops.registry)
    state = roundtrip(outcome.state)
    kept = copy.deepcopy(state)
    task = task_in(assessment, state, bpmn_id)

    with pytest.raises(InvalidTaskData) as refused:
        engine.complete_task(assessment, state, task.id, data, operators=ops.registry)

    assert field in refused.value.errors
    assert state == kept
    assert ops.calls == []


# ------------------------------------------------------------ human tasks


@pytest.mark.parametrize(
    ("bpmn_id", "lane", "form_name", "due_in"),
    [
        ("rate_member", "hr_officer", "rating.json", "P15D"),
        ("confirm_grade", "approver", "grade_confirmation.json", "P5D"),
    ],
)
def test_it_hands_out_each_human_task_with_lane_form_deadline_and_citation(
    assessment, ops, drive, bpmn_id, lane, form_name, due_in
):
    outcome = drive(assessment, START, PATH_TO[bpmn_id], operators=ops.registry)

    (task,) = outcome.human_tasks
    assert task.bpmn_id == bpmn_id
    assert task.lane == lane
    assert task.form_name == form_name
    assert task.form == assessment.forms[form_name]
    assert task.form["additionalProperties"] is False
    assert task.due_in == due_in
    assert "Art. 20" in task.documentation
    assert task.name and not task.name.isascii()


def test_it_offers_the_start_data_to_the_rating_form(assessment, roundtrip):
    outcome = engine.start(assessment, START)
    (task,) = outcome.human_tasks

    assert engine.human_task_data(assessment, roundtrip(outcome.state), task.id) == START
    assert [record.bpmn_id for record in outcome.ran] == [
        "start_assessment",
        "check_assessment_year",
    ]
