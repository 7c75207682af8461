"""Routing is data (Art. 4, 5): a lane's role goes to the case's agency or to the body
acting for its level of government; a usage plan runs through all four bodies; a deploy
refuses a lane no rule routes; a task nobody can act on is named."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token

from processes.catalog import read_directory
from processes.errors import ModelError
from webapp.accounts.models import Agency, AgencyKind, Membership, RoutingRule
from webapp.accounts.roles import Role
from webapp.accounts.routing import task_agency
from webapp.cases.definitions import definition_deploy
from webapp.cases.openings import usage_plan_open
from webapp.cases.services import task_complete
from webapp.errors import NotPermitted
from webapp.records.models import UsagePlan
from webapp.security.integrity import check_all

from .flows import (
    ANNOUNCEMENT,
    APPROVE_HRSS,
    APPROVE_PLAN,
    APPROVE_QUOTA,
    PLAN,
    open_task,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(city):
    """霍山县: a county government with an agency and, for some tests, its own bodies."""
    government = Agency.objects.create(
        code="HS", name="霍山县人民政府", kind=AgencyKind.GOVERNMENT, parent=city
    )
    return Agency.objects.create(
        code="HS-CG",
        name="霍山县城市管理局",
        kind=AgencyKind.CONSOLIDATED,
        parent=government,
        quota=10,
    )


def test_it_routes_an_agencys_own_roles_to_the_case_agency(agency):
    for role in (Role.HR_OFFICER, Role.APPROVER, Role.LEGAL_REVIEWER, Role.TRAINER):
        assert task_agency(agency, role) == agency


def test_it_routes_an_oversight_role_to_the_body_of_the_case_agencys_government(
    agency, staffing, hrss
):
    assert task_agency(agency, Role.STAFFING_OFFICE).code == "LA-BB"
    assert task_agency(agency, Role.HRSS).code == "LA-RS"


def test_a_county_with_its_own_body_is_served_by_it_and_one_without_by_the_city(county, staffing):
    assert task_agency(county, Role.STAFFING_OFFICE).code == "LA-BB"
    own = Agency.objects.create(
        code="HS-BB",
        name="霍山县委编办",
        kind=AgencyKind.ADMIN_ORGAN,
        parent=county.parent,
        oversight_role=Role.STAFFING_OFFICE,
    )
    assert task_agency(county, Role.STAFFING_OFFICE) == own


def test_a_role_with_no_rule_or_no_body_routes_nowhere(agency):
    assert task_agency(agency, Role.HRSS) is None  # no body marked
    RoutingRule.objects.filter(role=Role.TRAINER).delete()
    assert task_agency(agency, Role.TRAINER) is None


def test_a_rule_changed_by_an_administrator_changes_where_tasks_go(agency, city):
    trainers = Agency.objects.create(
        code="LA-PX",
        name="市培训中心",
        kind=AgencyKind.ADMIN_ORGAN,
        parent=city,
        oversight_role=Role.TRAINER,
    )
    RoutingRule.objects.filter(role=Role.TRAINER).update(target="government_body")
    assert task_agency(agency, Role.TRAINER) == trainers


@pytest.fixture
def room(agency):
    """Room for the plan: the fixture agency's approved plans already fill its quota of 5."""
    agency.quota = 10
    agency.save()
    return agency


def _plan_at(case, bpmn_id, hr, approver, staffing):
    steps = [
        ("draft_plan", PLAN, hr),
        ("approve_plan", APPROVE_PLAN, approver),
        ("review_quota", APPROVE_QUOTA, staffing),
    ]
    for step, data, user in steps:
        if step == bpmn_id:
            break
        task_complete(task_id=open_task(case, step).pk, user=user, data=data)
    return open_task(case, bpmn_id)


def test_a_usage_plan_runs_through_the_agency_the_staffing_office_and_hrss(
    room, hr, approver, staffing, hrss, models_deployed
):
    agency = room
    case = usage_plan_open(agency=agency, actor=hr)
    review = _plan_at(case, "review_quota", hr, approver, staffing)
    assert review.agency.code == "LA-BB"
    with pytest.raises(NotPermitted):  # the agency's approver is not the staffing office
        task_complete(task_id=review.pk, user=approver, data=APPROVE_QUOTA)
    task_complete(task_id=review.pk, user=staffing, data=APPROVE_QUOTA)
    hrss_task = open_task(case, "approve_hrss")
    assert hrss_task.agency.code == "LA-RS"
    task_complete(task_id=hrss_task.pk, user=hrss, data=APPROVE_HRSS)
    announce = open_task(case, "publish_announcement")
    assert announce.agency == agency
    case = task_complete(task_id=announce.pk, user=hr, data=ANNOUNCEMENT)
    assert case.status == "completed"
    assert UsagePlan.objects.filter(agency=agency, post=PLAN["post"], approved=True).exists()
    assert [str(f) for f in check_all()] == []


def test_the_staffing_office_clears_its_task_over_the_api(
    client, room, hr, approver, staffing, hrss, models_deployed
):
    case = usage_plan_open(agency=room, actor=hr)
    review = _plan_at(case, "review_quota", hr, approver, staffing)
    token = {"HTTP_AUTHORIZATION": f"Token {Token.objects.create(user=staffing).key}"}
    listed = client.get("/api/inbox/", **token).json()
    assert [t["id"] for t in listed["results"]] == [review.pk]
    detail = client.get(f"/api/tasks/{review.pk}/", **token).json()
    assert {"label": "可用数", "value": "5"} in detail["facts"]  # quota 10, plans for 5 approved
    assert detail["warnings"] == []
    done = client.post(
        f"/api/tasks/{review.pk}/complete/",
        {"data": APPROVE_QUOTA, "comment": "在核定数量内"},
        content_type="application/json",
        **token,
    )
    assert done.status_code == 200, done.content
    assert open_task(case, "approve_hrss").agency.code == "LA-RS"


def test_a_deploy_refuses_a_lane_no_rule_routes(models_deployed, bpmn_dir):
    RoutingRule.objects.filter(role=Role.TRAINER).delete()
    with pytest.raises(ModelError) as refused:
        definition_deploy(files=read_directory(bpmn_dir / "training"))
    assert "lane 'trainer' is not a known role" in str(refused.value)


def test_check_integrity_and_the_schedule_name_a_task_nobody_can_act_on(
    client, agency, hr, approver, staffing, models_deployed
):
    case = usage_plan_open(agency=agency, actor=hr)
    review = _plan_at(case, "review_quota", hr, approver, staffing)
    Membership.objects.filter(user=staffing).delete()
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("check_integrity", stdout=out)
    assert (
        f"task #{review.pk} “review_quota” waits for role staffing_office in LA-BB"
        in out.getvalue()
    )
    hr.is_staff = True
    hr.save()
    client.force_login(hr)
    page = client.get(reverse("schedule")).content.decode()
    assert 'data-testid="stranded"' in page and case.business_key in page
