"""Every branch of bpmn/commendation, driven through processes.engine
(docs/processes/commendation.md).

Each step starts from ``json.loads(json.dumps(outcome.state))`` (the ``step``/``drive``
fixtures do that), and the side effect is a real ``OperatorRegistry`` holding a
recording stand-in for the webapp's ``commendation_record``.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from processes import catalog, engine
from processes.errors import InvalidTaskData

from .conftest import Recorder

COMMENDATION_DIR = Path(__file__).resolve().parents[2] / "bpmn" / "commendation"
ART = re.compile(r"Art\. \d+")

START: dict[str, Any] = {
    "staff_name": "陈晓东",
    "staff_state": "on_duty",
    "agency_name": "六安市生态环境局",
    "employment_mode": "unit",
    "post": "环境监察辅助岗",
}
# What case_open adds when an excellent annual assessment opens the case.
FROM_ASSESSMENT: dict[str, Any] = {
    **START,
    "nomination_source": "assessment",
    "opened_by": "LA-2026-000041",
    "open_reason": (
        "年度考核优秀（《办法》第十七条、第二十条，Art. 17, Art. 20）："
        "2025年度考核等次为优秀，提名表彰奖励"
    ),
}
DEEDS = "2025年7月汛期协助转移群众120余人。"
NOMINATION = {
    "commendation_title": "merit",
    "commendation_level": "city",
    "commendation_deeds": DEEDS,
}


@pytest.fixture(scope="module")
def commendation():
    return catalog.load_directory(COMMENDATION_DIR)


@pytest.fixture
def ops() -> Recorder:
    recorder = Recorder()
    recorder.add("commendation_record", {"commendation": 9})
    return recorder


def ran_ids(outcome) -> list[str]:
    return [record.bpmn_id for record in outcome.ran]


@pytest.mark.parametrize(
    ("title", "level", "title_label", "level_label"),
    [
        ("citation", "unit", "嘉奖", "单位"),
        ("merit", "city", "记功", "市级"),
        ("outstanding_staff", "city", "优秀辅助人员", "市级"),
    ],
)
@pytest.mark.parametrize("start", [START, FROM_ASSESSMENT], ids=["by-hr", "from-assessment"])
def test_it_records_an_approved_commendation_in_the_archive(
    commendation, ops, drive, start, title, level, title_label, level_label
):
    nomination = {
        "commendation_title": title,
        "commendation_level": level,
        "commendation_deeds": DEEDS,
    }
    steps = [("nominate", nomination), ("approve_commendation", {"decision": "approve"})]

    outcome = drive(commendation, start, steps, operators=ops.registry)

    assert ops.only("commendation_record") == {
        "title": title_label,
        "level": level_label,
        "reason": f"工作表现突出、成绩显著或者有突出事迹（《办法》第十七条，Art. 17）：{DEEDS}",
    }
    assert outcome.completed
    assert outcome.human_tasks == ()
    assert ran_ids(outcome) == [
        "gateway_approval",
        "record_commendation",
        "commended_end",
    ]
    assert outcome.data["commendation_result"] == ops.results["commendation_record"]
    call = ops.calls[0][2]
    assert call.task_bpmn_id == "record_commendation"
    assert "Art. 17" in call.documentation


def test_it_ends_without_a_record_when_the_approver_rejects(commendation, ops, drive):
    steps = [
        ("nominate", NOMINATION),
        ("approve_commendation", {"decision": "reject", "reason": "事迹材料不充分"}),
    ]

    outcome = drive(commendation, START, steps, operators=ops.registry)

    assert ops.calls == []
    assert outcome.completed
    assert ran_ids(outcome) == ["gateway_approval", "not_commended_end"]
    assert outcome.data["reason"] == "事迹材料不充分"
    assert "commendation_result" not in outcome.data


def test_it_waits_for_the_approver_after_the_nomination(commendation, ops, drive):
    outcome = drive(commendation, START, [("nominate", NOMINATION)], operators=ops.registry)

    (task,) = outcome.human_tasks
    assert task.bpmn_id == "approve_commendation"
    assert task.lane == "approver"
    assert not outcome.completed
    assert ops.calls == []


# ---------------------------------------------------------- form refusals


REFUSALS = [
    pytest.param(
        "nominate", dict(NOMINATION, commendation_title="嘉奖"), "commendation_title", id="title"
    ),
    pytest.param(
        "nominate",
        dict(NOMINATION, commendation_level="province"),
        "commendation_level",
        id="level",
    ),
    pytest.param(
        "nominate", dict(NOMINATION, commendation_deeds=""), "commendation_deeds", id="no-deeds"
    ),
    pytest.param(
        "nominate",
        dict(NOMINATION, commendation_deeds="  "),
        "commendation_deeds",
        id="blank-deeds",
    ),
    pytest.param(
        "nominate",
        dict(NOMINATION, commendation_deeds="事" * 2001),
        "commendation_deeds",
        id="deeds-too-long",
    ),
    pytest.param("nominate", dict(NOMINATION, decision="approve"), "__all__", id="extra-field"),
    pytest.param("approve_commendation", {"decision": "reject"}, "reason", id="reject-no-reason"),
    pytest.param(
        "approve_commendation",
        {"decision": "reject", "reason": ""},
        "reason",
        id="reject-empty-reason",
    ),
    pytest.param("approve_commendation", {"decision": "maybe"}, "decision", id="bad-decision"),
    pytest.param("approve_commendation", {}, "decision", id="no-decision"),
]
PATH_TO = {"nominate": [], "approve_commendation": [("nominate", NOMINATION)]}


@pytest.mark.parametrize(("bpmn_id", "data", "field"), REFUSALS)
def test_it_refuses_bad_form_data_and_keeps_the_state(
    commendation, ops, drive, roundtrip, task_in, bpmn_id, data, field
):
    outcome = drive(commendation, START, PATH_TO[bpmn_id], operators=ops.registry)
    state = roundtrip(outcome.state)
    kept = copy.deepcopy(state)
    task = task_in(commendation, state, bpmn_id)

    with pytest.raises(InvalidTaskData) as refused:
        engine.complete_task(commendation, state, task.id, data, operators=ops.registry)

    assert field in refused.value.errors
    assert state == kept
    assert ops.calls == []


# ------------------------------------------------------------ human tasks


@pytest.mark.parametrize(
    ("bpmn_id", "lane", "form_name", "due_in"),
    [
        ("nominate", "hr_officer", "nomination.json", "P10D"),
        ("approve_commendation", "approver", "approval.json", "P5D"),
    ],
)
def test_it_hands_out_each_human_task_with_lane_form_deadline_and_citation(
    commendation, ops, drive, bpmn_id, lane, form_name, due_in
):
    outcome = drive(commendation, START, PATH_TO[bpmn_id], operators=ops.registry)

    (task,) = outcome.human_tasks
    assert task.bpmn_id == bpmn_id
    assert task.lane == lane
    assert task.form_name == form_name
    assert task.form == commendation.forms[form_name]
    assert task.form["additionalProperties"] is False
    assert task.due_in == due_in
    assert "Art. 17" in task.documentation
    assert task.name and not task.name.isascii()


def test_it_offers_the_start_data_to_the_nomination_form(commendation, roundtrip):
    outcome = engine.start(commendation, FROM_ASSESSMENT)
    (task,) = outcome.human_tasks

    seen = engine.human_task_data(commendation, roundtrip(outcome.state), task.id)

    assert seen == FROM_ASSESSMENT


BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def test_it_rejects_by_default_at_the_approval_gateway():
    root = etree.parse(str(COMMENDATION_DIR / "commendation.bpmn")).getroot()
    gateway = root.find(f"{BPMN}process/{BPMN}exclusiveGateway")
    assert gateway.get("default") == "flow_gateway_approval_reject"
