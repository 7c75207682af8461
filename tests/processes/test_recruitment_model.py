"""Every branch of bpmn/recruitment, driven through processes.engine (docs/modelling.md §10, §11).

Each step starts from ``json.loads(json.dumps(outcome.state))`` (the ``step``/``drive``
fixtures do that), and the side effects are a real ``OperatorRegistry`` holding
recording stand-ins for the webapp's ``staff_hire`` and ``staff_reject``.
"""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
import time_machine

from processes import engine
from processes.errors import InvalidTaskData

ART = re.compile(r"Art\. \d+")
T0 = datetime(2025, 4, 7, 9, 30, tzinfo=UTC)


def assert_rejected(outcome, recorder, reject_task: str) -> str:
    """The case ended at rejected_end through ``reject_task``; returns the reason passed."""
    assert outcome.completed
    assert outcome.human_tasks == ()
    assert outcome.wake_at is None
    params = recorder.only("staff_reject")
    assert set(params) == {"reason"}
    ran = [record.bpmn_id for record in outcome.ran]
    assert ran[-2:] == [reject_task, "rejected_end"]
    assert outcome.data["reject_result"] == recorder.results["staff_reject"]
    assert "hire_result" not in outcome.data
    return params["reason"]


# ------------------------------------------------------------ Art. 10: eligibility


ELIGIBILITY_FAILURES = [
    pytest.param({}, {"nationality_prc": False}, "第十条第（二）项", "Art. 10(2)", id="not-prc"),
    pytest.param({"age": 17}, {}, "第十条第（三）项", "Art. 10(3)", id="age-17"),
    pytest.param(
        {"education": "master", "required_education": "bachelor"},
        {},
        "第十条第二款",
        "Art. 10",
        id="raised-without-reason",
    ),
    pytest.param(
        {"education": "below_college", "required_education": "below_college"},
        {},
        "第十条第二款",
        "Art. 10",
        id="lowered-without-reason",
    ),
    pytest.param(
        {
            "education": "below_college",
            "required_education": "below_college",
            "education_requirement_reason": "   ",
        },
        {},
        "第十条第二款",
        "Art. 10",
        id="blank-reason-is-no-reason",
    ),
    pytest.param(
        {
            "education": "college",
            "required_education": "bachelor",
            "education_requirement_reason": "岗位涉及法律文书制作",
        },
        {},
        "第十条第（四）项",
        "Art. 10(4)",
        id="education-below-raised-requirement",
    ),
    pytest.param(
        {"education": "below_college"},
        {},
        "第十条第（四）项",
        "Art. 10(4)",
        id="education-below-default-college",
    ),
    pytest.param({}, {"good_conduct": False}, "第十条第（五）项", "Art. 10(5)", id="conduct"),
    pytest.param({}, {"fit_for_post": False}, "第十条第（六）项", "Art. 10(6)", id="not-fit"),
    pytest.param(
        {"age": 17},
        {"nationality_prc": False, "good_conduct": False},
        "第十条第（二）项",
        "Art. 10(2)",
        id="first-failing-clause-wins",
    ),
]


@pytest.mark.parametrize(("start", "review", "clause", "art"), ELIGIBILITY_FAILURES)
def test_it_rejects_an_ineligible_applicant_citing_the_art_10_clause(
    recruitment, recorder, sample, drive, start, review, clause, art
):
    outcome = drive(
        recruitment,
        sample.applicant(**start),
        sample.to_scores(**review),
        operators=recorder.registry,
    )

    reason = assert_rejected(outcome, recorder, "reject_ineligible")
    assert clause in reason
    assert f"（{art}）" in reason
    assert reason == outcome.data["eligibility_reason"]
    assert outcome.data["eligible"] is False
    ran = [record.bpmn_id for record in outcome.ran]
    assert "check_disqualification" not in ran  # Art. 11 is only judged for eligible people


