"""HR opens a recruitment, works it, the approver clears the inbox, history is visible."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from tests.fixtures import PASSWORD, make_id
from webapp.cases.models import Case
from webapp.cases.scheduling import wake_due_cases
from webapp.staff.models import Staff, StaffState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")


def sign_out(page):
    page.click("header form[action$='/logout/'] button")
    page.wait_for_url("**/login/")


def choose(page, field, value):
    page.select_option(f"[data-field={field}] select", value)


def fill(page, field, value):
    page.fill(f"[data-field={field}] input, [data-field={field}] textarea", value)


def complete(page, task_name, fields):
    page.click(f"[data-testid=inbox] a:text-is('{task_name}')")
    for field, (kind, value) in fields.items():
        (choose if kind == "select" else fill)(page, field, value)
    page.click("[data-testid=complete]")
    page.wait_for_selector(".messages .msg")


def test_it_runs_a_recruitment_from_application_to_hire(
    page, live_server, models_deployed, hr, approver, agency
):
    base = live_server.url
    sign_in(page, base, "hr")
    page.click("a[href='/staff/recruitment/new/']")
    fill(page, "name", "李明")
    fill(page, "id_number", make_id(date(1996, 3, 8), 7))
    choose(page, "education", "bachelor")
    fill(page, "post", "城管协管员")
    page.click("[data-testid=application-form] button[type=submit]")
    page.wait_for_selector("[data-testid=timeline]")
    case = Case.objects.get()
    assert page.locator("h1").inner_text().startswith(case.business_key)

    page.goto(f"{base}/inbox/")
    review = {
        f: ("select", "false")
        for f in (
            "criminal_record",
            "criminal_proceedings_pending",
            "detained_or_rehab",
            "expelled_public_servant",
            "dishonest_blacklist",
        )
    }
    review.update(
        {f: ("select", "true") for f in ("nationality_prc", "good_conduct", "fit_for_post")}
    )
    complete(page, "报名资格审查", review)
    complete(
        page, "录入笔试面试成绩", {"exam_score": ("fill", "85"), "interview_score": ("fill", "90")}
    )
    complete(page, "组织考察", {"background_ok": ("select", "true")})
    # A wrong entry is shown beside its field and nothing is saved.
    page.click("[data-testid=inbox] a:text-is('组织体检')")
    choose(page, "health_ok", "true")
    page.click("[data-testid=complete]")
    assert page.locator("[data-field=health_hospital] .field-error").count() == 1
    fill(page, "health_hospital", "六安市人民医院")
    fill(page, "health_exam_date", "2026-11-20")
    page.click("[data-testid=complete]")
    page.wait_for_selector(".messages .msg")
    sign_out(page)

    # The public notice of five working days (Art. 8) passes; the scheduler wakes the case.
    case.refresh_from_db()
    with time_machine.travel(case.wake_at + timedelta(minutes=1)):
        assert wake_due_cases() == 1

    sign_in(page, base, "approver")
    complete(
        page, "录用审批", {"decision": ("select", "approve"), "_comment": ("fill", "同意录用")}
    )
    assert page.locator("[data-testid=inbox-empty]").count() == 1
    sign_out(page)

    sign_in(page, base, "hr")
    page.goto(f"{base}/inbox/")
    complete(
        page,
        "签订合同",
        {
            "employment_mode": ("select", "unit"),
            "contract_start": ("fill", "2026-12-01"),
            "contract_end": ("fill", "2029-11-30"),
        },
    )
    page.goto(f"{base}/cases/{case.pk}/")
    timeline = page.locator("[data-testid=timeline]").inner_text()
    assert "录用审批" in timeline and "同意录用" in timeline and "Art. 10" in timeline
    assert page.locator("[data-testid=chain].ok").count() == 1
    assert Staff.objects.get().state == StaffState.HIRED
    page.screenshot(path="test-results/recruitment-case.png", full_page=True)
