"""Every branch of bpmn/usage_plan, driven through processes.engine (docs/processes/usage_plan.md).

Each step starts from ``json.loads(json.dumps(outcome.state))`` (the ``step``/``drive``
fixtures do that). The side effects are a real ``OperatorRegistry``: ``usage_plan_check``
computes its answer from its ``headcount`` parameter and the case's start data
(``agency_quota``, ``headcount_in_use``), as the webapp's operator does from the agency;
``usage_plan_record`` only records its call.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from processes import catalog, engine
from processes.definition import ProcessDefinition
from processes.errors import InvalidTaskData
from processes.operators import OperatorCall

from .conftest import Recorder

USAGE_PLAN_DIR = Path(__file__).resolve().parents[2] / "bpmn" / "usage_plan"
ART = re.compile(r"Art\. \d+")
PLAN_RECORD_PARAMS = {
    "post",
    "headcount",
    "employment_mode",
    "education_requirement",
    "education_requirement_reason",
    "approved",
}


@pytest.fixture(scope="module")
def usage_plan() -> ProcessDefinition:
    return catalog.load_directory(USAGE_PLAN_DIR)


@pytest.fixture
def plan_recorder() -> Recorder:
    recorder = Recorder()

    def usage_plan_check(call: OperatorCall) -> dict[str, Any]:
        recorder.calls.append((call.name, dict(call.params), call))
        quota = call.data["agency_quota"]
        in_use = call.data["headcount_in_use"]
        planned = call.params["headcount"]
        return {
            "within_quota": in_use + planned <= quota,
            "quota": quota,
            "in_use": in_use,
            "planned": planned,
            "available": max(quota - in_use, 0),
        }

    def usage_plan_record(call: OperatorCall) -> dict[str, Any]:
        recorder.calls.append((call.name, dict(call.params), call))
        return {"plan": 31, "approved": call.params["approved"]}

    recorder.registry.register("usage_plan_check", usage_plan_check)
    recorder.registry.register("usage_plan_record", usage_plan_record)
    return recorder


def agency(quota: int = 10, in_use: int = 6) -> dict[str, Any]:
    return {"agency_name": "六安市城市管理局", "agency_quota": quota, "headcount_in_use": in_use}


def plan(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "post": "城市管理执法辅助岗",
        "headcount": 3,
        "employment_mode": "unit",
        "education_requirement": "college",
        "duties_summary": "协助开展市容巡查，维护执法现场秩序",
    }
    data.update(overrides)
    return data


APPROVE_PLAN = {"decision_plan": "approve"}
APPROVE_QUOTA = {"decision_quota": "approve"}
APPROVE_HRSS = {"decision_hrss": "approve"}
ANNOUNCEMENT = {
    "announcement_date": "2025-05-06",
    "announcement_channel": "六安市人民政府门户网站",
    "announcement_states_education": True,
}


def to_quota_review(**overrides: Any) -> list[tuple[str, dict[str, Any]]]:
    return [("draft_plan", plan(**overrides)), ("approve_plan", APPROVE_PLAN)]


def to_hrss(**overrides: Any) -> list[tuple[str, dict[str, Any]]]:
    return [*to_quota_review(**overrides), ("review_quota", APPROVE_QUOTA)]


def to_announcement(**overrides: Any) -> list[tuple[str, dict[str, Any]]]:
    return [*to_hrss(**overrides), ("approve_hrss", APPROVE_HRSS)]


def record_call(recorder: Recorder) -> dict[str, Any]:
    """Parameters of the single usage_plan_record call, after exactly one quota check."""
    assert recorder.names() == ["usage_plan_check", "usage_plan_record"], recorder.names()
    params = recorder.calls[1][1]
    assert set(params) == PLAN_RECORD_PARAMS
    return params


def assert_not_approved(outcome, recorder: Recorder, record_task: str) -> dict[str, Any]:
    assert outcome.completed
    assert outcome.human_tasks == ()
    ran = [record.bpmn_id for record in outcome.ran]
    assert ran[-2:] == [record_task, "not_approved_end"]
    params = record_call(recorder)
    assert params["approved"] is False
    assert outcome.data["record_result"] == {"plan": 31, "approved": False}
    assert "publish_announcement" not in ran
    return params


# -------------------------------------------------------- approved and published


@pytest.mark.parametrize(
    ("start", "draft", "reason", "note"),
    [
        pytest.param(
            agency(), {}, "", "大专以上（《办法》第十条第（四）项，Art. 10(4)）", id="unit"
        ),
        pytest.param(
            agency(quota=10, in_use=7),
            {},
            "",
            "大专以上",
            id="exactly-at-the-quota",
        ),
        pytest.param(
            agency(),
            {
                "employment_mode": "dispatch",
                "dispatch_company": "安徽皖西人力资源有限公司",
                "education_requirement": "bachelor",
                "education_requirement_reason": "  岗位需制作执法文书  ",
            },
            "岗位需制作执法文书",
            "提高为本科以上，原因：岗位需制作执法文书（《办法》第十条第二款，Art. 10）",
            id="dispatch-raised-requirement",
        ),
        pytest.param(
            agency(),
            {
                "education_requirement": "below_college",
                "education_requirement_reason": "偏远乡镇岗位，招聘困难",
            },
            "偏远乡镇岗位，招聘困难",
            "降低为大专以下，原因：偏远乡镇岗位，招聘困难",
            id="lowered-requirement",
        ),
    ],
)
def test_it_records_and_publishes_a_plan_within_quota_that_everyone_approves(
    usage_plan, plan_recorder, drive, start, draft, reason, note
):
    outcome = drive(usage_plan, start, to_announcement(**draft), operators=plan_recorder.registry)

    assert [task.bpmn_id for task in outcome.human_tasks] == ["publish_announcement"]
    check = plan_recorder.calls[0]
    assert check[0] == "usage_plan_check"
    assert check[1] == {"headcount": 3}
    assert outcome.data["quota_check"]["within_quota"] is True
    expected = plan(**draft)
    assert record_call(plan_recorder) == {
        "post": expected["post"],
        "headcount": 3,
        "employment_mode": expected["employment_mode"],
        "education_requirement": expected["education_requirement"],
        "education_requirement_reason": reason,
        "approved": True,
    }
    assert outcome.data["record_result"] == {"plan": 31, "approved": True}
    assert note in outcome.data["education_requirement_note"]
    assert "Art. 10" in outcome.data["education_requirement_note"]
    record = plan_recorder.calls[1][2]
    assert record.task_bpmn_id == "record_approval"
    assert "Art. 9" in record.documentation

    finished = drive(
        usage_plan,
        start,
        [*to_announcement(**draft), ("publish_announcement", ANNOUNCEMENT)],
        operators=plan_recorder.registry,
    )

    assert finished.completed
    assert finished.human_tasks == ()
    assert [record.bpmn_id for record in finished.ran] == ["published_end"]
    assert finished.data["announcement_channel"] == ANNOUNCEMENT["announcement_channel"]


def test_it_drops_a_dispatch_company_and_reason_the_plan_does_not_use(
    usage_plan, plan_recorder, drive
):
    draft = plan(
        dispatch_company="安徽皖西人力资源有限公司",
        education_requirement_reason="无需调整",
    )

    outcome = drive(
        usage_plan,
        agency(),
        [("draft_plan", draft), ("approve_plan", APPROVE_PLAN)],
        operators=plan_recorder.registry,
    )

    assert outcome.data["dispatch_company"] == ""
    assert outcome.data["education_requirement_reason"] == ""
    assert [task.bpmn_id for task in outcome.human_tasks] == ["review_quota"]


# ------------------------------------------------------- approver sends it back


def test_it_sends_the_plan_back_for_revision_and_checks_the_revised_headcount(
    usage_plan, plan_recorder, drive, step, roundtrip
):
    outcome = drive(
        usage_plan,
        agency(quota=10, in_use=6),
        [
            ("draft_plan", plan(headcount=6)),
            ("approve_plan", {"decision_plan": "reject", "reason_plan": "超出核定数量，请压减"}),
        ],
        operators=plan_recorder.registry,
    )

    assert [task.bpmn_id for task in outcome.human_tasks] == ["draft_plan"]
    assert plan_recorder.calls == []
    assert [record.bpmn_id for record in outcome.ran] == ["gateway_plan"]
    seen = engine.human_task_data(usage_plan, roundtrip(outcome.state), outcome.human_tasks[0].id)
    assert seen["headcount"] == 6  # the form opens with the plan as sent back
    assert seen["reason_plan"] == "超出核定数量，请压减"

    outcome = step(
        usage_plan, outcome, "draft_plan", plan(headcount=4), operators=plan_recorder.registry
    )
    outcome = step(
        usage_plan, outcome, "approve_plan", APPROVE_PLAN, operators=plan_recorder.registry
    )

    assert plan_recorder.names() == ["usage_plan_check"]
    assert plan_recorder.calls[0][1] == {"headcount": 4}
    assert outcome.data["quota_check"] == {
        "within_quota": True,
        "quota": 10,
        "in_use": 6,
        "planned": 4,
        "available": 4,
    }
    assert [task.bpmn_id for task in outcome.human_tasks] == ["review_quota"]
    assert outcome.human_tasks[0].lane == "staffing_office"


def test_it_refuses_sending_back_without_a_reason_and_keeps_the_state(
    usage_plan, plan_recorder, drive, roundtrip, task_in
):
    outcome = drive(usage_plan, agency(), [("draft_plan", plan())])
    state = roundtrip(outcome.state)
    kept = copy.deepcopy(state)
    task = task_in(usage_plan, state, "approve_plan")

    for data in ({"decision_plan": "reject"}, {"decision_plan": "reject", "reason_plan": " "}):
        with pytest.raises(InvalidTaskData) as refused:
            engine.complete_task(usage_plan, state, task.id, data, operators=plan_recorder.registry)
        assert list(refused.value.errors) == ["reason_plan"]
        assert state == kept
    assert plan_recorder.calls == []


# ------------------------------------------------------------ Art. 9: the quota


def test_it_never_approves_an_over_quota_plan_even_when_the_staffing_office_agrees(
    usage_plan, plan_recorder, drive
):
    outcome = drive(
        usage_plan,
        agency(quota=10, in_use=8),
        to_hrss(headcount=3),
        operators=plan_recorder.registry,
    )

    assert outcome.data["quota_check"]["within_quota"] is False
    assert outcome.data["decision_quota"] == "approve"
    params = assert_not_approved(outcome, plan_recorder, "record_quota_rejection")
    assert params["headcount"] == 3
    assert "approve_hrss" not in [record.bpmn_id for record in outcome.ran]
    record = plan_recorder.calls[1][2]
    assert record.task_bpmn_id == "record_quota_rejection"
    assert "Art. 9" in record.documentation


def test_it_does_not_approve_a_plan_the_staffing_office_rejects(usage_plan, plan_recorder, drive):
    steps = [
        *to_quota_review(),
        ("review_quota", {"decision_quota": "reject", "reason_quota": "本年度编外人员总量已控制"}),
    ]

    outcome = drive(usage_plan, agency(), steps, operators=plan_recorder.registry)

    assert outcome.data["quota_check"]["within_quota"] is True
    assert_not_approved(outcome, plan_recorder, "record_quota_rejection")
    assert outcome.data["reason_quota"] == "本年度编外人员总量已控制"


def test_it_does_not_approve_a_plan_hrss_rejects(usage_plan, plan_recorder, drive):
    steps = [*to_hrss(), ("approve_hrss", {"decision_hrss": "reject", "reason_hrss": "经费未落实"})]

    outcome = drive(usage_plan, agency(), steps, operators=plan_recorder.registry)

    assert_not_approved(outcome, plan_recorder, "record_hrss_rejection")
    assert outcome.data["reason_hrss"] == "经费未落实"
    assert plan_recorder.calls[1][2].task_bpmn_id == "record_hrss_rejection"


@pytest.mark.parametrize(
    ("bpmn_id", "field"),
    [("review_quota", "reason_quota"), ("approve_hrss", "reason_hrss")],
)
def test_it_refuses_a_rejection_without_reason_at_each_bureau(
    usage_plan, plan_recorder, drive, roundtrip, task_in, bpmn_id, field
):
    path = to_quota_review() if bpmn_id == "review_quota" else to_hrss()
    outcome = drive(usage_plan, agency(), path, operators=plan_recorder.registry)
    state = roundtrip(outcome.state)
    kept = copy.deepcopy(state)
    task = task_in(usage_plan, state, bpmn_id)
    decision = field.replace("reason", "decision")

    with pytest.raises(InvalidTaskData) as refused:
        engine.complete_task(
            usage_plan, state, task.id, {decision: "reject"}, operators=plan_recorder.registry
        )

    assert list(refused.value.errors) == [field]
    assert state == kept


# ------------------------------------------------- Art. 9, 10: the plan form


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        pytest.param(
            {"education_requirement": "bachelor"}, "education_requirement_reason", id="raised"
        ),
        pytest.param(
            {"education_requirement": "master", "education_requirement_reason": "   "},
            "education_requirement_reason",
            id="raised-blank-reason",
        ),
        pytest.param(
            {"education_requirement": "below_college", "education_requirement_reason": ""},
            "education_requirement_reason",
            id="lowered-empty-reason",
        ),
        pytest.param({"employment_mode": "dispatch"}, "dispatch_company", id="dispatch-no-company"),
        pytest.param({"headcount": 0}, "headcount", id="headcount-0"),
        pytest.param({"education_requirement": "doctor"}, "education_requirement", id="doctor"),
        pytest.param({"quota_check": {"within_quota": True}}, "__all__", id="forged-check"),
    ],
)
def test_it_refuses_a_plan_the_form_does_not_allow(
    usage_plan, plan_recorder, roundtrip, task_in, draft, field
):
    outcome = engine.start(usage_plan, agency(), operators=plan_recorder.registry)
    state = roundtrip(outcome.state)
    kept = copy.deepcopy(state)
    task = task_in(usage_plan, state, "draft_plan")

    with pytest.raises(InvalidTaskData) as refused:
        engine.complete_task(
            usage_plan, state, task.id, plan(**draft), operators=plan_recorder.registry
        )

    assert field in refused.value.errors
    assert state == kept
    assert plan_recorder.calls == []


def test_it_refuses_an_announcement_that_omits_the_education_requirement(
    usage_plan, plan_recorder, drive, roundtrip, task_in
):
    outcome = drive(
        usage_plan,
        agency(),
        to_announcement(education_requirement="bachelor", education_requirement_reason="需要"),
        operators=plan_recorder.registry,
    )
    state = roundtrip(outcome.state)
    task = task_in(usage_plan, state, "publish_announcement")

    with pytest.raises(InvalidTaskData) as refused:
        engine.complete_task(
            usage_plan,
            state,
            task.id,
            dict(ANNOUNCEMENT, announcement_states_education=False),
            operators=plan_recorder.registry,
        )

    assert list(refused.value.errors) == ["announcement_states_education"]


# ----------------------------------------------------------------- the model


@pytest.mark.parametrize(
    ("bpmn_id", "lane", "form_name", "due_in", "path"),
    [
        ("draft_plan", "hr_officer", "plan.json", "P10D", []),
        ("approve_plan", "approver", "plan_approval.json", "P3D", [("draft_plan", plan())]),
        ("review_quota", "staffing_office", "quota_review.json", "P10D", to_quota_review()),
        ("approve_hrss", "hrss", "hrss_approval.json", "P10D", to_hrss()),
        ("publish_announcement", "hr_officer", "announcement.json", "P5D", to_announcement()),
    ],
)
def test_it_hands_out_each_human_task_with_lane_form_deadline_and_citation(
    usage_plan, plan_recorder, drive, bpmn_id, lane, form_name, due_in, path
):
    outcome = drive(usage_plan, agency(), path, operators=plan_recorder.registry)

    (task,) = outcome.human_tasks
    assert task.bpmn_id == bpmn_id
    assert task.lane == lane
    assert task.form_name == form_name
    assert task.form == usage_plan.forms[form_name]
    assert task.form["additionalProperties"] is False
    assert task.due_in == due_in
    assert ART.search(task.documentation)
    assert task.name and not task.name.isascii()


def test_it_gives_each_approval_step_its_own_field_names(usage_plan):
    fields = [
        name
        for form_name, form in usage_plan.forms.items()
        if form_name != "case_data.json"  # labels the data no form asks
        for name in form["properties"]
    ]

    assert len(fields) == len(set(fields))
    assert {"decision_plan", "decision_quota", "decision_hrss"} <= set(fields)
    assert not {"decision", "reason", "quota_check", "record_result"} & set(fields)


def test_it_rests_on_articles_5_8_9_and_10(usage_plan):
    assert {5, 8, 9, 10} <= usage_plan.articles
