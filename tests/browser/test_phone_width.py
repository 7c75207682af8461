"""On a phone (390 px wide) no page of the people who use Fuzhi every day is wider than
the screen: the header wraps instead of pushing the page sideways."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.webapp.flows import case_at_approval
from webapp.accounts.models import Notification
from webapp.cases.models import HumanTask

from .test_security_csp import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def page_width(page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_the_daily_pages_fit_a_phone(browser, live_server, hr, approver, agency, models_deployed):
    case = case_at_approval(hr, approver, agency)
    Notification.objects.create(user=hr, title="到期提醒：录用审批")
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server.url, "hr")
    paths = [
        reverse("inbox:index"),
        reverse("cases:list"),
        reverse("cases:detail", args=[case.pk]),
        reverse("staff:list"),
        reverse("staff:detail", args=[case.subject_id]),
        reverse("staff:recruitment_new"),
        reverse("notifications"),
        reverse("delegations"),
    ]
    too_wide = {}
    for path in paths:
        page.goto(live_server.url + path)
        if page_width(page) > PHONE["width"]:
            too_wide[path] = page_width(page)
    context.close()
    assert too_wide == {}


def too_wide_of(page, base, paths):
    wide = {}
    for path in paths:
        page.goto(base + path)
        if page_width(page) > PHONE["width"]:
            wide[path] = page_width(page)
    return wide


def test_the_desk_pages_fit_a_phone(
    browser, live_server, hr, approver, staffing, agency, models_deployed
):
    """Every page the desk touched: the filtered inbox with its bulk form, the task page
    with its facts and actions, the case page with its controls, the printed approval
    form, the bulk results, the schedule, an error page; and the staffing office's."""
    case = case_at_approval(hr, approver, agency)
    task = HumanTask.objects.get(case=case, bpmn_id="approve_hire")
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server.url, "approver")
    approver_paths = [
        reverse("inbox:index") + "?kind=recruitment:approve_hire",
        reverse("inbox:index") + "?due=overdue&sort=oldest",
        reverse("inbox:task", args=[task.pk]),
        reverse("cases:detail", args=[case.pk]),
        reverse("cases:print", args=[case.pk]),
        "/cases/999999/",
    ]
    too_wide = too_wide_of(page, live_server.url, approver_paths)
    page.goto(live_server.url + approver_paths[0])
    page.check("input[data-select-all]")
    page.select_option("#bulk-form [data-field=decision] select", "approve")
    page.click("[data-testid=bulk-complete]")
    page.wait_for_selector("[data-testid=bulk-results]")
    if page_width(page) > PHONE["width"]:
        too_wide["bulk results"] = page_width(page)
    context.close()
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server.url, "staffing")
    too_wide |= too_wide_of(page, live_server.url, [reverse("inbox:index"), reverse("delegations")])
    context.close()
    assert too_wide == {}


def test_the_public_registry_and_complaint_status_fit_a_phone(browser, live_server, agency):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    too_wide = too_wide_of(
        page, live_server.url, ["/registry/", "/complaints/", "/complaints/status/"]
    )
    page.goto(live_server.url + "/complaints/status/")
    page.fill("input[name=receipt]", "TS20261208ABCDEF0123456789")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    if page_width(page) > PHONE["width"]:
        too_wide["complaint status answer"] = page_width(page)
    context.close()
    assert too_wide == {}