def test_it_treats_a_missing_education_requirement_as_college(recruitment, recorder, sample, drive):
    start = sample.applicant(education="below_college")
    del start["required_education"]
    del start["education_requirement_reason"]

    outcome = drive(recruitment, start, sample.to_scores(), operators=recorder.registry)

    reason = assert_rejected(outcome, recorder, "reject_ineligible")
    assert "Art. 10(4)" in reason
    assert outcome.data["required_education"] == "college"
    assert outcome.data["required_education_rank"] == 1
    assert outcome.data["education_requirement_justified"] is True


@pytest.mark.parametrize(
    "start",
    [
        pytest.param({"age": 18}, id="age-18-boundary"),
        pytest.param(
            {
                "education": "master",
                "required_education": "master",
                "education_requirement_reason": "岗位从事执法技术鉴定",
            },
            id="raised-with-reason",
        ),
        pytest.param(
            {
                "education": "below_college",
                "required_education": "below_college",
                "education_requirement_reason": "艰苦边远岗位",
            },
            id="lowered-with-reason",
        ),
    ],
)
def test_it_lets_an_eligible_applicant_through_to_the_exam(
    recruitment, recorder, sample, drive, start
):
    outcome = drive(
        recruitment, sample.applicant(**start), sample.to_scores(), operators=recorder.registry
    )

    assert [task.bpmn_id for task in outcome.human_tasks] == ["record_scores"]
    assert outcome.data["eligible"] is True
    assert "Art. 10" in outcome.data["eligibility_reason"]
    assert outcome.data["disqualified"] is False
    assert recorder.calls == []
    assert not outcome.completed


# --------------------------------------------------------- Art. 11: disqualification


@pytest.mark.parametrize(
    ("review", "clause", "art", "fact"),
    [
        pytest.param(
            {"criminal_record": True},
            "第十一条第（一）项",
            "Art. 11(1)",
            "刑事处罚",
            id="1-penalty",
        ),
        pytest.param(
            {"criminal_proceedings_pending": True},
            "第十一条第（一）项",
            "Art. 11(1)",
            "司法程序尚未终结",
            id="1-pending",
        ),
        pytest.param(
            {"detained_or_rehab": True}, "第十一条第（二）项", "Art. 11(2)", "戒毒", id="2"
        ),
        pytest.param(
            {"expelled_public_servant": True},
            "第十一条第（三）项",
            "Art. 11(3)",
            "开除或者辞退",
            id="3",
        ),
        pytest.param(
            {"dishonest_blacklist": True}, "第十一条第（四）项", "Art. 11(4)", "失信", id="4"
        ),
        pytest.param(
            {
                "criminal_record": True,
                "criminal_proceedings_pending": True,
                "dishonest_blacklist": True,
            },
            "第十一条第（一）项",
            "Art. 11(1)",
            "刑事处罚",
            id="first-clause-wins",
        ),
    ],
)
def test_it_rejects_a_disqualified_applicant_citing_the_art_11_clause(
    recruitment, recorder, sample, drive, review, clause, art, fact
):
    outcome = drive(
        recruitment, sample.applicant(), sample.to_scores(**review), operators=recorder.registry
    )

    reason = assert_rejected(outcome, recorder, "reject_disqualified")
    assert clause in reason
    assert f"（{art}）" in reason
    assert fact in reason
    assert reason == outcome.data["disqualification_reason"]
    assert outcome.data["eligible"] is True
    assert outcome.data["disqualified"] is True


# ------------------------------------------------------------------ Art. 8: scores


def test_it_rejects_a_total_below_the_pass_line_quoting_both_numbers(
    recruitment, recorder, sample, drive
):
    outcome = drive(
        recruitment,
        sample.applicant(),
        sample.to_background(exam=50, interview=59),
        operators=recorder.registry,
    )

    reason = assert_rejected(outcome, recorder, "reject_low_score")
    assert outcome.data["total_score"] == 54.5
    assert outcome.data["pass_line"] == 60
    assert "第八条" in reason and "Art. 8" in reason
    assert "54.5分" in reason and "合格线60分" in reason


