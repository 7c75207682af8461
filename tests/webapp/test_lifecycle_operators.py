"""The lifecycle operators on the real database: certificates, marks, recovery, leaving."""

from __future__ import annotations

from datetime import date
from types import MappingProxyType
from typing import Any

import pytest

from processes.errors import OperatorRefused
from processes.operators import OperatorCall
from webapp.cases.models import Case, Definition
from webapp.cases.operators import REGISTRY, StepContext
from webapp.staff.lifecycle import certificate_number
from webapp.staff.models import Certificate, Mark, Staff, StaffState

from .conftest import make_id

pytestmark = pytest.mark.django_db


def member(agency, seq=1, state=StaffState.HIRED) -> Staff:
    staff = Staff.objects.create(
        name=f"成员{seq}",
        id_number=make_id(date(1990, 1, 1), seq),
        birth_date=date(1990, 1, 1),
        education="college",
        agency=agency,
        post="协管员",
    )
    Staff.objects.filter(pk=staff.pk).update(state=state)
    return Staff.objects.get(pk=staff.pk)


def case_about(staff, hr) -> Case:
    definition, _ = Definition.objects.get_or_create(
        process_id="t", version=1, defaults={"name": "t", "content_hash": "x"}
    )
    return Case.objects.create(
        business_key=f"T-{staff.pk}",
        title="t",
        definition=definition,
        agency=staff.agency,
        subject=staff,
        state={},
        started_by=hr,
    )


def call(case: Case, name: str, actor: Any = None, **params: Any) -> tuple[dict, StepContext]:
    context = StepContext(case=case, actor=actor)
    result = REGISTRY.call(
        OperatorCall(
            name=name,
            params=params,
            task_bpmn_id="t",
            documentation="",
            data=MappingProxyType({}),
            context=context,
        )
    )
    return result, context


def test_it_numbers_certificates_per_agency_and_year(agency, other_agency, hr):
    first = call(case_about(member(agency, 1), hr), "certificate_issue")[0]
    second = call(case_about(member(agency, 2), hr), "certificate_issue")[0]
    third = call(case_about(member(other_agency, 3), hr), "certificate_issue")[0]
    year = date.today().year
    assert first["number"] == f"LA-CG-{year}-0001"
    assert second["number"] == f"LA-CG-{year}-0002"
    assert third["number"] == f"LA-JA-CG-{year}-0001"
    assert certificate_number(other_agency, 2030, 12) == "LA-JA-CG-2030-0012"
    assert first["state"] == StaffState.ON_DUTY


def test_it_issues_certificates_only_after_training(agency, hr):
    applicant = member(agency, 1, state=StaffState.APPLICANT)
    with pytest.raises(OperatorRefused, match=r"Art\. 19"):
        call(case_about(applicant, hr), "certificate_issue")
    assert not Certificate.objects.exists()


def test_it_suspends_and_restores_the_certificate_with_the_member(agency, hr):
    staff = member(agency)
    case = case_about(staff, hr)
    call(case, "certificate_issue")
    call(case, "staff_suspend", reason="待查")
    assert Certificate.objects.get().state == "suspended"
    call(case, "staff_reinstate")
    assert Certificate.objects.get().state == "issued"
    assert Staff.objects.get(pk=staff.pk).state == StaffState.ON_DUTY


def test_it_refuses_separation_until_everything_is_handed_back(agency, hr):
    staff = member(agency)
    case = case_about(staff, hr)
    call(case, "certificate_issue")
    call(case, "marks_issue", kinds=["badge", "armband"])
    with pytest.raises(OperatorRefused, match=r"Art\. 21"):
        call(case, "staff_separate", reason="辞职")
    result = call(
        case,
        "recovery_record",
        certificate_returned=True,
        badge_returned=True,
        armband_returned=False,
    )[0]
    assert result == {"complete": False, "missing": ["armband"]}
    with pytest.raises(OperatorRefused, match=r"Art\. 21"):
        call(case, "staff_separate", reason="辞职")
    assert call(case, "recovery_record", armband_returned=True)[0]["complete"] is True
    assert call(case, "staff_separate", reason="辞职")[0]["state"] == StaffState.SEPARATED
    assert Certificate.objects.get().state == "recovered"
    assert not Mark.objects.filter(recovered_at__isnull=True).exists()


def test_it_revokes_the_certificate_on_dismissal(agency, hr):
    staff = member(agency)
    case = case_about(staff, hr)
    call(case, "certificate_issue")
    call(case, "recovery_record", certificate_returned=True)
    result = call(case, "staff_dismiss", reason="严重违纪", article="Art. 23")[0]
    assert result["state"] == StaffState.DISMISSED
    assert Certificate.objects.get().state == "revoked"


def test_it_refuses_separating_someone_twice(agency, hr):
    staff = member(agency, state=StaffState.ON_DUTY)
    case = case_about(staff, hr)
    call(case, "staff_separate", reason="合同到期")
    with pytest.raises(OperatorRefused) as refused:
        call(case, "staff_separate", reason="合同到期")
    assert "成员1" in str(refused.value)


def test_it_refuses_a_hire_beyond_the_approved_plan(agency, hr):
    from webapp.records.models import UsagePlan

    UsagePlan.objects.filter(agency=agency).update(headcount=1)
    member(agency, 1, state=StaffState.ON_DUTY)
    applicant = member(agency, 2, state=StaffState.APPLICANT)
    with pytest.raises(OperatorRefused, match=r"Art\. 8"):
        call(case_about(applicant, hr), "staff_hire", employment_mode="unit")
    assert Staff.objects.get(pk=applicant.pk).state == StaffState.APPLICANT


def test_it_refuses_a_second_assessment_for_the_same_year(agency, hr):
    staff = member(agency, state=StaffState.ON_DUTY)
    case = case_about(staff, hr)
    call(case, "assessment_record", year=2026, grade="competent")
    with pytest.raises(OperatorRefused, match="2026"):
        call(case, "assessment_record", year=2026, grade="excellent")


def test_it_refuses_an_over_quota_usage_plan(agency, hr):
    staff = member(agency)
    case = case_about(staff, hr)
    check = call(case, "usage_plan_check", headcount=1)[0]
    assert check["within_quota"] is False and check["planned"] == 5 and check["quota"] == 5
    with pytest.raises(OperatorRefused, match=r"Art\. 9"):
        call(
            case,
            "usage_plan_record",
            post="协管员",
            headcount=1,
            employment_mode="unit",
            approved=True,
        )
    result = call(
        case,
        "usage_plan_record",
        post="协管员",
        headcount=1,
        employment_mode="unit",
        approved=False,
    )[0]
    assert result["approved"] is False
