"""Helpers that drive a recruitment case through the real services."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.examples import CLEAN_REVIEW
from webapp.cases.models import Case, HumanTask, TaskState
from webapp.cases.openings import recruitment_open
from webapp.cases.scheduling import wake_due_cases
from webapp.cases.services import task_complete

from .conftest import make_id

SCORES = {"exam_score": 80, "interview_score": 90}
BACKGROUND = {"background_ok": True}
HEALTH = {"health_ok": True, "health_hospital": "六安市人民医院", "health_exam_date": "2026-11-02"}
APPROVE = {"decision": "approve", "reason": "同意"}
CONTRACT = {"employment_mode": "unit", "contract_start": "2026-12-01", "contract_end": "2029-11-30"}
TO_APPROVAL = [
    ("review_application", CLEAN_REVIEW),
    ("record_scores", SCORES),
    ("background_check", BACKGROUND),
    ("health_check", HEALTH),
]


def application(agency: Any, seq: int = 1, **overrides: Any) -> dict[str, Any]:
    fields = {
        "agency": agency,
        "name": f"申请人{seq}",
        "id_number": make_id(date(1995, 5, 5), seq),
        "education": "bachelor",
        "post": "城管协管员",
        "veteran": False,
        "bravery": False,
        "required_education": "college",
        "education_requirement_reason": "",
    }
    fields.update(overrides)
    return fields


def open_task(case: Case, bpmn_id: str) -> HumanTask:
    return HumanTask.objects.get(
        case=case, bpmn_id=bpmn_id, state__in=[TaskState.OPEN, TaskState.CLAIMED]
    )


def drive(
    case: Case, steps: list[tuple[str, dict[str, Any]]], hr: Any, approver: Any, other: Any = None
) -> Case:
    """Complete the steps in order: approver lane to ``approver``, HR lane to ``hr``, any
    other lane (trainer, legal reviewer...) to ``other``."""
    for bpmn_id, data in steps:
        task = open_task(case, bpmn_id)
        user = {"approver": approver, "hr_officer": hr}.get(task.role, other)
        case = task_complete(task_id=task.pk, user=user, data=data, comment="")
    return case


def case_at_approval(hr: Any, approver: Any, agency: Any, seq: int = 1) -> Case:
    """A recruitment case whose public notice has been served (notice period zero)."""
    case = recruitment_open(user=hr, fields=application(agency, seq, notice_period="PT0S"))
    drive(case, TO_APPROVAL, hr, approver)
    wake_due_cases()
    case.refresh_from_db()
    return case


# A usage plan (Art. 8, 9): drafted by HR, agreed by the agency's approver, checked by the
# staffing office, approved by HR & social security, announced by HR.
PLAN = {
    "post": "城管协管员",
    "headcount": 2,
    "employment_mode": "unit",
    "education_requirement": "college",
    "duties_summary": "协助开展市容巡查",
}
APPROVE_PLAN = {"decision_plan": "approve"}
APPROVE_QUOTA = {"decision_quota": "approve"}
APPROVE_HRSS = {"decision_hrss": "approve"}
ANNOUNCEMENT = {
    "announcement_date": "2026-12-01",
    "announcement_channel": "六安市人民政府门户网站",
    "announcement_states_education": True,
}
