"""Every branch of bpmn/liability, driven through processes.engine (docs/processes/liability.md).

Each step starts from ``json.loads(json.dumps(outcome.state))`` (the ``step``/``drive``
fixtures do that), and the only side effect, ``liability_record``, is a recording
stand-in in a real ``OperatorRegistry``.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from processes import catalog, engine
from processes.definition import ProcessDefinition
from processes.errors import InvalidTaskData, ScriptFailed

from .conftest import Recorder

LIABILITY_DIR = Path(__file__).resolve().parents[2] / "bpmn" / "liability"
ART = re.compile(r"Art\. \d+")


@pytest.fixture(scope="module")
def liability() -> ProcessDefinition:
    return catalog.load_directory(LIABILITY_DIR)


@pytest.fixture
def liability_recorder() -> Recorder:
    recorder = Recorder()
    recorder.add("liability_record", {"liability": 12})
    return recorder


def subject(employment_mode: str = "unit") -> dict[str, Any]:
    return {
        "staff_name": "张伟",
        "staff_state": "on_duty",
        "agency_name": "六安市城市管理局",
        "employment_mode": employment_mode,
    }


INCIDENT = {
    "incident_date": "2025-03-18",
    "incident_description": "协助清理占道经营时损坏当事人摊位设备",
    "damage_amount": 8000,
}
COMPENSATION = {"compensation_amount": 6000, "compensation_reason": "按评估价赔偿摊位设备损失"}


def fault(level: str) -> dict[str, Any]:
    return {"staff_fault": level, "fault_opinion": "经调查核实，认定过错程度如上"}


def to_compensation() -> list[tuple[str, dict[str, Any]]]:
    return [("record_incident", INCIDENT), ("decide_compensation", COMPENSATION)]


def to_recourse(level: str = "gross_negligence") -> list[tuple[str, dict[str, Any]]]:
    return [*to_compensation(), ("assess_fault", fault(level))]


def assert_recorded(outcome, recorder: Recorder, via: str) -> dict[str, Any]:
    """The case ended at liability_recorded_end through ``via``; returns the record's params."""
    assert outcome.completed
    assert outcome.human_tasks == ()
    ran = [record.bpmn_id for record in outcome.ran]
    assert ran[-3:] == [via, "record_liability", "liability_recorded_end"]
    params = recorder.only("liability_record")
    assert set(params) == {
        "compensation",
        "dispatch_share",
        "recourse",
        "recourse_amount",
        "reason",
    }
    assert outcome.data["liability_result"] == {"liability": 12}
    call = recorder.calls[0][2]
    assert call.task_bpmn_id == "record_liability"
    assert "Art. 24" in call.documentation
    assert "Art. 24" in params["reason"]
    assert COMPENSATION["compensation_reason"] in params["reason"]
    return params


# ------------------------------------------------------- no recourse (Art. 24)


@pytest.mark.parametrize(("level", "label"), [("none", "无过错"), ("ordinary", "一般过失")])
def test_it_records_compensation_without_recourse_when_there_is_no_gross_fault(
    liability, liability_recorder, drive, level, label
):
    outcome = drive(liability, subject(), to_recourse(level), operators=liability_recorder.registry)

    params = assert_recorded(outcome, liability_recorder, "set_no_recourse")
    assert params == {
        "compensation": 6000,
        "dispatch_share": 0,
        "recourse": False,
        "recourse_amount": 0,
        "reason": params["reason"],
    }
    assert label in params["reason"] and "不予追偿" in params["reason"]
    ran = [record.bpmn_id for record in outcome.ran]
    assert "decide_recourse" not in ran
    assert "dispatch_company_at_fault" not in outcome.data  # unit: no dispatch company


def test_it_skips_the_dispatch_company_for_unit_employment(liability, liability_recorder, drive):
    outcome = drive(liability, subject("unit"), to_compensation())

    assert [task.bpmn_id for task in outcome.human_tasks] == ["assess_fault"]
    assert outcome.human_tasks[0].lane == "legal_reviewer"
    assert [record.bpmn_id for record in outcome.ran] == ["gateway_dispatch"]
    assert "dispatch_share_amount" not in outcome.data


def test_it_treats_an_unknown_employment_mode_as_the_agency_alone(
    liability, liability_recorder, drive
):
    outcome = drive(
        liability, subject("contract"), to_recourse("none"), operators=liability_recorder.registry
    )

    assert assert_recorded(outcome, liability_recorder, "set_no_recourse")["dispatch_share"] == 0


# ------------------------------------------------------ recourse (Art. 24)


