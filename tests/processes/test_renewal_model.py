"""Every branch of bpmn/renewal, driven through processes.engine
(docs/processes/renewal.md).

Each step starts from ``json.loads(json.dumps(outcome.state))`` (the ``step``/``drive``
fixtures do that), and the side effects are a real ``OperatorRegistry`` holding
recording stand-ins for the webapp's ``contract_renew`` and ``case_open``.
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

RENEWAL_DIR = Path(__file__).resolve().parents[2] / "bpmn" / "renewal"
ART = re.compile(r"Art\. \d+")

START: dict[str, Any] = {
    "staff_name": "李红梅",
    "staff_state": "on_duty",
    "agency_name": "六安市市场监督管理局",
    "employment_mode": "unit",
    "post": "市场监管执法辅助岗",
    "contract_end": "2026-04-30",
    "last_grade": "competent",
    "last_grade_year": 2025,
}
RENEW = {"renewal_proposal": "renew", "new_contract_end": "2029-04-30"}
NOT_RENEW = {"renewal_proposal": "not_renew", "renewal_notes": "2025年度考核不合格。"}
APPROVE = {"decision_renewal": "approve"}
REJECT = {"decision_renewal": "reject", "reason_renewal": "考核等次为称职，应予续聘。"}


@pytest.fixture(scope="module")
def renewal():
    return catalog.load_directory(RENEWAL_DIR)


@pytest.fixture
def ops() -> Recorder:
    recorder = Recorder()
    recorder.add("contract_renew", {"contract_end": "2029-04-30"})
    recorder.add("case_open", {"business_key": "LA-2026-000077"})
    return recorder


def ran_ids(outcome) -> list[str]:
    return [record.bpmn_id for record in outcome.ran]


@pytest.mark.parametrize("staff_state", ["on_duty", "suspended"])
def test_it_renews_the_contract_with_the_proposed_date(renewal, ops, drive, staff_state):
    start = dict(START, staff_state=staff_state)
    steps = [("propose_renewal", RENEW), ("decide_renewal", APPROVE)]

    outcome = drive(renewal, start, steps, operators=ops.registry)

    assert ops.only("contract_renew") == {"contract_end": "2029-04-30"}
    assert outcome.completed
    assert outcome.human_tasks == ()
    assert ran_ids(outcome) == ["gateway_decision", "renew_contract", "renewed_end"]
    assert outcome.data["renew_result"] == {"contract_end": "2029-04-30"}
    call = ops.calls[0][2]
    assert call.task_bpmn_id == "renew_contract"
    assert "Art. 20" in call.documentation


def test_it_opens_a_separation_case_when_non_renewal_is_approved(renewal, ops, drive):
    start = dict(START, last_grade="incompetent")
    steps = [("propose_renewal", NOT_RENEW), ("decide_renewal", APPROVE)]

    outcome = drive(renewal, start, steps, operators=ops.registry)

    params = ops.only("case_open")
    assert params["process"] == "separation"
    assert params["data"] == {"separation_reason": "non_renewal"}
    assert "合同期满不再续聘" in params["reason"]
    assert "Art. 20" in params["reason"]
    assert "2026-04-30" in params["reason"]
    assert outcome.completed
    assert ran_ids(outcome) == ["gateway_decision", "open_separation", "not_renewed_end"]
    assert outcome.data["separation_case_result"] == {"business_key": "LA-2026-000077"}
    assert "renew_result" not in outcome.data


def test_it_sends_a_rejected_proposal_back_to_hr(renewal, ops, drive):
    steps = [("propose_renewal", NOT_RENEW), ("decide_renewal", REJECT)]

    outcome = drive(renewal, START, steps, operators=ops.registry)

    (task,) = outcome.human_tasks
    assert task.bpmn_id == "propose_renewal"
    assert task.lane == "hr_officer"
    assert not outcome.completed
    assert ops.calls == []
    assert outcome.data["reason_renewal"] == REJECT["reason_renewal"]


def test_it_renews_after_the_approver_rejected_the_first_proposal(renewal, ops, drive):
    steps = [
        ("propose_renewal", NOT_RENEW),
        ("decide_renewal", REJECT),
        ("propose_renewal", RENEW),
        ("decide_renewal", APPROVE),
    ]

    outcome = drive(renewal, START, steps, operators=ops.registry)

    assert ops.only("contract_renew") == {"contract_end": "2029-04-30"}
    assert outcome.completed
    assert ran_ids(outcome) == ["gateway_decision", "renew_contract", "renewed_end"]


def test_it_waits_for_the_approver_after_the_proposal(renewal, ops, drive):
    outcome = drive(renewal, START, [("propose_renewal", RENEW)], operators=ops.registry)

    (task,) = outcome.human_tasks
    assert task.bpmn_id == "decide_renewal"
    assert task.lane == "approver"
    assert ops.calls == []


# ---------------------------------------------------------- form refusals


REFUSALS = [
    pytest.param(
        "propose_renewal", {"renewal_proposal": "renew"}, "new_contract_end", id="renew-no-date"
    ),
    pytest.param(
        "propose_renewal",
        {"renewal_proposal": "renew", "new_contract_end": "30/04/2029"},
        "new_contract_end",
        id="renew-bad-date",
    ),
    pytest.param(
        "propose_renewal", {"renewal_proposal": "maybe"}, "renewal_proposal", id="bad-proposal"
    ),
    pytest.param("propose_renewal", {}, "renewal_proposal", id="no-proposal"),
    pytest.param(
        "propose_renewal",
        dict(NOT_RENEW, renewal_notes="说" * 2001),
        "renewal_notes",
        id="notes-too-long",
    ),
    pytest.param("propose_renewal", dict(RENEW, decision_renewal="approve"), "__all__", id="extra"),
    pytest.param(
        "decide_renewal", {"decision_renewal": "reject"}, "reason_renewal", id="reject-no-reason"
    ),
    pytest.param(
        "decide_renewal",
        {"decision_renewal": "reject", "reason_renewal": " "},
        "reason_renewal",
        id="reject-blank-reason",
    ),
    pytest.param("decide_renewal", {"decision_renewal": "ok"}, "decision_renewal", id="bad"),
]
PATH_TO = {"propose_renewal": [], "decide_renewal": [("propose_renewal", RENEW)]}


@pytest.mark.parametrize(("bpmn_id", "data", "field"), REFUSALS)
def test_it_refuses_bad_form_data_and_keeps_the_state(
    renewal, ops, drive, roundtrip, task_in, bpmn_id, data, field
):
    outcome = drive(renewal, START, PATH_TO[bpmn_id], operators=ops.registry)
    state = roundtrip(outcome.state)
    kept = copy.deepcopy(state)
    task = task_in(renewal, state, bpmn_id)

    with pytest.raises(InvalidTaskData) as refused:
        engine.complete_task(renewal, state, task.id, data, operators=ops.registry)

    assert field in refused.value.errors
    assert state == kept
    assert ops.calls == []


# ------------------------------------------------------------ human tasks


@pytest.mark.parametrize(
    ("bpmn_id", "lane", "form_name", "due_in"),
    [
        ("propose_renewal", "hr_officer", "renewal_proposal.json", "P10D"),
        ("decide_renewal", "approver", "renewal_decision.json", "P5D"),
    ],
)
def test_it_hands_out_each_human_task_with_lane_form_deadline_and_citation(
    renewal, ops, drive, bpmn_id, lane, form_name, due_in
):
    outcome = drive(renewal, START, PATH_TO[bpmn_id], operators=ops.registry)

    (task,) = outcome.human_tasks
    assert task.bpmn_id == bpmn_id
    assert task.lane == lane
    assert task.form_name == form_name
    assert task.form == renewal.forms[form_name]
    assert task.form["additionalProperties"] is False
    assert task.due_in == due_in
    assert "Art. 20" in task.documentation
    assert "Art. 20" in task.form["description"]
    assert task.name and not task.name.isascii()


def test_it_tells_hr_that_the_assessment_is_the_basis(renewal):
    (task,) = engine.start(renewal, dict(START, last_grade="incompetent")).human_tasks

    assert "年度考核结果是续聘、解聘的依据" in task.documentation
    assert "不合格" in task.documentation and "不再续聘" in task.documentation
    labels = task.form["properties"]["renewal_proposal"]["x-enumLabels"]
    assert labels == ["续聘", "不再续聘"]


def test_it_offers_the_start_data_to_the_proposal_form(renewal, roundtrip):
    outcome = engine.start(renewal, START)
    (task,) = outcome.human_tasks

    assert engine.human_task_data(renewal, roundtrip(outcome.state), task.id) == START


BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def test_it_rejects_by_default_at_the_decision_gateway():
    root = etree.parse(str(RENEWAL_DIR / "renewal.bpmn")).getroot()
    gateway = root.find(f"{BPMN}process/{BPMN}exclusiveGateway")
    assert gateway.get("default") == "flow_gateway_decision_reject"
