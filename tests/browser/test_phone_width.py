"""On a phone (390 px wide) no page of the people who use Fuzhi every day is wider than
the screen: the header wraps instead of pushing the page sideways."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.webapp.flows import case_at_approval
from webapp.accounts.models import Notification

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
