"""Every branch of bpmn/complaint (投诉举报, Art. 18), driven through processes.engine.

Each step starts from ``json.loads(json.dumps(outcome.state))`` (the ``step``/``drive``
fixtures do that), and the side effects are a real ``OperatorRegistry`` holding
recording stand-ins for ``complaint_record``, ``notify`` and ``case_open``. The reply
deadline is a non-interrupting boundary timer: ``time_machine`` moves the clock and
``engine.advance`` fires it, as the scheduler does.
"""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine

from processes import catalog, engine
from processes.errors import InvalidTaskData

ART = re.compile(r"Art\. \d+")
COMPLAINT_DIR = Path(__file__).resolve().parents[2] / "bpmn" / "complaint"
T0 = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
RECEIPT = "TS20250602A1B2C3"


@pytest.fixture(scope="module")
def complaint():
    return catalog.load_directory(COMPLAINT_DIR)


@pytest.fixture
def ops(recorder):
    recorder.add("complaint_record", {"complaint": 7})
    recorder.add("notify", {"sent": True})
    recorder.add("case_open", {"business_key": "WJ-2025-0007"})
    return recorder


def calls(recorder, name: str) -> list[dict[str, Any]]:
    return [params for called, params, _ in recorder.calls if called == name]


def ran(outcome) -> list[str]:
    return [record.bpmn_id for record in outcome.ran]


def ready(outcome) -> list[str]:
    return sorted(task.bpmn_id for task in outcome.human_tasks)


def submitted(**overrides: Any) -> dict[str, Any]:
    """Start data of a complaint submitted by the public (webapp complaint_open)."""
    data: dict[str, Any] = {
        "complainant_name": "陈女士",
        "complainant_contact": "13955550123",
        "complaint_text": "6月1日在人民路，一名穿执法辅助人员制服的人员辱骂摊主",
        "receipt_number": RECEIPT,
        "agency_name": "六安市城市管理行政执法局",
    }
    data.update(overrides)
    return data


def about_staff(**overrides: Any) -> dict[str, Any]:
    """A complaint naming a member of the agency (staff start data included)."""
    data: dict[str, Any] = {
        "staff_known": True,
        "staff_name": "王小军",
        "staff_state": "on_duty",
        "employment_mode": "unit",
        "post": "城市管理执法辅助岗",
    }
    data.update(overrides)
    return submitted(**data)


ACCEPT = {"triage_decision": "accept"}
REPLY = {"complaint_reply": "经调查，您反映的情况属实，我局已对该辅助人员启动违纪处理程序。"}


def found(substantiated: bool) -> dict[str, Any]:
    return {"complaint_findings": "调取执法记录仪视频核实", "substantiated": substantiated}


def to_reply(substantiated: bool = True) -> list[tuple[str, dict[str, Any]]]:
    return [("triage", ACCEPT), ("investigate_complaint", found(substantiated))]


# ------------------------------------------------------------------ triage (Art. 18)


def test_it_refuses_an_out_of_scope_decision_without_reason(
    complaint, ops, drive, roundtrip, task_in
):
    outcome = drive(complaint, submitted(), operators=ops.registry)
    state = roundtrip(outcome.state)
    kept = copy.deepcopy(state)
    task = task_in(complaint, state, "triage")

    for data, field in (
        ({"triage_decision": "reject_out_of_scope"}, "triage_reason"),
        ({"triage_decision": "reject_out_of_scope", "triage_reason": "  "}, "triage_reason"),
        ({"triage_decision": "maybe"}, "triage_decision"),
    ):
        with pytest.raises(InvalidTaskData) as refused:
            engine.complete_task(complaint, state, task.id, data, operators=ops.registry)
        assert list(refused.value.errors) == [field]
        assert state == kept
    assert ops.calls == []


def test_it_records_and_tells_the_complainant_when_out_of_scope(complaint, ops, drive):
    rejected = {
        "triage_decision": "reject_out_of_scope",
        "triage_reason": "反映的是公安交警协管员，请向市公安局交警支队反映",
    }

    outcome = drive(complaint, submitted(), [("triage", rejected)], operators=ops.registry)

    assert outcome.completed
    assert ran(outcome) == [
        "gateway_triage",
        "record_out_of_scope",
        "notify_out_of_scope",
        "out_of_scope_end",
    ]
    assert ops.names() == ["complaint_record", "notify"]
    (record,) = calls(ops, "complaint_record")
    assert record["substantiated"] is False
    assert RECEIPT in record["reply"]
    assert "第十八条" in record["reply"] and "Art. 18" in record["reply"]
    assert record["reply"].endswith("：反映的是公安交警协管员，请向市公安局交警支队反映")
    (notice,) = calls(ops, "notify")
    assert notice == {
        "to": "complainant",
        "subject": f"投诉举报不予受理告知（受理号{RECEIPT}）",
        "body": record["reply"],
    }
    assert "investigate_complaint" not in ran(outcome)


# ------------------------------------------------------------ investigation and reply