def test_it_passes_a_total_exactly_on_the_pass_line(recruitment, recorder, sample, drive):
    outcome = drive(
        recruitment,
        sample.applicant(),
        sample.to_background(exam=55, interview=65),
        operators=recorder.registry,
    )

    assert outcome.data["total_score"] == 60
    assert [task.bpmn_id for task in outcome.human_tasks] == ["background_check"]
    assert recorder.calls == []


def test_it_uses_the_pass_line_and_weights_preset_in_the_case_data(
    recruitment, recorder, sample, drive
):
    start = sample.applicant(pass_line=75, exam_weight=0.6, interview_weight=0.4)

    outcome = drive(
        recruitment, start, sample.to_background(exam=90, interview=40), operators=recorder.registry
    )

    reason = assert_rejected(outcome, recorder, "reject_low_score")
    assert outcome.data["total_score"] == 70.0  # 90 × 0.6 + 40 × 0.4, not the 0.5/0.5 default 65
    assert "合格线75分" in reason


@pytest.mark.parametrize(
    ("veteran", "bravery", "preferred"),
    [(True, False, True), (False, True, True), (True, True, True), (False, False, False)],
)
def test_it_marks_veterans_and_bravery_for_art_10_preference(
    recruitment, recorder, sample, drive, veteran, bravery, preferred
):
    outcome = drive(
        recruitment,
        sample.applicant(veteran=veteran, bravery=bravery),
        sample.to_background(),
        operators=recorder.registry,
    )

    assert outcome.data["preference"] is preferred
    assert outcome.data["total_score"] == 81.0  # preference never changes the score itself


# ------------------------------------------------------ background and health check


def test_it_requires_notes_when_the_background_check_fails(
    recruitment, recorder, sample, drive, roundtrip, task_in
):
    outcome = drive(
        recruitment, sample.applicant(), sample.to_background(), operators=recorder.registry
    )
    state = roundtrip(outcome.state)
    kept = copy.deepcopy(state)
    task = task_in(recruitment, state, "background_check")

    with pytest.raises(InvalidTaskData) as refused:
        engine.complete_task(
            recruitment, state, task.id, {"background_ok": False}, operators=recorder.registry
        )

    assert "background_notes" in refused.value.errors
    assert state == kept
    assert recorder.calls == []


def test_it_rejects_a_failed_background_check_citing_art_10(recruitment, recorder, sample, drive):
    steps = [
        *sample.to_background(),
        ("background_check", {"background_ok": False, "background_notes": "考察发现品行问题"}),
    ]

    outcome = drive(recruitment, sample.applicant(), steps, operators=recorder.registry)

    reason = assert_rejected(outcome, recorder, "reject_background")
    assert "第十条" in reason and "Art. 10(1)(5)" in reason
    assert outcome.data["background_notes"] == "考察发现品行问题"


def test_it_rejects_a_failed_health_check_citing_art_10_6(recruitment, recorder, sample, drive):
    health = dict(sample.health_ok, health_ok=False)

    outcome = drive(
        recruitment,
        sample.applicant(),
        [*sample.to_health(), ("health_check", health)],
        operators=recorder.registry,
    )

    reason = assert_rejected(outcome, recorder, "reject_health")
    assert "第十条第（六）项" in reason and "Art. 10(6)" in reason
    assert "set_notice_period" not in [record.bpmn_id for record in outcome.ran]


# ------------------------------------------------------------ Art. 8: public notice


