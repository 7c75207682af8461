"""A member on their phone (Art. 12): signs in with the one-time password their HR officer
gave them, must choose their own, sees their record with the certificate's QR code, and
files an appeal; no page is wider than a 390 px screen."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from django.urls import reverse
from PIL import Image

from tests.fixtures import _user
from tests.webapp.flows import drive
from tests.webapp.test_consequences import POOR, trained
from webapp.accounts.roles import Role
from webapp.cases.models import Case
from webapp.cases.openings import case_open_for_staff
from webapp.security.member_access import member_password_issue
from webapp.staff.models import Certificate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
OWN_PASSWORD = "Phone-first-2026"


def test_a_member_signs_in_changes_the_password_sees_the_qr_and_appeals_on_a_phone(
    browser, live_server, hr, approver, agency, models_deployed
):
    staff, _ = trained(agency, hr, approver, _user("t", agency, Role.TRAINER))
    assessment = case_open_for_staff(process_id="assessment", staff=staff, actor=hr)
    drive(
        assessment,
        [("rate_member", POOR), ("confirm_grade", {"decision": "approve"})],
        hr,
        approver,
    )
    issued = member_password_issue(staff=staff, actor=hr)
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", issued.username)
    page.fill("input[name=password]", issued.password)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=first-sign-in]")
    widths = {"password": page.evaluate("document.documentElement.scrollWidth")}
    page.fill("input[name=old_password]", issued.password)
    page.fill("input[name=new_password1]", OWN_PASSWORD)
    page.fill("input[name=new_password2]", OWN_PASSWORD)
    page.click("[data-testid=form] button[type=submit]")
    page.wait_for_selector("[data-testid=member-qr]")
    # The image arrives after the page: wait until the browser has decoded it.
    page.wait_for_function(
        "() => { const img = document.querySelector('[data-testid=member-qr]');"
        " return img.complete && img.naturalWidth > 0; }"
    )
    # What another phone reads off this screen: the certificate's verification address.
    shot = Image.open(io.BytesIO(page.locator("[data-testid=member-qr]").screenshot()))
    number = Certificate.objects.get(staff=staff).number
    read = [code.text for code in zxingcpp.read_barcodes(shot)]
    assert read == [live_server.url + reverse("public:verify", args=[number])]
    assert page.locator("[data-testid=member-nav]").is_visible()
    widths["home"] = page.evaluate("document.documentElement.scrollWidth")
    page.goto(live_server.url + reverse("member:appeal_new"))
    widths["appeal"] = page.evaluate("document.documentElement.scrollWidth")
    page.select_option("select[name=decision]", str(assessment.pk))
    page.fill("textarea[name=reason]", "评分与事实不符")
    page.click("[data-testid=form] button[type=submit]")
    page.wait_for_selector("[data-testid=member-events]")
    widths["case"] = page.evaluate("document.documentElement.scrollWidth")
    page.goto(live_server.url + reverse("member:suggestion_new"))
    widths["suggestion"] = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    appeal = Case.objects.get(definition__process_id="appeal")
    assert appeal.subject == staff
    assert {name: w for name, w in widths.items() if w > PHONE["width"]} == {}