@pytest.mark.parametrize(
    ("start", "substantiated"),
    [
        pytest.param(about_staff(), False, id="not-substantiated"),
        pytest.param(submitted(), True, id="substantiated-staff-not-given"),
        pytest.param(submitted(staff_known=False), True, id="substantiated-staff-unknown"),
        pytest.param(
            about_staff(staff_state="separated"), True, id="substantiated-staff-already-left"
        ),
    ],
)
def test_it_replies_and_closes_without_a_discipline_case(
    complaint, ops, drive, start, substantiated
):
    steps = [*to_reply(substantiated), ("reply_complainant", REPLY)]

    outcome = drive(complaint, start, steps, operators=ops.registry)

    assert outcome.completed
    assert outcome.wake_at is None
    assert ops.names() == ["complaint_record", "notify"]
    assert calls(ops, "complaint_record") == [
        {"substantiated": substantiated, "reply": REPLY["complaint_reply"]}
    ]
    assert calls(ops, "notify") == [
        {
            "to": "complainant",
            "subject": f"投诉举报处理结果答复（受理号{RECEIPT}）",
            "body": REPLY["complaint_reply"],
        }
    ]
    assert ran(outcome) == [
        "record_complaint",
        "notify_complainant",
        "gateway_open_discipline",
        "replied_end",
    ]
    assert outcome.data["staff_known"] is (start.get("staff_known") is True)


@pytest.mark.parametrize("staff_state", ["on_duty", "suspended"])
def test_it_opens_a_discipline_case_for_a_substantiated_complaint_about_known_staff(
    complaint, ops, drive, staff_state
):
    steps = [*to_reply(True), ("reply_complainant", REPLY)]

    outcome = drive(complaint, about_staff(staff_state=staff_state), steps, operators=ops.registry)

    assert outcome.completed
    assert ops.names() == ["complaint_record", "notify", "case_open"]
    (opened,) = calls(ops, "case_open")
    assert opened["process"] == "discipline"
    assert opened["data"] == {"report_source": "complaint", "complaint_key": RECEIPT}
    assert RECEIPT in opened["reason"]
    assert "Art. 18" in opened["reason"] and "Art. 23" in opened["reason"]
    assert outcome.data["open_result"] == {"business_key": "WJ-2025-0007"}
    assert ran(outcome)[-2:] == ["open_discipline", "discipline_opened_end"]
    call = ops.calls[-1][2]
    assert call.task_bpmn_id == "open_discipline"
    assert "Art. 23" in call.documentation


def test_it_refuses_an_investigation_or_reply_that_is_incomplete(
    complaint, ops, drive, roundtrip, task_in
):
    outcome = drive(complaint, about_staff(), [("triage", ACCEPT)], operators=ops.registry)
    state = roundtrip(outcome.state)
    task = task_in(complaint, state, "investigate_complaint")
    for data, field in (
        ({"complaint_findings": "核实"}, "substantiated"),
        ({"complaint_findings": "", "substantiated": True}, "complaint_findings"),
        ({"complaint_findings": "核实", "substantiated": "yes"}, "substantiated"),
    ):
        with pytest.raises(InvalidTaskData) as refused:
            engine.complete_task(complaint, state, task.id, data, operators=ops.registry)
        assert list(refused.value.errors) == [field]

    outcome = drive(complaint, about_staff(), to_reply(), operators=ops.registry)
    state = roundtrip(outcome.state)
    task = task_in(complaint, state, "reply_complainant")
    for data in ({}, {"complaint_reply": " "}):
        with pytest.raises(InvalidTaskData) as refused:
            engine.complete_task(complaint, state, task.id, data, operators=ops.registry)
        assert list(refused.value.errors) == ["complaint_reply"]
    assert ops.calls == []


# ------------------------------------------------------- reply deadline (timer)


def test_it_escalates_an_overdue_reply_to_the_approver_and_keeps_the_reply_open(
    complaint, ops, drive, step, roundtrip, ready_ids
):
    with time_machine.travel(T0, tick=False) as clock:
        outcome = drive(complaint, about_staff(), to_reply(), operators=ops.registry)

        assert ready(outcome) == ["reply_complainant"]
        assert outcome.data["reply_deadline"] == "P15D"
        assert outcome.wake_at == T0 + timedelta(days=15)

        clock.move_to(T0 + timedelta(days=14, hours=23))
        state = roundtrip(outcome.state)
        early = engine.advance(complaint, state, operators=ops.registry)
        assert ready(early) == ["reply_complainant"]
        assert early.ran == ()
        assert early.state == state

        clock.move_to(T0 + timedelta(days=15, seconds=1))
        late = engine.advance(complaint, roundtrip(early.state), operators=ops.registry)

    assert ready(late) == ["escalated_reply", "reply_complainant"]
    assert ready_ids(complaint, roundtrip(late.state)) == ["escalated_reply", "reply_complainant"]
    assert ran(late) == ["reply_overdue"]
    assert late.wake_at is None  # a duration timer fires once
    assert not late.completed
    escalated = next(t for t in late.human_tasks if t.bpmn_id == "escalated_reply")
    assert escalated.lane == "approver"
    assert escalated.form_name == "escalation.json"
    assert "Art. 18" in escalated.documentation
    assert ops.calls == []

    instruction = {"escalation_instruction": "限6月20日前答复投诉人，由执法一科负责"}
    outcome = step(complaint, late, "escalated_reply", instruction, operators=ops.registry)

    assert ready(outcome) == ["reply_complainant"]  # the reply is still due
    assert not outcome.completed
    assert calls(ops, "notify") == [
        {
            "to": "agency",
            "subject": f"投诉举报答复逾期督办（受理号{RECEIPT}）",
            "body": "限6月20日前答复投诉人，由执法一科负责",
        }
    ]
    assert ran(outcome) == ["notify_escalation", "escalated_end"]

    outcome = step(complaint, outcome, "reply_complainant", REPLY, operators=ops.registry)

    assert outcome.completed
    assert ops.names() == ["notify", "complaint_record", "notify", "case_open"]
    assert outcome.data["escalation_instruction"] == instruction["escalation_instruction"]
    assert outcome.data["complaint_reply"] == REPLY["complaint_reply"]