def test_it_waits_on_the_public_notice_timer_until_it_is_due(
    recruitment, recorder, sample, drive, roundtrip, ready_ids
):
    with time_machine.travel(T0, tick=False) as clock:
        outcome = drive(
            recruitment, sample.applicant(), sample.to_notice(), operators=recorder.registry
        )

        assert outcome.human_tasks == ()
        assert not outcome.completed
        # Five working days (Mon-Fri without a holiday calendar): from Monday 7 April to
        # the end of Monday 14 April, local time.
        due = datetime(2025, 4, 14, 23, 59, 59, tzinfo=timezone(timedelta(hours=8)))
        assert outcome.wake_at == due
        assert outcome.data["notice_period"] == f"PT{int((due - T0).total_seconds())}S"
        assert [r.bpmn_id for r in outcome.ran][-2:] == ["gateway_health", "set_notice_period"]

        clock.move_to(due - timedelta(minutes=1))
        state = roundtrip(outcome.state)
        early = engine.advance(recruitment, state, operators=recorder.registry)

        assert early.human_tasks == ()
        assert early.ran == ()
        assert early.wake_at == outcome.wake_at
        assert early.state == state

        clock.move_to(due + timedelta(seconds=1))
        woken = engine.advance(recruitment, roundtrip(early.state), operators=recorder.registry)

    assert [task.bpmn_id for task in woken.human_tasks] == ["approve_hire"]
    assert ready_ids(recruitment, roundtrip(woken.state)) == ["approve_hire"]
    assert woken.wake_at is None
    assert [record.bpmn_id for record in woken.ran] == ["public_notice"]
    assert recorder.calls == []


def test_it_takes_a_notice_period_preset_in_the_case_data(recruitment, recorder, sample, drive):
    with time_machine.travel(T0, tick=False):
        outcome = drive(
            recruitment,
            sample.applicant(notice_period="P7D"),
            sample.to_notice(),
            operators=recorder.registry,
        )

    assert outcome.wake_at == T0 + timedelta(days=7)
    assert outcome.data["notice_period"] == "P7D"


# --------------------------------------------------------------- Art. 5: approval


def test_it_refuses_a_rejection_without_reason_and_keeps_the_state(
    recruitment, recorder, sample, drive, roundtrip, task_in
):
    outcome = drive(
        recruitment, sample.applicant(), sample.to_notice(), operators=recorder.registry
    )
    with time_machine.travel(outcome.wake_at + timedelta(seconds=1), tick=False):
        outcome = engine.advance(recruitment, roundtrip(outcome.state), operators=recorder.registry)
    state = roundtrip(outcome.state)
    kept = copy.deepcopy(state)
    task = task_in(recruitment, state, "approve_hire")

    for data in ({"decision": "reject"}, {"decision": "reject", "reason": ""}):
        with pytest.raises(InvalidTaskData) as refused:
            engine.complete_task(recruitment, state, task.id, data, operators=recorder.registry)
        assert list(refused.value.errors) == ["reason"]
        assert state == kept

    assert task_in(recruitment, state, "approve_hire").id == task.id
    assert recorder.calls == []


def test_it_rejects_when_the_approver_disagrees_quoting_the_reason(
    recruitment, recorder, sample, drive
):
    steps = [
        *sample.to_notice(),
        ("approve_hire", {"decision": "reject", "reason": "本年度核定数量已满"}),
    ]

    outcome = drive(recruitment, sample.applicant(), steps, operators=recorder.registry)

    reason = assert_rejected(outcome, recorder, "reject_not_approved")
    assert "Art. 5" in reason and "第五条" in reason
    assert reason.endswith("：本年度核定数量已满")


def test_it_refuses_a_dispatch_contract_without_a_company(
    recruitment, recorder, sample, drive, roundtrip, task_in
):
    outcome = drive(
        recruitment,
        sample.applicant(),
        [*sample.to_notice(), ("approve_hire", sample.approve)],
        operators=recorder.registry,
    )
    state = roundtrip(outcome.state)
    kept = copy.deepcopy(state)
    task = task_in(recruitment, state, "sign_contract")

    for company in ({}, {"dispatch_company": ""}):
        data = dict(sample.contract_unit, employment_mode="dispatch", **company)
        with pytest.raises(InvalidTaskData) as refused:
            engine.complete_task(recruitment, state, task.id, data, operators=recorder.registry)
        assert "dispatch_company" in refused.value.errors
        assert state == kept
    assert recorder.calls == []


