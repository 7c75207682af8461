"""Refusals found by driving the application as an integrator would (issue 13): each is
refused at the step that should refuse it, names its article and field in the user's
language, and leaves the data as it was."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from processes.errors import ModelRefused, ScriptFailed
from processes.sandbox.environment import RestrictedEnvironment
from tests.fixtures import _user, make_id
from webapp.accounts.models import Agency, AgencyKind, Membership
from webapp.accounts.roles import Role
from webapp.cases.models import Case, CaseEvent, HumanTask
from webapp.cases.openings import case_open_for_staff
from webapp.cases.services import task_claim, task_complete, task_release
from webapp.errors import FormInvalid, StepRefused
from webapp.public.selectors import complaint_agencies
from webapp.records.models import Assessment
from webapp.staff.models import Staff, StaffState

from .flows import APPROVE, case_at_approval, open_task
from .test_lifecycle_operators import member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _deployed(models_deployed: Any) -> Any:
    return models_deployed


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_contract_ending_before_it_starts_is_refused_on_its_end_date(hr, approver, agency):
    case = case_at_approval(hr, approver, agency)
    task_complete(task_id=open_task(case, "approve_hire").pk, user=approver, data=APPROVE)
    task = open_task(case, "sign_contract")
    body = {
        "data": {
            "employment_mode": "unit",
            "contract_start": "2026-12-10",
            "contract_end": "2026-12-09",
        }
    }
    answer = _api(hr).post(f"/api/tasks/{task.pk}/complete/", body, format="json")
    assert answer.status_code == 400, answer.json()
    error = answer.json()
    assert error["article"] == "Art. 9"
    assert "contract_end" in error["fields"]
    assert "2026-12-09" in error["message"]
    # Nothing landed: the applicant is not hired and the task still waits.
    assert Staff.objects.get(pk=case.subject_id).state == StaffState.APPLICANT
    assert HumanTask.objects.get(pk=task.pk).is_active


def test_the_contract_page_marks_the_end_date_field(client, hr, approver, agency):
    case = case_at_approval(hr, approver, agency)
    task_complete(task_id=open_task(case, "approve_hire").pk, user=approver, data=APPROVE)
    task = open_task(case, "sign_contract")
    client.force_login(hr)
    page = client.post(
        f"/inbox/tasks/{task.pk}/",
        {"employment_mode": "unit", "contract_start": "2026-12-10", "contract_end": "2026-12-01"},
    )
    assert page.status_code == 400
    assert "contract_end" in page.context["form"].errors


def _liability_at_dispatch_fault(agency: Any, hr: Any, approver: Any) -> Case:
    staff = member(agency, 7, StaffState.ON_DUTY)
    Staff.objects.filter(pk=staff.pk).update(employment_mode="dispatch")
    staff.refresh_from_db()
    case = case_open_for_staff(process_id="liability", staff=staff, actor=hr)
    incident = {
        "incident_date": "2026-03-01",
        "incident_description": "巡查中碰坏商户招牌",
        "damage_amount": 1000,
    }
    task_complete(task_id=open_task(case, "record_incident").pk, user=hr, data=incident)
    compensation = {"compensation_amount": 800, "compensation_reason": "依法赔偿"}
    task_complete(
        task_id=open_task(case, "decide_compensation").pk, user=approver, data=compensation
    )
    return case


def test_a_liability_rule_refusal_says_the_models_sentence_citing_art_24(agency, hr, approver):
    case = _liability_at_dispatch_fault(agency, hr, approver)
    task = open_task(case, "assess_dispatch_fault")
    with pytest.raises(StepRefused) as refused:
        task_complete(
            task_id=task.pk,
            user=hr,
            data={"dispatch_company_at_fault": True, "dispatch_share_amount": 900},
        )
    message = refused.value.message
    assert message.startswith("劳务派遣单位承担金额900")
    assert "第二十四条（Art. 24）" in message
    assert "script" not in message and "line" not in message and "raise" not in message
    assert refused.value.article == "Art. 24"
    assert HumanTask.objects.get(pk=task.pk).is_active


def test_a_builtins_value_error_is_still_a_failure_not_a_models_refusal() -> None:
    environment = RestrictedEnvironment()
    with pytest.raises(ScriptFailed) as failed:
        environment.execute("x = int('abc')", {}, {})
    assert not isinstance(failed.value, ModelRefused)
    with pytest.raises(ModelRefused) as refused:
        environment.execute("raise ValueError('金额不符（Art. 24）')", {}, {})
    assert refused.value.reason == "金额不符（Art. 24）"


def test_a_numbers_schema_limit_is_said_in_chinese_not_the_validators_english(agency, hr, approver):
    case = _liability_at_dispatch_fault(agency, hr, approver)
    task = open_task(case, "assess_dispatch_fault")
    body = {"data": {"dispatch_company_at_fault": True, "dispatch_share_amount": 0}}
    answer = _api(hr).post(
        f"/api/tasks/{task.pk}/complete/", body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert answer.status_code == 400
    said = answer.json()["fields"]["dispatch_share_amount"]
    assert said == "请填写大于 0 的数值。", said
    # The engine's own refusal (a service calling without the form) says it the same way.
    with translation.override("zh-hans"), pytest.raises(FormInvalid) as refused:
        task_complete(task_id=task.pk, user=hr, data=body["data"])
    assert refused.value.errors == {"dispatch_share_amount": "请填写大于 0 的数值。"}


def test_the_schema_and_the_server_agree_that_required_education_defaults_to_college(hr, agency):
    schema = APIClient().get("/api/schema/?format=json").json()
    body = schema["components"]["schemas"]["RecruitmentRequest"]
    assert "required_education" not in body.get("required", [])
    assert body["properties"]["required_education"]["default"] == "college"
    application = {
        "agency": agency.pk,
        "name": "王五",
        "id_number": "341502199505050011",
        "education": "bachelor",
        "post": "城管协管员",
    }
    application["id_number"] = make_id(date(1995, 5, 5), 11)
    answer = _api(hr).post("/api/recruitments/", application, format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["data"]["required_education"] == "college"


def test_an_id_number_refusal_names_its_article_and_field(hr, agency):
    valid = make_id(date(1995, 5, 5), 12)
    wrong_check_digit = valid[:-1] + ("0" if valid[-1] != "0" else "1")
    application = {
        "agency": agency.pk,
        "name": "王五",
        "id_number": wrong_check_digit,
        "education": "bachelor",
        "post": "城管协管员",
    }
    answer = _api(hr).post(
        "/api/recruitments/", application, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert answer.status_code == 400
    error = answer.json()
    assert error["article"] == "Art. 10"
    assert "校验" in error["fields"]["id_number"]
    assert not Staff.objects.exists()


def test_the_complaint_pages_description_limit_is_said_plainly(client):
    page = client.post("/complaints/", {"description": "太差", "agency": ""})
    errors = page.context["form"].errors["description"]
    assert errors == ["请至少用 5 个字描述事情经过。"]


def test_a_second_separation_is_refused_while_one_runs(agency, hr):
    staff = member(agency, 3, StaffState.ON_DUTY)
    first = case_open_for_staff(process_id="separation", staff=staff, actor=hr)
    with pytest.raises(StepRefused) as refused:
        case_open_for_staff(process_id="separation", staff=staff, actor=hr)
    assert first.business_key in refused.value.message
    assert refused.value.article == "Art. 21" and refused.value.field == "process"
    assert Case.objects.filter(subject=staff).count() == 1


def test_a_second_assessment_of_the_year_is_refused_at_opening(agency, hr, approver):
    staff = member(agency, 4, StaffState.ON_DUTY)
    case = case_open_for_staff(process_id="assessment", staff=staff, actor=hr)
    with pytest.raises(StepRefused) as refused:
        case_open_for_staff(process_id="assessment", staff=staff, actor=hr)
    assert refused.value.article == "Art. 20"
    ratings = {
        "discipline_rating": 4,
        "performance_rating": 4,
        "conduct_rating": 4,
        "training_rating": 4,
        "assessment_remarks": "良好",
    }
    task_complete(task_id=open_task(case, "rate_member").pk, user=hr, data=ratings)
    task_complete(
        task_id=open_task(case, "confirm_grade").pk, user=approver, data={"decision": "approve"}
    )
    assert Assessment.objects.filter(staff=staff).count() == 1
    with pytest.raises(StepRefused) as again:
        case_open_for_staff(process_id="assessment", staff=staff, actor=hr)
    assert again.value.article == "Art. 20"
    assert Case.objects.filter(subject=staff, status="running").count() == 0


def test_the_complaint_form_offers_no_oversight_body(agency, city):
    bureau = Agency.objects.create(
        code="LA-SF", name="六安市司法局", kind=AgencyKind.ADMIN_ORGAN, parent=city, quota=5
    )
    office = Agency.objects.create(
        code="LA-BB", name="六安市委编办", kind=AgencyKind.ADMIN_ORGAN, parent=city
    )
    Membership.objects.create(user=_user("justice", None), agency=bureau, role=Role.JUSTICE_BUREAU)
    Membership.objects.create(
        user=_user("staffing", None), agency=office, role=Role.STAFFING_OFFICE
    )
    offered = set(complaint_agencies())
    assert agency in offered and bureau not in offered and office not in offered


def test_claim_release_and_completion_events_cite_their_articles(hr, approver, agency):
    case = case_at_approval(hr, approver, agency)
    task = open_task(case, "approve_hire")
    task_claim(task_id=task.pk, user=approver)
    task_release(task_id=task.pk, user=approver)
    events = {e.kind: e for e in CaseEvent.objects.filter(case=case)}
    assert events["task_claimed"].articles and events["task_released"].articles
    task_complete(task_id=task.pk, user=approver, data={"decision": "reject", "reason": "不同意"})
    done = CaseEvent.objects.get(case=case, kind="case_completed")
    assert "Art. " in done.articles
