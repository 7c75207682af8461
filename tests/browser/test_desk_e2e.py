"""Journeys at the desk, in a real browser: an approver clears 20 tasks with one bulk
decision; a usage plan goes from HR through the approver, the city's staffing office and
HR & social security to its announcement; a complaint handler reads the complaint on the
task page."""

from __future__ import annotations

import pytest

from tests.webapp.flows import case_at_approval
from webapp.cases.models import Case, HumanTask, TaskState
from webapp.cases.openings import complaint_open
from webapp.records.models import UsagePlan

from .test_recruitment_e2e import choose, fill, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_approver_clears_twenty_tasks_with_one_bulk_decision(
    page, live_server, models_deployed, hr, approver, agency
):
    agency.quota = 30
    agency.save()
    cases = [case_at_approval(hr, approver, agency, seq=n) for n in range(1, 21)]
    sign_in(page, live_server.url, "approver")
    page.select_option("[data-testid=inbox-filters] select[name=kind]", "recruitment:approve_hire")
    page.click("[data-testid=inbox-filters] button[type=submit]")
    page.wait_for_selector("[data-testid=bulk-form]")
    page.check("input[data-select-all]")
    assert page.locator("input.bulk-task:checked").count() == 20
    page.select_option("#bulk-form [data-field=decision] select", "approve")
    page.fill(
        "#bulk-form [data-field=reason] textarea, #bulk-form [data-field=reason] input", "同意录用"
    )
    page.click("[data-testid=bulk-complete]")
    page.wait_for_selector("[data-testid=bulk-results]")
    assert page.locator("[data-testid=bulk-results] tr[data-ok='1']").count() == 20
    assert not HumanTask.objects.filter(
        bpmn_id="approve_hire", state__in=[TaskState.OPEN, TaskState.CLAIMED]
    ).exists()
    assert all(
        HumanTask.objects.get(case=c, bpmn_id="approve_hire").completed_by == approver
        for c in cases
    )
    page.click("a.button")  # back to the inbox
    page.wait_for_selector("[data-testid=inbox-empty]")


def work(page, base, username, task_name, fields, then=None):
    """Sign in, open the task from the inbox, fill it in, complete it, sign out."""
    sign_in(page, base, username)
    page.click(f"[data-testid=inbox] a:text-is('{task_name}')")
    page.wait_for_selector("[data-testid=task-facts]")
    if then:
        then(page)
    for field, (kind, value) in fields.items():
        if kind == "select":
            choose(page, field, value)
        elif kind == "check":
            page.select_option(f"[data-field={field}] select", value)
        else:
            fill(page, field, value)
    page.click("[data-testid=complete]")
    page.wait_for_selector("[data-testid=step-outcome]")
    outcome = page.inner_text("[data-testid=step-outcome]")
    sign_out(page)
    return outcome


def test_a_usage_plan_goes_through_the_agency_the_staffing_office_and_hrss(
    page, live_server, models_deployed, hr, approver, staffing, hrss, agency
):
    agency.quota = 10
    agency.save()
    base = live_server.url
    sign_in(page, base, "hr")
    page.goto(f"{base}/cases/usage-plans/new/")
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-testid=timeline]")
    sign_out(page)
    plan = {
        "post": ("text", "城管协管员"),
        "headcount": ("text", "3"),
        "employment_mode": ("select", "unit"),
        "education_requirement": ("select", "college"),
        "duties_summary": ("text", "协助开展市容巡查"),
    }
    outcome = work(page, base, "hr", "拟定使用计划", plan)
    assert "机关审核使用计划" in outcome  # the next step, named

    def sees_the_quota(page):
        facts = page.inner_text("[data-testid=task-facts]")
        assert "核定数量" in facts and "10" in facts

    outcome = work(
        page,
        base,
        "approver",
        "机关审核使用计划",
        {"decision_plan": ("select", "approve")},
        sees_the_quota,
    )
    assert "编办核对编制" in outcome and "市委编办" in outcome
    outcome = work(
        page, base, "staffing", "编办核对编制", {"decision_quota": ("select", "approve")}
    )
    assert "人社局审批" in outcome
    outcome = work(page, base, "hrss", "人社局审批", {"decision_hrss": ("select", "approve")})
    assert "发布招聘公告" in outcome
    outcome = work(
        page,
        base,
        "hr",
        "发布招聘公告",
        {
            "announcement_date": ("text", "2026-12-01"),
            "announcement_channel": ("text", "六安市人民政府门户网站"),
            "announcement_states_education": ("check", "true"),
        },
    )
    case = Case.objects.get(definition__process_id="usage_plan")
    assert case.status == "completed" and case.business_key
    assert UsagePlan.objects.filter(agency=agency, headcount=3, approved=True).exists()


def test_a_complaint_handler_reads_the_complaint_on_the_task_page(
    page, live_server, models_deployed, hr, approver, agency
):
    complaint_open(
        agency=agency,
        actor=None,
        complainant_name="市民王某",
        complainant_contact="13912345678",
        complaint_text="协管员在菜市场执勤时推搡摊主",
    )
    sign_in(page, live_server.url, "hr")
    page.click("[data-testid=inbox] a:text-is('受理审查')")
    facts = page.inner_text("[data-testid=task-facts]")
    assert "协管员在菜市场执勤时推搡摊主" in facts
    assert "市民王某" in facts and "13912345678" in facts
    # Above the form, so it is read before the decision.
    box = page.locator("[data-testid=task-facts]").bounding_box()
    assert box["y"] < page.locator("[data-testid=task-form]").bounding_box()["y"]