@pytest.mark.parametrize(
    ("contract", "expected_company"),
    [
        pytest.param({}, "", id="unit"),
        pytest.param(
            {"dispatch_company": "安徽皖西人力资源有限公司"}, "", id="unit-ignores-company"
        ),
        pytest.param(
            {"employment_mode": "dispatch", "dispatch_company": "安徽皖西人力资源有限公司"},
            "安徽皖西人力资源有限公司",
            id="dispatch",
        ),
    ],
)
def test_it_hires_an_approved_applicant_with_the_contract_terms(
    recruitment, recorder, sample, drive, contract, expected_company
):
    terms = dict(sample.contract_unit, **contract)
    steps = [*sample.to_notice(), ("approve_hire", sample.approve), ("sign_contract", terms)]

    outcome = drive(recruitment, sample.applicant(), steps, operators=recorder.registry)

    assert recorder.only("staff_hire") == {
        "employment_mode": terms["employment_mode"],
        "dispatch_company": expected_company,
        "contract_start": terms["contract_start"],
        "contract_end": terms["contract_end"],
    }
    assert outcome.completed
    assert outcome.human_tasks == ()
    assert outcome.wake_at is None
    assert outcome.data["hire_result"] == recorder.results["staff_hire"]
    assert "reject_result" not in outcome.data
    assert [record.bpmn_id for record in outcome.ran] == ["hire", "hired_end"]
    call = recorder.calls[0][2]
    assert call.task_bpmn_id == "hire"
    assert "Art. 9" in call.documentation


# ------------------------------------------------------------------ human tasks


@pytest.mark.parametrize(
    ("bpmn_id", "lane", "form_name", "due_in", "steps"),
    [
        ("review_application", "hr_officer", "application_review.json", "P3D", []),
        ("record_scores", "hr_officer", "scores.json", "P15D", ["to_scores"]),
        ("background_check", "hr_officer", "background_check.json", "P10D", ["to_background"]),
        ("health_check", "hr_officer", "health_check.json", "P10D", ["to_health"]),
        ("approve_hire", "approver", "approval.json", "3WD", ["to_notice", "wake"]),
        ("sign_contract", "hr_officer", "contract.json", "P5D", ["to_notice", "approve"]),
    ],
)
def test_it_hands_out_each_human_task_with_lane_form_deadline_and_citation(
    recruitment, recorder, sample, drive, roundtrip, bpmn_id, lane, form_name, due_in, steps
):
    path = getattr(sample, steps[0])() if steps else []
    if "approve" in steps:
        path = [*path, ("approve_hire", sample.approve)]
    outcome = drive(recruitment, sample.applicant(), path, operators=recorder.registry)
    if "wake" in steps:
        with time_machine.travel(outcome.wake_at + timedelta(seconds=1), tick=False):
            outcome = engine.advance(recruitment, roundtrip(outcome.state))

    (task,) = outcome.human_tasks
    assert task.bpmn_id == bpmn_id
    assert task.lane == lane
    assert task.form_name == form_name
    assert task.form == recruitment.forms[form_name]
    assert task.form["additionalProperties"] is False
    assert task.due_in == due_in
    assert ART.search(task.documentation)
    assert task.name and not task.name.isascii()


def test_it_offers_the_start_data_to_the_first_form(recruitment, sample, roundtrip):
    outcome = engine.start(recruitment, sample.applicant())
    (task,) = outcome.human_tasks

    seen = engine.human_task_data(recruitment, roundtrip(outcome.state), task.id)

    assert seen == sample.applicant()