def test_it_waits_for_the_escalation_when_the_late_reply_comes_first(
    complaint, ops, drive, step, roundtrip
):
    with time_machine.travel(T0, tick=False) as clock:
        outcome = drive(complaint, submitted(), to_reply(False), operators=ops.registry)
        clock.move_to(T0 + timedelta(days=16))
        outcome = engine.advance(complaint, roundtrip(outcome.state), operators=ops.registry)

    outcome = step(complaint, outcome, "reply_complainant", REPLY, operators=ops.registry)

    assert ready(outcome) == ["escalated_reply"]
    assert not outcome.completed
    assert ops.names() == ["complaint_record", "notify"]
    assert "replied_end" in ran(outcome)

    outcome = step(
        complaint,
        outcome,
        "escalated_reply",
        {"escalation_instruction": "已逾期答复，责成说明原因"},
        operators=ops.registry,
    )

    assert outcome.completed
    assert ops.names() == ["complaint_record", "notify", "notify"]


def test_it_cancels_the_deadline_when_the_reply_is_in_time(complaint, ops, drive, step):
    with time_machine.travel(T0, tick=False) as clock:
        outcome = drive(complaint, about_staff(), to_reply(False), operators=ops.registry)
        clock.move_to(T0 + timedelta(days=3))
        outcome = step(complaint, outcome, "reply_complainant", REPLY, operators=ops.registry)

    assert outcome.completed
    assert outcome.wake_at is None
    assert "escalated_reply" not in ran(outcome)
    assert "notify_escalation" not in ran(outcome)


def test_it_takes_a_reply_deadline_preset_in_the_case_data(complaint, ops, drive):
    with time_machine.travel(T0, tick=False):
        outcome = drive(
            complaint, about_staff(reply_deadline="P7D"), to_reply(), operators=ops.registry
        )

    assert outcome.data["reply_deadline"] == "P7D"
    assert outcome.wake_at == T0 + timedelta(days=7)


def test_it_uses_a_non_interrupting_boundary_timer_citing_art_18(complaint):
    timer = complaint.tasks["reply_overdue"]
    assert timer.kind == "BoundaryEvent"
    assert timer.lane == "hr_officer"
    assert "Art. 18" in timer.documentation
    spec = complaint.spec.task_specs["reply_overdue"]
    assert spec.cancel_activity is False
    assert spec.event_definition.expression == "reply_deadline"


# ------------------------------------------------------------------ human tasks


@pytest.mark.parametrize(
    ("bpmn_id", "lane", "form_name", "due_in", "steps"),
    [
        ("triage", "hr_officer", "triage.json", "P3D", []),
        ("investigate_complaint", "hr_officer", "investigation.json", "P10D", to_reply()[:1]),
        ("reply_complainant", "hr_officer", "reply.json", "P15D", to_reply()),
    ],
)
def test_it_hands_out_each_human_task_with_lane_form_deadline_and_citation(
    complaint, ops, drive, bpmn_id, lane, form_name, due_in, steps
):
    outcome = drive(complaint, submitted(), steps, operators=ops.registry)

    (task,) = outcome.human_tasks
    assert task.bpmn_id == bpmn_id
    assert task.lane == lane
    assert task.form_name == form_name
    assert task.form == complaint.forms[form_name]
    assert task.form["additionalProperties"] is False
    assert task.due_in == due_in
    assert ART.search(task.documentation)
    assert task.name and not task.name.isascii()


def test_it_hands_the_escalation_to_the_approver_with_its_form(complaint, ops, drive, roundtrip):
    with time_machine.travel(T0, tick=False) as clock:
        outcome = drive(complaint, submitted(), to_reply(), operators=ops.registry)
        clock.move_to(outcome.wake_at + timedelta(seconds=1))
        outcome = engine.advance(complaint, roundtrip(outcome.state), operators=ops.registry)

    task = next(t for t in outcome.human_tasks if t.bpmn_id == "escalated_reply")
    assert task.lane == "approver"
    assert task.form == complaint.forms["escalation.json"]
    assert task.form["additionalProperties"] is False
    assert task.due_in == "P3D"
    assert ART.search(task.documentation)
    assert task.name == "督办答复"
