"""Every branch of bpmn/appeal, bpmn/suggestion, bpmn/correction_order and
bpmn/measures_filing, driven through processes.engine with recording operators and the
state round-tripped through JSON between steps (docs/processes/appeal.md,
suggestion.md, correction_order.md, measures_filing.md)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine

from processes import catalog, engine
from processes.errors import ModelRefused

from .conftest import Recorder

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
MEMBER = {
    "staff_name": "冯丽",
    "staff_state": "on_duty",
    "agency_name": "金安区城市管理局",
    "employment_mode": "unit",
    "post": "数据分析辅助员",
}
LEGAL = {"appeal_legal_finding": "well_founded", "appeal_legal_opinion": "依据不足"}


def load(name: str) -> Any:
    return catalog.load_directory(BPMN / name)


def recorder(*names: str) -> Recorder:
    ops = Recorder()
    for name in names:
        ops.add(name, {"ok": True})
    return ops


def appeal_start(kind: str, decided_days_ago: int = 3, **extra: Any) -> dict[str, Any]:
    return {
        **MEMBER,
        "decision_kind": kind,
        "decision_case": "KH-2026-000011",
        "decision_summary": "2026年度考核：不合格",
        "decision_date": (date.today() - timedelta(days=decided_days_ago)).isoformat(),
        "appeal_reason": "病假期间未予考虑",
        **extra,
    }


@pytest.mark.parametrize(
    ("kind", "decide", "answer", "operator", "end"),
    [
        (
            "assessment",
            "decide_grade_appeal",
            {
                "grade_appeal_upheld": True,
                "corrected_grade": "competent",
                "grade_appeal_reason": "有误",
            },
            "appeal_uphold",
            "appeal_upheld_end",
        ),
        (
            "assessment",
            "decide_grade_appeal",
            {"grade_appeal_upheld": False, "grade_appeal_reason": "维持"},
            "appeal_dismiss",
            "appeal_dismissed_end",
        ),
        (
            "discipline",
            "decide_discipline_appeal",
            {"discipline_appeal_upheld": True, "discipline_appeal_reason": "证据不足"},
            "appeal_uphold",
            "appeal_upheld_end",
        ),
        (
            "discipline",
            "decide_discipline_appeal",
            {"discipline_appeal_upheld": False, "discipline_appeal_reason": "维持"},
            "appeal_dismiss",
            "appeal_dismissed_end",
        ),
    ],
)
def test_every_appeal_branch_ends_with_its_operator(drive, kind, decide, answer, operator, end):
    ops = recorder("appeal_uphold", "appeal_dismiss")
    outcome = drive(
        load("appeal"),
        appeal_start(kind),
        [("legal_review_appeal", LEGAL), (decide, answer)],
        operators=ops.registry,
    )
    assert outcome.completed and ops.names() == [operator]
    assert [r.bpmn_id for r in outcome.ran][-1] == end
    params = ops.calls[0][1]
    assert "Art. 12" in params["reason"]
    if operator == "appeal_uphold":
        assert params["corrected_grade"] == answer.get("corrected_grade", "")


def test_an_upheld_grade_appeal_needs_the_corrected_grade(drive):
    from processes.errors import InvalidTaskData

    with pytest.raises(InvalidTaskData) as refused:
        drive(
            load("appeal"),
            appeal_start("assessment"),
            [
                ("legal_review_appeal", LEGAL),
                ("decide_grade_appeal", {"grade_appeal_upheld": True, "grade_appeal_reason": "x"}),
            ],
        )
    assert "corrected_grade" in refused.value.errors


def test_the_appeal_period_is_the_models_thirty_days_unless_the_case_sets_another():
    appeal = load("appeal")
    outcome = engine.start(appeal, appeal_start("assessment", decided_days_ago=30))
    assert [t.bpmn_id for t in outcome.human_tasks] == ["legal_review_appeal"]
    assert outcome.data["appeal_period_days"] == 30
    with pytest.raises(ModelRefused) as late:
        engine.start(appeal, appeal_start("assessment", decided_days_ago=31))
    assert late.value.reason.startswith("申诉已超过期限") and "Art. 12" in late.value.reason
    longer = engine.start(appeal, appeal_start("discipline", 45, appeal_period_days=60))
    assert [t.bpmn_id for t in longer.human_tasks] == ["legal_review_appeal"]


def test_a_suggestion_is_answered_and_the_reply_sent_to_the_member(drive):
    ops = recorder("member_notify")
    outcome = drive(
        load("suggestion"),
        {**MEMBER, "suggestion_text": "建议增加夜班"},
        [("reply_suggestion", {"suggestion_adoption": "noted", "suggestion_reply": "研究参考"})],
        operators=ops.registry,
    )
    assert outcome.completed and ops.only("member_notify")["body"] == "研究参考"


ORDER = {
    "agency_name": "六安市城市管理局",
    "ordered_by": "六安市司法局",
    "order_findings": "辅助人员单独调查取证",
    "correction_deadline": "2099-01-01",
    "correction_period": "P10D",
}
REPORT = {"correction_measures": "已整改", "correction_completed_on": "2026-06-01"}


def test_a_correction_order_is_returned_once_then_closed(drive):
    ops = recorder(
        "correction_order_register", "correction_order_close", "correction_order_overdue"
    )
    outcome = drive(
        load("correction_order"),
        ORDER,
        [
            ("report_correction", REPORT),
            (
                "review_correction",
                {"correction_accepted": False, "correction_review_opinion": "不全"},
            ),
            ("report_correction", REPORT),
            (
                "review_correction",
                {"correction_accepted": True, "correction_review_opinion": "到位"},
            ),
        ],
        operators=ops.registry,
    )
    assert outcome.completed
    assert ops.names() == ["correction_order_register", "correction_order_close"]


def test_a_missed_correction_deadline_is_recorded_and_the_report_still_awaited(step):
    ops = recorder(
        "correction_order_register", "correction_order_overdue", "correction_order_close"
    )
    order = load("correction_order")
    outcome = engine.start(order, ORDER, operators=ops.registry)
    assert outcome.wake_at is not None
    timers = engine.waiting_timers(order, outcome.state)
    assert [t.bpmn_id for t in timers] == ["correction_deadline_passed"]
    assert timers[0].due == outcome.wake_at
    state = json.loads(json.dumps(outcome.state))
    with time_machine.travel(outcome.wake_at + timedelta(seconds=1), tick=False):
        outcome = engine.advance(order, state, operators=ops.registry)
    assert ops.names() == ["correction_order_register", "correction_order_overdue"]
    assert [t.bpmn_id for t in outcome.human_tasks] == ["report_correction"]
    assert outcome.wake_at is None  # fired once, not again
    outcome = step(order, outcome, "report_correction", REPORT, operators=ops.registry)
    assert [t.bpmn_id for t in outcome.human_tasks] == ["review_correction"]


def _reviews(returned_by: str = "") -> list[tuple[str, dict[str, Any]]]:
    steps = []
    for prefix in ("staffing", "hrss", "justice"):
        data: dict[str, Any] = {f"{prefix}_acknowledged": prefix != returned_by}
        if prefix == returned_by:
            data[f"{prefix}_opinion"] = "退回"
        steps.append((f"review_{prefix}", data))
    return steps


def test_measures_returned_by_one_department_are_revised_and_filed(drive):
    ops = recorder("measures_filing_register", "measures_filing_record")
    start = {
        "agency_name": "六安市城市管理局",
        "measures_title": "细则",
        "measures_text": "全文",
        "measures_adopted_on": "2026-03-01",
    }
    outcome = drive(
        load("measures_filing"),
        start,
        [
            *_reviews(returned_by="justice"),
            ("revise_measures", {"measures_revision_summary": "已改"}),
            *_reviews(),
        ],
        operators=ops.registry,
    )
    assert outcome.completed
    assert ops.names() == ["measures_filing_register", "measures_filing_record"]
    lanes = {t.bpmn_id: t.lane for t in load("measures_filing").tasks.values()}
    assert (lanes["review_staffing"], lanes["review_hrss"], lanes["review_justice"]) == (
        "staffing_office",
        "hrss",
        "justice_bureau",
    )
