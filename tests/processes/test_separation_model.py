"""Every branch of bpmn/separation (解聘/离职, Art. 16, 20, 21, 23), driven through the engine.

Each step starts from ``json.loads(json.dumps(outcome.state))`` (the ``step``/``drive``
fixtures do that). The side effects are a real ``OperatorRegistry`` holding recording
stand-ins; ``recovery_record`` answers like the webapp's: complete only when the
certificate, the badge and the armband are all handed back.
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
SEPARATION_DIR = Path(__file__).resolve().parents[2] / "bpmn" / "separation"
ITEMS = ("certificate", "badge", "armband")
REASONS = ("resignation", "contract_end", "non_renewal", "failed_assessment", "discipline")


@pytest.fixture(scope="module")
def separation():
    return catalog.load_directory(SEPARATION_DIR)


@pytest.fixture
def ops(recorder):
    """The conftest recorder plus the operators this process calls."""

    def recovery_record(call):
        recorder.calls.append((call.name, dict(call.params), call))
        missing = [item for item in ITEMS if call.params[f"{item}_returned"] is not True]
        return {"complete": not missing, "missing": missing}

    recorder.registry.register("recovery_record", recovery_record, description="test stand-in")
    recorder.add("staff_dismiss", {"state": "dismissed"})
    recorder.add("staff_separate", {"state": "separated"})
    return recorder


def calls(recorder, name: str) -> list[dict[str, Any]]:
    return [params for called, params, _ in recorder.calls if called == name]


def ran(outcome) -> list[str]:
    return [record.bpmn_id for record in outcome.ran]


def staff(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "staff_name": "李卫东",
        "staff_state": "on_duty",
        "agency_name": "六安市城市管理行政执法局",
        "employment_mode": "unit",
        "post": "城市管理执法辅助岗",
    }
    data.update(overrides)
    return data


ALL_RETURNED = {"certificate_returned": True, "badge_returned": True, "armband_returned": True}
TRANSFER = {
    "social_insurance_transferred_on": "2025-06-30",
    "housing_fund_transferred_on": "2025-06-30",
}
APPROVE = {"decision": "approve"}


def reason(code: str = "resignation", details: str = "本人于2025年6月1日提交书面辞职申请"):
    return {"separation_reason": code, "separation_details": details}


def to_recovery(code: str = "resignation") -> list[tuple[str, dict[str, Any]]]:
    return [("state_reason", reason(code)), ("approve_separation", APPROVE)]


def to_end(code: str = "resignation") -> list[tuple[str, dict[str, Any]]]:
    return [
        *to_recovery(code),
        ("recover_items", ALL_RETURNED),
        ("transfer_insurance", TRANSFER),
    ]


# ------------------------------------------------------------ the reason (Art. 20, 23)


def test_it_asks_the_hr_officer_for_the_reason_when_none_was_preset(separation, ops, drive):
    outcome = drive(separation, staff(), operators=ops.registry)

    (task,) = outcome.human_tasks
    assert task.bpmn_id == "state_reason"
    assert task.lane == "hr_officer"
    assert outcome.data["separation_reason"] is None
    assert outcome.data["separation_details"] == ""
    assert ran(outcome) == [
        "start_separation",
        "set_separation_defaults",
        "gateway_reason_known",
    ]
    assert ops.calls == []


@pytest.mark.parametrize("code", REASONS)
def test_it_goes_straight_to_approval_when_a_linked_case_preset_the_reason(
    separation, ops, drive, code
):
    start = staff(separation_reason=code, separation_details="  违纪处理案件 WJ-2025-0007  ")

    outcome = drive(separation, start, operators=ops.registry)

    (task,) = outcome.human_tasks
    assert task.bpmn_id == "approve_separation"
    assert task.lane == "approver"
    assert "state_reason" not in ran(outcome)
    assert outcome.data["separation_reason"] == code
    assert outcome.data["separation_details"] == "违纪处理案件 WJ-2025-0007"


def test_it_takes_a_preset_reason_without_details(separation, ops, drive):
    outcome = drive(separation, staff(separation_reason="discipline"), operators=ops.registry)

    assert [task.bpmn_id for task in outcome.human_tasks] == ["approve_separation"]
    assert outcome.data["separation_details"] == ""


@pytest.mark.parametrize("preset", ["fired", "", None])
def test_it_asks_again_when_the_preset_reason_is_not_a_known_code(separation, ops, drive, preset):
    outcome = drive(separation, staff(separation_reason=preset), operators=ops.registry)

    assert [task.bpmn_id for task in outcome.human_tasks] == ["state_reason"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        pytest.param({"separation_details": "情况"}, "separation_reason", id="no-reason"),
        pytest.param(reason("fired"), "separation_reason", id="unknown-reason"),
        pytest.param({"separation_reason": "resignation"}, "separation_details", id="no-details"),
        pytest.param(reason(details="   "), "separation_details", id="blank-details"),
        pytest.param(dict(reason(), decision="approve"), "__all__", id="extra-field"),
    ],
)
def test_it_refuses_an_incomplete_reason_and_keeps_the_state(
    separation, ops, drive, roundtrip, task_in, data, field
):
    outcome = drive(separation, staff(), operators=ops.registry)
    state = roundtrip(outcome.state)
    kept = copy.deepcopy(state)
    task = task_in(separation, state, "state_reason")

    with pytest.raises(InvalidTaskData) as refused:
        engine.complete_task(separation, state, task.id, data, operators=ops.registry)

    assert field in refused.value.errors
    assert state == kept
    assert ops.calls == []


# --------------------------------------------------------------- approval (Art. 5)


def test_it_refuses_a_rejection_without_reason(separation, ops, drive, roundtrip, task_in):
    outcome = drive(separation, staff(), [("state_reason", reason())], operators=ops.registry)
    state = roundtrip(outcome.state)
    kept = copy.deepcopy(state)
    task = task_in(separation, state, "approve_separation")

    for data in ({"decision": "reject"}, {"decision": "reject", "reason": " "}):
        with pytest.raises(InvalidTaskData) as refused:
            engine.complete_task(separation, state, task.id, data, operators=ops.registry)
        assert list(refused.value.errors) == ["reason"]
        assert state == kept


def test_it_ends_without_touching_the_member_when_the_approver_disagrees(separation, ops, drive):
    steps = [
        ("state_reason", reason("non_renewal", "合同2025年6月30日期满")),
        ("approve_separation", {"decision": "reject", "reason": "岗位仍需要，拟续聘"}),
    ]

    outcome = drive(separation, staff(), steps, operators=ops.registry)

    assert outcome.completed
    assert outcome.human_tasks == ()
    assert ran(outcome) == ["gateway_approval", "not_approved_end"]
    assert ops.calls == []  # no recovery, no state change
    assert outcome.data["reason"] == "岗位仍需要，拟续聘"


# ------------------------------------------------------- recovery (Art. 21)


def test_it_cannot_finish_until_certificate_and_marks_are_recovered(
    separation, ops, drive, step, ready_ids, roundtrip
):
    partial = {
        "certificate_returned": True,
        "badge_returned": False,
        "armband_returned": False,
        "recovery_notes": "胸牌、臂章遗失，本人承诺一周内交回",
    }
    outcome = drive(separation, staff(), to_recovery(), operators=ops.registry)
    assert [task.bpmn_id for task in outcome.human_tasks] == ["recover_items"]

    outcome = step(separation, outcome, "recover_items", partial, operators=ops.registry)

    assert not outcome.completed
    assert ready_ids(separation, roundtrip(outcome.state)) == ["recover_items"]
    assert ran(outcome) == ["record_recovery", "gateway_recovery"]
    assert calls(ops, "recovery_record") == [
        {"certificate_returned": True, "badge_returned": False, "armband_returned": False}
    ]
    assert outcome.data["recovery"] == {"complete": False, "missing": ["badge", "armband"]}
    assert calls(ops, "staff_separate") == calls(ops, "staff_dismiss") == []
    # The form keeps what was already entered for the second round.
    (task,) = outcome.human_tasks
    seen = engine.human_task_data(separation, roundtrip(outcome.state), task.id)
    assert seen["recovery_notes"] == partial["recovery_notes"]

    # Still one mark out: the case loops again.
    outcome = step(
        separation,
        outcome,
        "recover_items",
        dict(partial, badge_returned=True),
        operators=ops.registry,
    )
    assert [task.bpmn_id for task in outcome.human_tasks] == ["recover_items"]
    assert outcome.data["recovery"] == {"complete": False, "missing": ["armband"]}

    outcome = step(separation, outcome, "recover_items", ALL_RETURNED, operators=ops.registry)

    assert [task.bpmn_id for task in outcome.human_tasks] == ["transfer_insurance"]
    assert outcome.data["recovery"] == {"complete": True, "missing": []}
    assert len(calls(ops, "recovery_record")) == 3
    assert not outcome.completed


def test_it_requires_a_note_when_an_item_is_not_returned(
    separation, ops, drive, roundtrip, task_in
):
    outcome = drive(separation, staff(), to_recovery(), operators=ops.registry)
    state = roundtrip(outcome.state)
    kept = copy.deepcopy(state)
    task = task_in(separation, state, "recover_items")

    for data, field in (
        (dict(ALL_RETURNED, armband_returned=False), "recovery_notes"),
        (dict(ALL_RETURNED, certificate_returned=False, recovery_notes=" "), "recovery_notes"),
        ({"certificate_returned": True, "badge_returned": True}, "armband_returned"),
    ):
        with pytest.raises(InvalidTaskData) as refused:
            engine.complete_task(separation, state, task.id, data, operators=ops.registry)
        assert list(refused.value.errors) == [field]
        assert state == kept
    assert ops.calls == []


def test_it_refuses_a_transfer_without_valid_dates(separation, ops, drive, roundtrip, task_in):
    steps = [*to_recovery(), ("recover_items", ALL_RETURNED)]
    outcome = drive(separation, staff(), steps, operators=ops.registry)
    state = roundtrip(outcome.state)
    task = task_in(separation, state, "transfer_insurance")

    for data, field in (
        ({"social_insurance_transferred_on": "2025-06-30"}, "housing_fund_transferred_on"),
        (
            dict(TRANSFER, social_insurance_transferred_on="30/06/2025"),
            "social_insurance_transferred_on",
        ),
    ):
        with pytest.raises(InvalidTaskData) as refused:
            engine.complete_task(separation, state, task.id, data, operators=ops.registry)
        assert field in refused.value.errors


# ---------------------------------------------- dismissal or separation (Art. 20, 23)


@pytest.mark.parametrize(
    ("code", "operator", "end", "article", "fragments"),
    [
        ("resignation", "staff_separate", "separated_end", None, ["本人辞职", "Art. 21"]),
        ("contract_end", "staff_separate", "separated_end", None, ["劳动合同期满终止"]),
        ("non_renewal", "staff_separate", "separated_end", None, ["不再续聘", "Art. 20"]),
        ("failed_assessment", "staff_dismiss", "dismissed_end", "Art. 20", ["第二十条"]),
        ("discipline", "staff_dismiss", "dismissed_end", "Art. 23", ["第二十三条"]),
    ],
)
def test_it_dismisses_or_separates_according_to_the_reason(
    separation, ops, drive, code, operator, end, article, fragments
):
    outcome = drive(separation, staff(), to_end(code), operators=ops.registry)

    assert outcome.completed
    assert outcome.human_tasks == ()
    assert outcome.wake_at is None
    assert ops.names() == ["recovery_record", operator]
    (params,) = calls(ops, operator)
    expected_keys = {"reason", "article"} if operator == "staff_dismiss" else {"reason"}
    assert set(params) == expected_keys
    if article:
        assert params["article"] == article
        assert f"（{article}）" in params["reason"]
    for fragment in fragments:
        assert fragment in params["reason"]
    assert params["reason"].endswith("：本人于2025年6月1日提交书面辞职申请")
    result = "dismiss_result" if operator == "staff_dismiss" else "separate_result"
    assert outcome.data[result] == ops.results[operator]
    assert ran(outcome)[-2:] == [
        "dismiss_staff" if end == "dismissed_end" else "separate_staff",
        end,
    ]
    call = ops.calls[-1][2]
    assert ART.search(call.documentation)


def test_it_dismisses_a_member_sent_by_a_discipline_case(separation, ops, drive):
    start = staff(staff_state="suspended", separation_reason="discipline")
    steps = [
        ("approve_separation", APPROVE),
        ("recover_items", ALL_RETURNED),
        ("transfer_insurance", TRANSFER),
    ]

    outcome = drive(separation, start, steps, operators=ops.registry)

    (params,) = calls(ops, "staff_dismiss")
    assert params["article"] == "Art. 23"
    assert params["reason"].endswith("收回辅助行政执法证件")  # no details were passed
    assert [r.bpmn_id for r in outcome.ran][-1] == "dismissed_end"


# ------------------------------------------------------------------ human tasks


@pytest.mark.parametrize(
    ("bpmn_id", "lane", "form_name", "due_in", "steps"),
    [
        ("state_reason", "hr_officer", "state_reason.json", "P3D", []),
        ("approve_separation", "approver", "approval.json", "P5D", to_recovery()[:1]),
        ("recover_items", "hr_officer", "recovery.json", "P10D", to_recovery()),
        (
            "transfer_insurance",
            "hr_officer",
            "insurance_transfer.json",
            "P30D",
            [*to_recovery(), ("recover_items", ALL_RETURNED)],
        ),
    ],
)
def test_it_hands_out_each_human_task_with_lane_form_deadline_and_citation(
    separation, ops, drive, bpmn_id, lane, form_name, due_in, steps
):
    outcome = drive(separation, staff(), steps, operators=ops.registry)

    (task,) = outcome.human_tasks
    assert task.bpmn_id == bpmn_id
    assert task.lane == lane
    assert task.form_name == form_name
    assert task.form == separation.forms[form_name]
    assert task.form["additionalProperties"] is False
    assert task.due_in == due_in
    assert ART.search(task.documentation)
    assert task.name and not task.name.isascii()