@pytest.mark.parametrize(
    ("level", "label", "amount"),
    [
        pytest.param("gross_negligence", "重大过失", 2000, id="gross-negligence"),
        pytest.param("intentional", "故意", 6000, id="intentional-whole-compensation"),
    ],
)
def test_it_records_recourse_up_to_the_compensation_for_gross_fault(
    liability, liability_recorder, drive, level, label, amount
):
    steps = [
        *to_recourse(level),
        (
            "decide_recourse",
            {"recourse": True, "recourse_amount": amount, "recourse_reason": "未按规程操作"},
        ),
    ]

    outcome = drive(liability, subject(), steps, operators=liability_recorder.registry)

    params = assert_recorded(outcome, liability_recorder, "check_recourse")
    assert params["compensation"] == 6000
    assert params["dispatch_share"] == 0
    assert params["recourse"] is True
    assert params["recourse_amount"] == amount
    assert f"存在{label}" in params["reason"]
    assert f"追偿{amount}元" in params["reason"]
    assert params["reason"].endswith("：未按规程操作")


@pytest.mark.parametrize("level", ["gross_negligence", "intentional"])
def test_it_asks_the_approver_whether_to_seek_recourse_for_gross_fault(
    liability, liability_recorder, drive, level
):
    outcome = drive(liability, subject(), to_recourse(level), operators=liability_recorder.registry)

    (task,) = outcome.human_tasks
    assert task.bpmn_id == "decide_recourse"
    assert task.lane == "approver"
    assert liability_recorder.calls == []


def test_it_records_no_recourse_when_the_approver_waives_it(liability, liability_recorder, drive):
    steps = [
        *to_recourse("intentional"),
        (
            "decide_recourse",
            {"recourse": False, "recourse_amount": 500, "recourse_reason": "当事人已谅解"},
        ),
    ]

    outcome = drive(liability, subject(), steps, operators=liability_recorder.registry)

    params = assert_recorded(outcome, liability_recorder, "check_recourse")
    assert params["recourse"] is False
    assert params["recourse_amount"] == 0  # an amount sent with "no recourse" is not kept
    assert "不予追偿：当事人已谅解" in params["reason"]


def test_it_refuses_recourse_beyond_the_compensation_citing_art_24(
    liability, liability_recorder, drive, roundtrip, task_in
):
    outcome = drive(liability, subject(), to_recourse(), operators=liability_recorder.registry)
    state = roundtrip(outcome.state)
    kept = copy.deepcopy(state)
    task = task_in(liability, state, "decide_recourse")
    data = {"recourse": True, "recourse_amount": 6000.01, "recourse_reason": "全额追偿"}

    with pytest.raises(ScriptFailed) as refused:
        engine.complete_task(liability, state, task.id, data, operators=liability_recorder.registry)

    message = str(refused.value)
    assert "Art. 24" in message and "第二十四条" in message
    assert "追偿金额6000.01元超过机关赔偿金额6000元" in message
    assert state == kept
    assert task_in(liability, state, "decide_recourse").id == task.id
    assert liability_recorder.calls == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        pytest.param(
            {"recourse": True, "recourse_reason": "追偿"}, "recourse_amount", id="no-amount"
        ),
        pytest.param(
            {"recourse": True, "recourse_amount": 0, "recourse_reason": "追偿"},
            "recourse_amount",
            id="zero-amount",
        ),
        pytest.param({"recourse": False}, "recourse_reason", id="no-reason"),
    ],
)
def test_it_refuses_an_incomplete_recourse_decision(
    liability, liability_recorder, drive, roundtrip, task_in, data, field
):
    outcome = drive(liability, subject(), to_recourse(), operators=liability_recorder.registry)
    state = roundtrip(outcome.state)
    task = task_in(liability, state, "decide_recourse")

    with pytest.raises(InvalidTaskData) as refused:
        engine.complete_task(liability, state, task.id, data, operators=liability_recorder.registry)

    assert list(refused.value.errors) == [field]


# ------------------------------------------------- dispatch company (Art. 24)


@pytest.mark.parametrize(
    ("assessment", "share"),
    [
        pytest.param(
            {"dispatch_company_at_fault": True, "dispatch_share_amount": 1500}, 1500, id="at-fault"
        ),
        pytest.param(
            {"dispatch_company_at_fault": True, "dispatch_share_amount": 6000},
            6000,
            id="at-fault-whole-compensation",
        ),
        pytest.param({"dispatch_company_at_fault": False}, 0, id="not-at-fault"),
        pytest.param(
            {"dispatch_company_at_fault": False, "dispatch_share_amount": 900},
            0,
            id="not-at-fault-ignores-amount",
        ),
    ],
)
def test_it_records_the_dispatch_company_share_only_when_it_is_at_fault(
    liability, liability_recorder, drive, assessment, share
):
    steps = [
        *to_compensation(),
        ("assess_dispatch_fault", assessment),
        ("assess_fault", fault("none")),
    ]

    outcome = drive(liability, subject("dispatch"), steps, operators=liability_recorder.registry)

    params = assert_recorded(outcome, liability_recorder, "set_no_recourse")
    assert params["dispatch_share"] == share
    assert outcome.data["dispatch_company_at_fault"] is assessment["dispatch_company_at_fault"]


def test_it_asks_hr_about_the_dispatch_company_for_dispatched_staff(
    liability, liability_recorder, drive
):
    outcome = drive(liability, subject("dispatch"), to_compensation())

    (task,) = outcome.human_tasks
    assert task.bpmn_id == "assess_dispatch_fault"
    assert task.lane == "hr_officer"
    assert [record.bpmn_id for record in outcome.ran] == ["gateway_dispatch"]


