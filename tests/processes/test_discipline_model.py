"""Every branch of bpmn/discipline (违纪处理, Art. 15, 23), driven through processes.engine.

Each step starts from ``json.loads(json.dumps(outcome.state))`` (the ``step``/``drive``
fixtures do that), and the side effects are a real ``OperatorRegistry`` holding
recording stand-ins for ``discipline_record``, ``staff_suspend`` and ``case_open``.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from processes import catalog, engine
from processes.errors import InvalidTaskData

ART = re.compile(r"Art\. \d+")
DISCIPLINE_DIR = Path(__file__).resolve().parents[2] / "bpmn" / "discipline"
BREACH_FIELDS = (
    "breach_impersonation",
    "breach_refusal_of_duty",
    "breach_record_tampering",
    "breach_secret_disclosure",
    "breach_corruption",
    "breach_fraud",
    "breach_public_interest",
    "breach_misconduct",
    "breach_business_activity",
    "breach_drinking",
    "breach_other",
)
NUMERALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一")


@pytest.fixture(scope="module")
def discipline():
    return catalog.load_directory(DISCIPLINE_DIR)


@pytest.fixture
def ops(recorder):
    recorder.add("discipline_record", {"discipline": 31})
    recorder.add("staff_suspend", {"state": "suspended"})
    recorder.add("case_open", {"business_key": "JP-2025-0042"})
    return recorder


def calls(recorder, name: str) -> list[dict[str, Any]]:
    return [params for called, params, _ in recorder.calls if called == name]


def ran(outcome) -> list[str]:
    return [record.bpmn_id for record in outcome.ran]


def staff(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "staff_name": "张建国",
        "staff_state": "on_duty",
        "agency_name": "六安市市场监督管理局",
        "employment_mode": "dispatch",
        "post": "市场巡查辅助岗",
    }
    data.update(overrides)
    return data


REPORT = {"report_source": "inspection", "report_summary": "2025年5月执法检查发现其酒后上岗"}
FINDINGS = "经调取执勤记录和询问当事人，查明其2025年5月12日午间饮酒后参与巡查"


def findings(*items: int, text: str = FINDINGS) -> dict[str, Any]:
    data: dict[str, Any] = {name: False for name in BREACH_FIELDS}
    for item in items:
        data[BREACH_FIELDS[item - 1]] = True
    data["investigation_findings"] = text
    return data


LAWFUL = {"legal_opinion": "lawful"}


def decision(code: str, reason: str = "情节较重，当事人拒不认错") -> dict[str, Any]:
    return {"discipline_decision": code, "discipline_reason": reason}


def to_decide(*items: int) -> list[tuple[str, dict[str, Any]]]:
    return [
        ("record_report", REPORT),
        ("investigate", findings(*(items or (10,)))),
        ("legal_review", LAWFUL),
    ]


def to_notify(code: str, *items: int) -> list[tuple[str, dict[str, Any]]]:
    return [*to_decide(*items), ("decide", decision(code))]


NOTIFIED = {"member_notified_on": "2025-06-03", "notification_notes": "当面送达，本人签收"}


# --------------------------------------------------------------- report (Art. 18)


def test_it_offers_a_report_source_preset_by_the_complaint_case(discipline, ops, roundtrip):
    start = staff(report_source="complaint", complaint_key="TS20250601A1B2C3")
    outcome = engine.start(discipline, start, operators=ops.registry)

    (task,) = outcome.human_tasks
    assert task.bpmn_id == "record_report"
    seen = engine.human_task_data(discipline, roundtrip(outcome.state), task.id)
    assert seen["report_source"] == "complaint"
    assert seen["complaint_key"] == "TS20250601A1B2C3"
    assert ops.calls == []


def test_it_refuses_a_report_without_source_or_summary(discipline, ops, drive, roundtrip, task_in):
    outcome = drive(discipline, staff(), operators=ops.registry)
    state = roundtrip(outcome.state)
    kept = copy.deepcopy(state)
    task = task_in(discipline, state, "record_report")

    for data, field in (
        ({"report_summary": "线索"}, "report_source"),
        ({"report_source": "rumour", "report_summary": "线索"}, "report_source"),
        ({"report_source": "inspection", "report_summary": " "}, "report_summary"),
    ):
        with pytest.raises(InvalidTaskData) as refused:
            engine.complete_task(discipline, state, task.id, data, operators=ops.registry)
        assert list(refused.value.errors) == [field]
        assert state == kept


# ---------------------------------------------------------- investigation (Art. 15)


def test_it_closes_the_case_when_no_art_15_item_is_found(discipline, ops, drive):
    steps = [
        ("record_report", REPORT),
        ("investigate", findings(text="经核查当日其未饮酒，举报不实")),
    ]

    outcome = drive(discipline, staff(), steps, operators=ops.registry)

    assert outcome.completed
    assert ran(outcome) == [
        "list_breaches",
        "gateway_breach",
        "record_no_breach",
        "no_breach_end",
    ]
    assert ops.only("discipline_record") == {
        "breaches": [],
        "decision": "no_breach",
        "reason": "经调查，未发现《办法》第十五条（Art. 15）所列禁止性行为："
        "经核查当日其未饮酒，举报不实",
    }
    assert outcome.data["breaches"] == []
    assert outcome.data["breach_citation"] == ""
    assert outcome.data["discipline_result"] == {"discipline": 31}


@pytest.mark.parametrize(
    ("items", "citation"),
    [
        ((10,), "《办法》第十五条第（十）项（Art. 15(10)）"),
        ((5, 8), "《办法》第十五条第（五）项、第（八）项（Art. 15(5)(8)）"),
        (tuple(range(1, 12)), None),
    ],
)
def test_it_lists_the_breached_items_and_sends_them_to_legal_review(
    discipline, ops, drive, items, citation
):
    steps = [("record_report", REPORT), ("investigate", findings(*items))]

    outcome = drive(discipline, staff(), steps, operators=ops.registry)

    (task,) = outcome.human_tasks
    assert task.bpmn_id == "legal_review"
    assert task.lane == "legal_reviewer"
    assert outcome.data["breaches"] == list(items)
    expected = citation or (
        "《办法》第十五条"
        + "、".join(f"第（{numeral}）项" for numeral in NUMERALS)
        + "（Art. 15(1)(2)(3)(4)(5)(6)(7)(8)(9)(10)(11)）"
    )
    assert outcome.data["breach_citation"] == expected
    assert "item" not in outcome.data and "found" not in outcome.data  # no helpers left behind
    assert ops.calls == []


def test_it_requires_every_art_15_item_and_the_findings(discipline, ops, drive, roundtrip, task_in):
    outcome = drive(discipline, staff(), [("record_report", REPORT)], operators=ops.registry)
    state = roundtrip(outcome.state)
    kept = copy.deepcopy(state)
    task = task_in(discipline, state, "investigate")

    incomplete = findings(10)
    del incomplete["breach_drinking"]
    for data, field in (
        (incomplete, "breach_drinking"),
        (findings(10, text=""), "investigation_findings"),
        (dict(findings(10), breaches=[1]), "__all__"),
    ):
        with pytest.raises(InvalidTaskData) as refused:
            engine.complete_task(discipline, state, task.id, data, operators=ops.registry)
        assert list(refused.value.errors) == [field]
        assert state == kept


# ------------------------------------------------------------ legal review (Art. 23)


def test_it_sends_the_case_back_to_investigation_when_legal_review_objects(
    discipline, ops, drive, step, roundtrip, task_in
):
    outcome = drive(discipline, staff(), to_decide(10)[:2], operators=ops.registry)
    state = roundtrip(outcome.state)
    task = task_in(discipline, state, "legal_review")
    with pytest.raises(InvalidTaskData) as refused:
        engine.complete_task(
            discipline, state, task.id, {"legal_opinion": "unlawful"}, operators=ops.registry
        )
    assert list(refused.value.errors) == ["legal_notes"]

    objection = {"legal_opinion": "unlawful", "legal_notes": "缺少酒精检测记录，证据不足"}
    outcome = step(discipline, outcome, "legal_review", objection, operators=ops.registry)

    assert [task.bpmn_id for task in outcome.human_tasks] == ["investigate"]
    assert ran(outcome) == ["gateway_legal"]
    assert outcome.data["legal_notes"] == "缺少酒精检测记录，证据不足"
    assert ops.calls == []

    # Further investigation finds more; the reviewer sees the new list.
    outcome = step(discipline, outcome, "investigate", findings(8, 10), operators=ops.registry)
    assert [task.bpmn_id for task in outcome.human_tasks] == ["legal_review"]
    assert outcome.data["breaches"] == [8, 10]

    outcome = step(discipline, outcome, "legal_review", LAWFUL, operators=ops.registry)
    assert [task.bpmn_id for task in outcome.human_tasks] == ["decide"]


def test_it_closes_as_no_breach_when_the_second_investigation_finds_nothing(discipline, ops, drive):
    steps = [
        *to_decide(10)[:2],
        ("legal_review", {"legal_opinion": "unlawful", "legal_notes": "证据不足"}),
        ("investigate", findings(text="补充调查未能证实饮酒")),
    ]

    outcome = drive(discipline, staff(), steps, operators=ops.registry)

    assert outcome.completed
    assert ran(outcome)[-1] == "no_breach_end"
    assert ops.only("discipline_record")["decision"] == "no_breach"


# ------------------------------------------------------------- decision (Art. 23)


def test_it_refuses_a_decision_without_reason(discipline, ops, drive, roundtrip, task_in):
    outcome = drive(discipline, staff(), to_decide(10), operators=ops.registry)
    state = roundtrip(outcome.state)
    kept = copy.deepcopy(state)
    task = task_in(discipline, state, "decide")

    for data, field in (
        ({"discipline_decision": "criticism"}, "discipline_reason"),
        (decision("criticism", "  "), "discipline_reason"),
        (decision("warning"), "discipline_decision"),
    ):
        with pytest.raises(InvalidTaskData) as refused:
            engine.complete_task(discipline, state, task.id, data, operators=ops.registry)
        assert list(refused.value.errors) == [field]
        assert state == kept
    assert ops.calls == []


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("criticism", "批评教育、责令改正"),
        ("termination", "解除劳动合同、收回辅助行政执法证件"),
        ("judicial", "移送司法机关依法追究刑事责任"),
    ],
)
def test_it_records_the_decision_with_items_and_reason_then_asks_for_service(
    discipline, ops, drive, code, label
):
    outcome = drive(discipline, staff(), to_notify(code, 5, 8), operators=ops.registry)

    (task,) = outcome.human_tasks
    assert task.bpmn_id == "notify_member"
    assert ops.only("discipline_record") == {
        "breaches": [5, 8],
        "decision": code,
        "reason": "违反《办法》第十五条第（五）项、第（八）项（Art. 15(5)(8)）；处理决定："
        f"{label}（《办法》第二十三条，Art. 23）：情节较重，当事人拒不认错",
    }
    assert ran(outcome) == ["record_decision"]


def test_it_ends_with_criticism_without_changing_the_member(discipline, ops, drive):
    steps = [*to_notify("criticism"), ("notify_member", NOTIFIED)]

    outcome = drive(discipline, staff(), steps, operators=ops.registry)

    assert outcome.completed
    assert ran(outcome) == ["gateway_severe", "criticism_end"]
    assert ops.names() == ["discipline_record"]


def test_it_suspends_and_opens_a_separation_case_on_termination(discipline, ops, drive):
    steps = [*to_notify("termination"), ("notify_member", NOTIFIED)]

    outcome = drive(discipline, staff(), steps, operators=ops.registry)

    assert outcome.completed
    assert ops.names() == ["discipline_record", "staff_suspend", "case_open"]
    (suspend,) = calls(ops, "staff_suspend")
    assert suspend == {
        "reason": "违纪处理决定解除劳动合同，停岗待解聘（《办法》第二十三条，Art. 23）"
    }
    (opened,) = calls(ops, "case_open")
    assert opened["process"] == "separation"
    assert "Art. 23" in opened["reason"] and "第二十三条" in opened["reason"]
    assert opened["data"] == {
        "separation_reason": "discipline",
        "separation_details": "情节较重，当事人拒不认错",
    }
    assert outcome.data["open_result"] == {"business_key": "JP-2025-0042"}
    assert outcome.data["suspend_result"] == {"state": "suspended"}
    assert ran(outcome) == [
        "gateway_severe",
        "gateway_suspended",
        "suspend_staff",
        "join_suspended",
        "gateway_termination",
        "open_separation",
        "terminated_end",
    ]


def test_it_does_not_suspend_a_member_who_is_already_suspended(discipline, ops, drive):
    steps = [*to_notify("termination"), ("notify_member", NOTIFIED)]

    outcome = drive(discipline, staff(staff_state="suspended"), steps, operators=ops.registry)

    assert outcome.completed
    assert ops.names() == ["discipline_record", "case_open"]
    assert "suspend_staff" not in ran(outcome)
    assert ran(outcome)[-1] == "terminated_end"


@pytest.mark.parametrize(("state", "suspended"), [("on_duty", True), ("suspended", False)])
def test_it_suspends_and_ends_on_a_judicial_referral(discipline, ops, drive, state, suspended):
    steps = [*to_notify("judicial"), ("notify_member", NOTIFIED)]

    outcome = drive(discipline, staff(staff_state=state), steps, operators=ops.registry)

    assert outcome.completed
    assert ran(outcome)[-2:] == ["gateway_termination", "judicial_end"]
    assert calls(ops, "case_open") == []
    expected = [{"reason": "违纪涉嫌犯罪移送司法机关，停岗（《办法》第二十三条，Art. 23）"}]
    assert calls(ops, "staff_suspend") == (expected if suspended else [])


def test_it_refuses_a_notification_without_a_valid_date(discipline, ops, drive, roundtrip, task_in):
    outcome = drive(discipline, staff(), to_notify("criticism"), operators=ops.registry)
    state = roundtrip(outcome.state)
    task = task_in(discipline, state, "notify_member")

    for data in ({}, {"member_notified_on": "2025-13-01"}):
        with pytest.raises(InvalidTaskData) as refused:
            engine.complete_task(discipline, state, task.id, data, operators=ops.registry)
        assert list(refused.value.errors) == ["member_notified_on"]


# ------------------------------------------------------------------ human tasks


@pytest.mark.parametrize(
    ("bpmn_id", "lane", "form_name", "due_in", "steps"),
    [
        ("record_report", "hr_officer", "report.json", "P3D", []),
        ("investigate", "hr_officer", "investigation.json", "P15D", to_decide()[:1]),
        ("legal_review", "legal_reviewer", "legal_review.json", "P5D", to_decide()[:2]),
        ("decide", "approver", "decision.json", "P5D", to_decide()),
        ("notify_member", "hr_officer", "notification.json", "P5D", to_notify("criticism")),
    ],
)
def test_it_hands_out_each_human_task_with_lane_form_deadline_and_citation(
    discipline, ops, drive, bpmn_id, lane, form_name, due_in, steps
):
    outcome = drive(discipline, staff(), steps, operators=ops.registry)

    (task,) = outcome.human_tasks
    assert task.bpmn_id == bpmn_id
    assert task.lane == lane
    assert task.form_name == form_name
    assert task.form == discipline.forms[form_name]
    assert task.form["additionalProperties"] is False
    assert task.due_in == due_in
    assert ART.search(task.documentation)
    assert task.name and not task.name.isascii()


def test_it_labels_each_art_15_item_with_the_text_of_the_regulation(discipline):
    properties = discipline.forms["investigation.json"]["properties"]
    for number, (name, numeral) in enumerate(zip(BREACH_FIELDS, NUMERALS, strict=True), 1):
        assert properties[name]["type"] == "boolean"
        assert properties[name]["title"].startswith(f"第（{numeral}）项：")
        assert f"Art. 15({number})" in properties[name]["description"]
    assert "饮酒" in properties["breach_drinking"]["title"]
