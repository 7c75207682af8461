"""A citizen checks a certificate through the QR code printed on it, and follows a complaint
from submission to the reply, in a real browser without logging in (Art. 18, 19)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.browser.test_recruitment_e2e import sign_in
from tests.webapp.flows import drive
from tests.webapp.test_public_certificate import link_uris, qr_texts
from tests.webapp.test_public_selectors import number_of, serving
from webapp.cases.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh_limits():
    # The per-address counts live in the process's cache; start each citizen afresh.
    cache.clear()


def test_it_verifies_a_certificate_by_the_link_in_its_qr_code(
    page, browser, live_server, agency, hr
):
    base = live_server.url
    staff = serving(agency, hr, 1, "王小明")
    number = number_of(staff)

    # The HR officer prints the card from the member's archive page.
    sign_in(page, base, "hr")
    page.goto(f"{base}/staff/{staff.pk}/")
    pdf_href = page.get_attribute("[data-testid=certificate-pdf]", "href")
    response = page.request.get(f"{base}{pdf_href}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = response.body()

    # What a phone reads off the printed QR code, decoded from the PDF's own drawing.
    [url] = qr_texts(pdf)
    assert url == f"{base}/registry/verify/{number}/" and link_uris(pdf) == [url]

    # A citizen, not logged in, opens it.
    citizen = browser.new_context(locale="zh-CN")
    public = citizen.new_page()
    public.goto(url)
    verdict = public.locator("[data-testid=verification]")
    assert verdict.get_attribute("data-status") == "valid"
    assert public.inner_text("[data-testid=verdict]") == "有效"
    assert public.inner_text("[data-testid=holder]") == "王小明"
    assert public.inner_text("[data-testid=unit]") == agency.name
    assert public.locator("[data-testid=public-nav]").is_visible()
    assert public.locator("a[href='/inbox/']").count() == 0
    assert staff.id_number not in public.content()

    # The same page in English, through the language switch (no login).
    public.select_option("[data-testid=language] select", "en")
    public.wait_for_selector("html[lang=en]")
    assert public.inner_text("[data-testid=verdict]") == "Valid"
    assert "Art. 18" in public.inner_text("footer")

    # The registry finds the member by certificate number.
    public.goto(f"{base}/registry/")
    public.fill("#q", number)
    public.click("[data-testid=registry-search] button")
    assert public.locator("[data-testid=registry] tbody tr").count() == 1
    assert "王小明" in public.inner_text("[data-testid=registry]")
    citizen.close()


def test_it_follows_a_complaint_from_submission_to_the_reply(
    page, live_server, models_deployed, agency, hr, approver
):
    base = live_server.url
    page.goto(f"{base}/complaints/")
    assert "Art. 18" in page.inner_text("h1")
    page.select_option("[data-field=agency] select", str(agency.pk))
    page.fill("[data-field=description] textarea", "<script>alert(1)</script>在人民路推搡摊主。")
    page.fill("[data-field=contact] input", "citizen@example.org")
    page.click("[data-testid=complaint-form] button[type=submit]")
    page.wait_for_selector("[data-testid=receipt]")
    receipt = page.inner_text("[data-testid=receipt]").strip()
    # What was typed is shown back as text, not run.
    assert "<script>alert(1)</script>在人民路推搡摊主。" in page.inner_text("[data-testid=echo]")
    assert page.locator("[data-testid=echo] script").count() == 0

    case = Case.objects.get(definition__process_id="complaint")
    assert case.data["receipt_number"] == receipt and case.agency == agency

    # Look it up: received, nothing personal on the page.
    page.goto(f"{base}/complaints/status/")
    page.fill("[data-field=receipt] input", receipt)
    page.click("[data-testid=status-form] button[type=submit]")
    status = page.locator("[data-testid=complaint-status]")
    assert status.get_attribute("data-stage") == "received"
    assert "citizen@example.org" not in page.content()

    # The agency works the case through the real engine...
    drive(
        case,
        [
            ("triage", {"triage_decision": "accept", "triage_reason": ""}),
            ("investigate_complaint", {"complaint_findings": "属实", "substantiated": False}),
            ("reply_complainant", {"complaint_reply": "经核查，已对相关人员批评教育。"}),
        ],
        hr,
        approver,
    )

    # ...and the citizen sees the reply under the same receipt.
    page.goto(f"{base}/complaints/status/")
    page.fill("[data-field=receipt] input", receipt.lower())
    page.click("[data-testid=status-form] button[type=submit]")
    assert status.get_attribute("data-stage") == "replied"
    assert page.inner_text("[data-testid=reply]") == "经核查，已对相关人员批评教育。"
    assert "属实" not in page.content()

    # A wrong receipt says so, in Chinese, citing Art. 18.
    page.fill("[data-field=receipt] input", "TS20200101ABCDEF")
    page.click("[data-testid=status-form] button[type=submit]")
    assert "Art. 18" in page.inner_text("[data-field=receipt] .field-error")
