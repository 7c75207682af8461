"""Consequences flow between processes as real cases, visible in both histories."""

from __future__ import annotations

from datetime import date

import pytest

from webapp.cases.models import Case, CaseEvent
from webapp.cases.openings import case_open_for_staff
from webapp.records.models import Assessment, Commendation
from webapp.staff.models import Certificate, Mark, StaffState

from .flows import drive
from .test_lifecycle_operators import member

pytestmark = pytest.mark.django_db

RATINGS = {
    "discipline_rating": 5,
    "performance_rating": 5,
    "conduct_rating": 4,
    "training_rating": 4,
    "assessment_remarks": "表现突出",
}
POOR = {
    "discipline_rating": 1,
    "performance_rating": 2,
    "conduct_rating": 2,
    "training_rating": 2,
    "assessment_remarks": "多次违反工作纪律",
}


@pytest.fixture(autouse=True)
def _deployed(models_deployed):
    return models_deployed


def trained(agency, hr, approver, trainer):
    staff = member(agency, 1)
    case = case_open_for_staff(process_id="training", staff=staff, actor=hr)
    drive(
        case,
        [
            (
                "enrol",
                {
                    "course_name": "岗前培训",
                    "course_start": "2026-12-01",
                    "course_end": "2026-12-10",
                },
            ),
            ("record_training", {"training_hours": 40, "training_completed": True}),
            ("record_exam", {"exam_score": 86}),
        ],
        hr,
        approver,
        other=trainer,
    )
    staff.refresh_from_db()
    return staff, Case.objects.get(pk=case.pk)


def test_it_certifies_a_member_who_passes_training(agency, hr, approver, trainer):
    staff, case = trained(agency, hr, approver, trainer)
    assert staff.state == StaffState.ON_DUTY
    certificate = Certificate.objects.get(staff=staff)
    assert certificate.number == f"LA-CG-{date.today().year}-0001" and certificate.is_valid
    assert set(Mark.objects.filter(staff=staff).values_list("kind", flat=True)) == {
        "badge",
        "armband",
    }
    assert case.status == "completed" and case.outcome == certificate.number
    assert not Case.objects.exclude(pk=case.pk).exists()  # passing starts nothing else


def test_it_opens_a_separation_review_after_a_failed_assessment(agency, hr, approver, trainer):
    staff, _ = trained(agency, hr, approver, trainer)
    case = case_open_for_staff(process_id="assessment", staff=staff, actor=hr)
    drive(case, [("rate_member", POOR), ("confirm_grade", {"decision": "approve"})], hr, approver)
    assert Assessment.objects.get(staff=staff).grade == "incompetent"
    linked = Case.objects.get(parent=case)
    assert linked.definition.process_id == "separation" and linked.subject == staff
    assert CaseEvent.objects.filter(
        case=case, kind="case_linked", title__contains=linked.business_key
    ).exists()
    opened = CaseEvent.objects.get(case=linked, kind="case_started")
    assert case.business_key in opened.comment
    assert linked.data["separation_reason"] == "failed_assessment"


def test_it_makes_an_excellent_member_a_commendation_candidate(agency, hr, approver, trainer):
    staff, _ = trained(agency, hr, approver, trainer)
    case = case_open_for_staff(process_id="assessment", staff=staff, actor=hr)
    drive(
        case, [("rate_member", RATINGS), ("confirm_grade", {"decision": "approve"})], hr, approver
    )
    linked = Case.objects.get(parent=case)
    assert linked.definition.process_id == "commendation"
    drive(
        linked,
        [
            (
                "nominate",
                {
                    "commendation_title": "outstanding_staff",
                    "commendation_level": "city",
                    "commendation_deeds": "全年零投诉",
                },
            ),
            ("approve_commendation", {"decision": "approve"}),
        ],
        hr,
        approver,
    )
    assert Commendation.objects.get(staff=staff).title


def test_it_refuses_training_for_someone_not_hired(agency, hr):
    from webapp.errors import StepRefused

    applicant = member(agency, 3, state=StaffState.APPLICANT)
    with pytest.raises(StepRefused):
        case_open_for_staff(process_id="training", staff=applicant, actor=hr)
    assert not Case.objects.exists()


NO_BREACH = {
    f"breach_{item}": False
    for item in (
        "impersonation",
        "refusal_of_duty",
        "record_tampering",
        "secret_disclosure",
        "corruption",
        "fraud",
        "public_interest",
        "misconduct",
        "business_activity",
        "drinking",
        "other",
    )
}
RETURNED = {"certificate_returned": True, "badge_returned": True, "armband_returned": True}
TRANSFER = {
    "social_insurance_transferred_on": "2026-12-20",
    "housing_fund_transferred_on": "2026-12-20",
}


def test_it_runs_a_complaint_through_discipline_to_dismissal(agency, hr, approver, trainer, legal):
    from webapp.cases.openings import complaint_open

    staff, _ = trained(agency, hr, approver, trainer)
    complaint = complaint_open(
        agency=agency,
        actor=hr,
        staff=staff,
        complainant_name="市民甲",
        complainant_contact="citizen@example.com",
        complaint_text="执勤时辱骂当事人",
    )
    drive(
        complaint,
        [
            ("triage", {"triage_decision": "accept"}),
            ("investigate_complaint", {"complaint_findings": "查证属实", "substantiated": True}),
            ("reply_complainant", {"complaint_reply": "已查实并移交违纪处理"}),
        ],
        hr,
        approver,
    )
    discipline = Case.objects.get(parent=complaint)
    assert discipline.definition.process_id == "discipline"
    drive(
        discipline,
        [
            ("record_report", {"report_source": "complaint", "report_summary": "群众投诉"}),
            (
                "investigate",
                {
                    **NO_BREACH,
                    "breach_misconduct": True,
                    "investigation_findings": "辱骂当事人属实",
                },
            ),
            ("legal_review", {"legal_opinion": "lawful"}),
            ("decide", {"discipline_decision": "termination", "discipline_reason": "情节严重"}),
            ("notify_member", {"member_notified_on": "2026-12-15"}),
        ],
        hr,
        approver,
        other=legal,
    )
    staff.refresh_from_db()
    assert staff.state == StaffState.SUSPENDED
    assert Certificate.objects.get(staff=staff).state == "suspended"
    separation = Case.objects.get(parent=discipline)
    assert separation.data["separation_reason"] == "discipline"
    drive(
        separation,
        [
            ("approve_separation", {"decision": "approve"}),
            (
                "recover_items",
                {**RETURNED, "armband_returned": False, "recovery_notes": "袖标待交回"},
            ),
        ],
        hr,
        approver,
    )
    assert Case.objects.get(pk=separation.pk).status == "running"  # Art. 21: not yet
    drive(separation, [("recover_items", RETURNED), ("transfer_insurance", TRANSFER)], hr, approver)
    staff.refresh_from_db()
    assert staff.state == StaffState.DISMISSED
    assert Certificate.objects.get(staff=staff).state == "revoked"
    assert Case.objects.get(pk=separation.pk).status == "completed"
