"""Demo data for `make run`: Lu'an's agencies, one login per role, and a living system.

Recruitment cases are driven through the real engine and services, so what a new
user sees was produced exactly as a real case would be. Staff in states that later
processes produce (on duty, suspended, separated, dismissed) are loaded as the
agencies' existing register, the way an agency brings its archive into Fuzhi.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from webapp.accounts.models import Agency, Grant, Membership
from webapp.accounts.services import routing_rules_seed
from webapp.cases.member_filings import appeal_open, suggestion_open
from webapp.cases.models import Case, HumanTask, TaskState
from webapp.cases.openings import (
    case_open_for_staff,
    complaint_open,
    recruitment_open,
    usage_plan_open,
)
from webapp.cases.scheduling import renewals_open, wake_due_cases
from webapp.cases.services import task_complete
from webapp.cases.supervision import correction_order_open, measures_filing_open
from webapp.demo import lu_an
from webapp.records.models import UsagePlan
from webapp.staff import lifecycle
from webapp.staff.accounts import member_account_ensure
from webapp.staff.duties import duty_assign
from webapp.staff.models import Certificate, MemberAccount, Staff, StaffState

DEMO_PASSWORD = "fuzhi-demo-2026"  # noqa: S105 - documented demo login, README

# The answers that pass the application review live beside the model (tests use them too).
CLEAN_REVIEW = json.loads((settings.BASE_DIR / "bpmn/recruitment/examples.json").read_text())[
    "review_application"
]
SCORES = {"exam_score": 82, "interview_score": 88}
BACKGROUND = {"background_ok": True, "background_notes": "政审、考察无异常"}
HEALTH = {"health_ok": True, "health_hospital": "六安市人民医院", "health_exam_date": "2026-11-02"}
APPROVE = {"decision": "approve", "reason": "符合录用条件"}
CONTRACT = {"employment_mode": "unit", "contract_start": "2026-12-01", "contract_end": "2029-11-30"}

TRAINING_PASS: list[tuple[str, dict[str, Any]]] = [
    (
        "enrol",
        {
            "course_name": "行政执法辅助人员岗前培训",
            "course_start": "2026-11-02",
            "course_end": "2026-11-13",
        },
    ),
    ("record_training", {"training_hours": 40, "training_completed": True}),
    ("record_exam", {"exam_score": 88}),
]
EXCELLENT = {
    "discipline_rating": 5,
    "performance_rating": 5,
    "conduct_rating": 5,
    "training_rating": 4,
    "assessment_remarks": "全年无投诉，窗口服务评价高",
}
POOR = {
    "discipline_rating": 1,
    "performance_rating": 2,
    "conduct_rating": 2,
    "training_rating": 3,
    "assessment_remarks": "多次脱岗，经批评教育未改正",
}

USAGE_PLAN = {
    "post": "城管协管员",
    "headcount": 8,
    "employment_mode": "dispatch",
    "dispatch_company": "六安市皖西人力资源有限公司",
    "education_requirement": "college",
    "duties_summary": "协助开展市容巡查，维护执法现场秩序",
}

# seq -> the steps to drive (by user task id), or a register state for imported staff.
RECRUITMENT_STEPS: dict[int, list[tuple[str, dict[str, Any]]]] = {
    1: [
        ("review_application", CLEAN_REVIEW),
        ("record_scores", SCORES),
        ("background_check", BACKGROUND),
        ("health_check", HEALTH),
        ("approve_hire", APPROVE),
        ("sign_contract", CONTRACT),
    ],
    2: [],
    3: [
        ("review_application", CLEAN_REVIEW),
        ("record_scores", SCORES),
        ("background_check", BACKGROUND),
        ("health_check", HEALTH),
    ],
    4: [("review_application", CLEAN_REVIEW)],
    5: [("review_application", CLEAN_REVIEW)],  # below junior college: Art. 10(4) refuses
    6: [
        ("review_application", CLEAN_REVIEW),
        ("record_scores", SCORES),
        ("background_check", BACKGROUND),
        ("health_check", HEALTH),
    ],
    7: [
        ("review_application", CLEAN_REVIEW),
        ("record_scores", SCORES),
        ("background_check", BACKGROUND),
        ("health_check", HEALTH),
        ("approve_hire", APPROVE),
        (
            "sign_contract",
            {
                **CONTRACT,
                "employment_mode": "dispatch",
                "dispatch_company": "六安市皖西人力资源有限公司",
            },
        ),
    ],
    8: [],
    9: [("review_application", {**CLEAN_REVIEW, "dishonest_blacklist": True})],  # Art. 11(4)
}
# The public notice period is five days; these demo cases have already served it.
NOTICE_SERVED = {1, 3, 7}
REGISTER_STATES = {
    10: StaffState.ON_DUTY,
    11: StaffState.SUSPENDED,
    12: StaffState.ON_DUTY,
    13: StaffState.SEPARATED,
    14: StaffState.DISMISSED,
    15: StaffState.ON_DUTY,
    16: StaffState.SUSPENDED,
    17: StaffState.ON_DUTY,
    18: StaffState.SEPARATED,
    19: StaffState.ON_DUTY,
    20: StaffState.DISMISSED,
}


def seed_demo() -> dict[str, int]:
    """Create what is missing; running it again changes nothing."""
    with transaction.atomic():
        routing_rules_seed()
        agencies = _agencies()
        users = _users(agencies)
        _approved_plans(agencies)
    created = 0
    for person in lu_an.DEMO_STAFF:
        if Staff.objects.filter(id_number=lu_an.demo_staff_id_number(person)).exists():
            continue
        created += 1
        if person["seq"] in RECRUITMENT_STEPS:
            _recruit(person, agencies[person["agency"]], users)
        else:
            _register(person, agencies[person["agency"]])
    if created:
        _living_cases(agencies, users)
    return {"agencies": len(agencies), "users": len(users), "staff_created": created}


def _agencies() -> dict[str, Agency]:
    agencies: dict[str, Agency] = {}
    for row in lu_an.AGENCIES:  # parents come before children
        agency, _ = Agency.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "name_en": row["name_en"],
                "kind": row["kind"],
                "parent": agencies.get(row["parent"]) if row["parent"] else None,
                "quota": row["quota"],
                "area_code": row["area_code"],
                "oversight_role": lu_an.OVERSIGHT_BODIES.get(row["code"], ""),
            },
        )
        agencies[row["code"]] = agency
    return agencies


def _approved_plans(agencies: dict[str, Agency]) -> None:
    """The plans each recruiting agency had approved before Fuzhi (Art. 8, 9)."""
    for code in ("LA-CG", "JA-CG"):
        agency = agencies[code]
        if not UsagePlan.objects.filter(agency=agency, approved=True).exists():
            UsagePlan.objects.create(
                agency=agency,
                post="城管协管员",
                headcount=min(agency.quota, 12),
                employment_mode="unit",
                approved=True,
            )


def _users(agencies: dict[str, Agency]) -> dict[str, Any]:
    users: dict[str, Any] = {}
    model = get_user_model()
    for row in lu_an.DEMO_USERS:
        user, created = model.objects.get_or_create(
            username=row["username"], defaults={"last_name": row["name"]}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        Membership.objects.get_or_create(
            user=user, agency=agencies[row["agency"]], role=row["role"]
        )
        for code in row["grants"]:
            Grant.objects.get_or_create(user=user, agency=agencies[code])
        users[row["username"]] = user
    return users


def _people_of(agency: Agency, users: dict[str, Any]) -> tuple[Any, Any]:
    suffix = {"LA-CG": "cg", "JA-CG": "ja"}[agency.code]
    return users[f"hr_{suffix}"], users[f"approver_{suffix}"]


def _recruit(person: lu_an.DemoStaff, agency: Agency, users: dict[str, Any]) -> None:
    hr, approver = _people_of(agency, users)
    fields = {
        "agency": agency,
        "name": person["name"],
        "id_number": lu_an.demo_staff_id_number(person),
        "education": person["education"],
        "post": person["post"],
        "veteran": person["veteran"],
        "bravery": person["bravery"],
        "required_education": "college",
        "education_requirement_reason": "",
        "phone": f"1385640{person['seq']:04d}",
        "address": "安徽省六安市金安区梅山南路 88 号",
    }
    if person["seq"] in NOTICE_SERVED:
        fields["notice_period"] = "PT0S"  # the five-day notice was served before the import
    case = recruitment_open(user=hr, fields=fields)
    for bpmn_id, data in RECRUITMENT_STEPS[person["seq"]]:
        if bpmn_id == "approve_hire":
            wake_due_cases()
        task = HumanTask.objects.get(
            case=case, bpmn_id=bpmn_id, state__in=[TaskState.OPEN, TaskState.CLAIMED]
        )
        actor = approver if task.role == "approver" else hr
        task_complete(task_id=task.pk, user=actor, data=data, comment="演示数据")
    wake_due_cases()


def _register(person: lu_an.DemoStaff, agency: Agency) -> None:
    staff = Staff.objects.create(
        name=person["name"],
        id_number=lu_an.demo_staff_id_number(person),
        gender=person["gender"],
        birth_date=person["birth_date"],
        education=person["education"],
        veteran=person["veteran"],
        bravery=person["bravery"],
        agency=agency,
        post=person["post"],
        employment_mode=person["employment_mode"],
        dispatch_company="六安市皖西人力资源有限公司"
        if person["employment_mode"] == "dispatch"
        else "",
        contract_start=date(2024, 3, 1),
        contract_end=date(2027, 2, 28),
        social_insurance=True,
        housing_fund=True,
    )
    # The existing register arrives with its states, certificates and marks; no case
    # produced them in Fuzhi.
    state = REGISTER_STATES[person["seq"]]
    if state in (StaffState.ON_DUTY, StaffState.SUSPENDED):
        lifecycle.certificate_issue(staff)
        lifecycle.marks_issue(staff, ["badge", "armband"])
        if state == StaffState.SUSPENDED:
            Certificate.objects.filter(staff=staff).update(state="suspended")
    Staff.objects.filter(pk=staff.pk).update(state=state)


def _staff(seq: int) -> Staff:
    person = next(p for p in lu_an.DEMO_STAFF if p["seq"] == seq)
    staff: Staff = Staff.objects.get(id_number=lu_an.demo_staff_id_number(person))
    return staff


def _drive(case: Case, steps: list[tuple[str, dict[str, Any]]], people: dict[str, Any]) -> None:
    for bpmn_id, data in steps:
        task = HumanTask.objects.get(
            case=case, bpmn_id=bpmn_id, state__in=[TaskState.OPEN, TaskState.CLAIMED]
        )
        task_complete(task_id=task.pk, user=people[task.role], data=data, comment="演示数据")


def _living_cases(agencies: dict[str, Agency], users: dict[str, Any]) -> None:
    """An open case of every process, so a new user sees each one at work."""
    cg = {
        "hr_officer": users["hr_cg"],
        "approver": users["approver_cg"],
        "trainer": users["trainer_cg"],
        "legal_reviewer": users["legal_cg"],
    }
    ja = {
        "hr_officer": users["hr_ja"],
        "approver": users["approver_ja"],
        "trainer": users["trainer_ja"],
        "legal_reviewer": users["legal_ja"],
    }
    wang = _staff(1)  # hired through the demo recruitment
    training = case_open_for_staff(process_id="training", staff=wang, actor=cg["hr_officer"])
    _drive(training, TRAINING_PASS, cg)  # certificate and marks issued, now on duty
    wang.refresh_from_db()
    duty_assign(staff=wang, duty="clerical", user=cg["hr_officer"], note="窗口资料录入")
    assessment = case_open_for_staff(process_id="assessment", staff=wang, actor=cg["hr_officer"])
    _drive(assessment, [("rate_member", EXCELLENT)], cg)  # waits for the approver
    case_open_for_staff(process_id="commendation", staff=wang, actor=cg["hr_officer"])
    complaint_open(
        agency=wang.agency,
        actor=cg["hr_officer"],
        staff=wang,
        complainant_name="市民李某",
        complainant_contact="13800000000",
        complaint_text="执勤时态度生硬，希望改进。",
    )
    usage_plan_open(agency=agencies["LA-CG"], actor=cg["hr_officer"])  # HR drafts it
    # Agreed by the bureau, now with the city's staffing office (Art. 5, 9).
    plan = usage_plan_open(agency=agencies["LA-CG"], actor=cg["hr_officer"])
    _drive(plan, [("draft_plan", USAGE_PLAN), ("approve_plan", {"decision_plan": "approve"})], cg)
    case_open_for_staff(process_id="training", staff=_staff(7), actor=ja["hr_officer"])
    failing = case_open_for_staff(process_id="assessment", staff=_staff(10), actor=ja["hr_officer"])
    _drive(failing, [("rate_member", POOR), ("confirm_grade", {"decision": "approve"})], ja)
    case_open_for_staff(process_id="discipline", staff=_staff(11), actor=ja["hr_officer"])
    case_open_for_staff(process_id="liability", staff=_staff(11), actor=ja["hr_officer"])
    # A member of a demo agency with logins, so the renewal reaches its HR officer.
    Staff.objects.filter(pk=_staff(11).pk).update(contract_end=date(2027, 1, 15))
    renewals_open(today=date(2026, 11, 27))  # contracts ending within 60 days
    _members_and_supervision(agencies, users, wang, failing)


def _member_login(staff: Staff, username: str) -> Any:
    """A demo member's own account with the demo password, already changed (README)."""
    user = member_account_ensure(staff).user
    user.username = username
    user.set_password(DEMO_PASSWORD)
    user.save()
    MemberAccount.objects.filter(user=user).update(must_change_password=False)
    return user


def _members_and_supervision(
    agencies: dict[str, Agency], users: dict[str, Any], wang: Staff, failing: Case
) -> None:
    """Art. 12: a member's suggestion and an appeal against a failed grade; Art. 22, 26: a
    correction order awaiting the agency's report and detailed measures being filed."""
    suggestion_open(user=_member_login(wang, "member_cg"), text="建议为夜间巡查配备执法记录仪。")
    appellant = _member_login(_staff(10), "member_ja")
    appeal_open(
        user=appellant, decision_case_id=failing.pk, reason="考核期间病假三个月，评分未予考虑。"
    )
    correction_order_open(
        user=users["justice_la"],
        agency=agencies["LA-CG"],
        findings="抽查发现辅助人员单独开展调查取证，违反《办法》第十四条。",
        deadline=timezone.localdate() + timedelta(days=30),
    )
    measures_filing_open(
        user=users["hr_cg"],
        agency=agencies["LA-CG"],
        title="六安市城市管理局行政执法辅助人员管理实施细则",
        text="第一条 为规范本局行政执法辅助人员管理，根据《办法》第二十六条，制定本细则。",
        adopted_on=date(2026, 3, 1),
    )