def test_it_combines_dispatch_share_and_recourse(liability, liability_recorder, drive):
    steps = [
        *to_compensation(),
        (
            "assess_dispatch_fault",
            {"dispatch_company_at_fault": True, "dispatch_share_amount": 1000},
        ),
        ("assess_fault", fault("gross_negligence")),
        (
            "decide_recourse",
            {"recourse": True, "recourse_amount": 3000, "recourse_reason": "酒后上岗"},
        ),
    ]

    outcome = drive(liability, subject("dispatch"), steps, operators=liability_recorder.registry)

    params = assert_recorded(outcome, liability_recorder, "check_recourse")
    assert (params["compensation"], params["dispatch_share"]) == (6000, 1000)
    assert (params["recourse"], params["recourse_amount"]) == (True, 3000)


def test_it_refuses_a_dispatch_share_beyond_the_compensation_citing_art_24(
    liability, liability_recorder, drive, roundtrip, task_in
):
    outcome = drive(liability, subject("dispatch"), to_compensation())
    state = roundtrip(outcome.state)
    kept = copy.deepcopy(state)
    task = task_in(liability, state, "assess_dispatch_fault")
    data = {"dispatch_company_at_fault": True, "dispatch_share_amount": 7000}

    with pytest.raises(ScriptFailed) as refused:
        engine.complete_task(liability, state, task.id, data, operators=liability_recorder.registry)

    assert "Art. 24" in str(refused.value)
    assert "劳务派遣单位承担金额7000元超过机关赔偿金额6000元" in str(refused.value)
    assert state == kept
    assert liability_recorder.calls == []


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"dispatch_company_at_fault": True}, id="no-share"),
        pytest.param({"dispatch_company_at_fault": True, "dispatch_share_amount": 0}, id="zero"),
    ],
)
def test_it_requires_a_share_when_the_dispatch_company_is_at_fault(
    liability, drive, roundtrip, task_in, data
):
    outcome = drive(liability, subject("dispatch"), to_compensation())
    state = roundtrip(outcome.state)
    task = task_in(liability, state, "assess_dispatch_fault")

    with pytest.raises(InvalidTaskData) as refused:
        engine.complete_task(liability, state, task.id, data)

    assert list(refused.value.errors) == ["dispatch_share_amount"]


# --------------------------------------------------------------- the forms


@pytest.mark.parametrize(
    ("bpmn_id", "data", "field"),
    [
        ("record_incident", dict(INCIDENT, damage_amount=-1), "damage_amount"),
        ("record_incident", dict(INCIDENT, incident_date="18/03/2025"), "incident_date"),
        (
            "decide_compensation",
            dict(COMPENSATION, compensation_amount=-0.5),
            "compensation_amount",
        ),
        ("decide_compensation", {"compensation_amount": 100}, "compensation_reason"),
        ("assess_fault", {"staff_fault": "slight", "fault_opinion": "x"}, "staff_fault"),
    ],
)
def test_it_refuses_form_data_outside_the_rules(
    liability, drive, roundtrip, task_in, bpmn_id, data, field
):
    path = {
        "record_incident": [],
        "decide_compensation": [("record_incident", INCIDENT)],
        "assess_fault": to_compensation(),
    }[bpmn_id]
    outcome = drive(liability, subject(), path)
    state = roundtrip(outcome.state)
    task = task_in(liability, state, bpmn_id)

    with pytest.raises(InvalidTaskData) as refused:
        engine.complete_task(liability, state, task.id, data)

    assert field in refused.value.errors


@pytest.mark.parametrize(
    ("bpmn_id", "lane", "form_name", "due_in", "mode", "path"),
    [
        ("record_incident", "hr_officer", "incident.json", "P5D", "unit", []),
        (
            "decide_compensation",
            "approver",
            "compensation.json",
            "P10D",
            "unit",
            [("record_incident", INCIDENT)],
        ),
        (
            "assess_dispatch_fault",
            "hr_officer",
            "dispatch_fault.json",
            "P10D",
            "dispatch",
            to_compensation(),
        ),
        (
            "assess_fault",
            "legal_reviewer",
            "fault_assessment.json",
            "P10D",
            "unit",
            to_compensation(),
        ),
        ("decide_recourse", "approver", "recourse.json", "P10D", "unit", to_recourse()),
    ],
)
def test_it_hands_out_each_human_task_with_lane_form_deadline_and_citation(
    liability, drive, bpmn_id, lane, form_name, due_in, mode, path
):
    outcome = drive(liability, subject(mode), path)

    (task,) = outcome.human_tasks
    assert task.bpmn_id == bpmn_id
    assert task.lane == lane
    assert task.form_name == form_name
    assert task.form == liability.forms[form_name]
    assert task.form["additionalProperties"] is False
    assert task.due_in == due_in
    assert ART.search(task.documentation)
    assert task.name and not task.name.isascii()


def test_it_rests_on_article_24(liability):
    assert 24 in liability.articles
