"""Files, photos, the thread and replies in a real browser, on a phone (390 px) in Chinese,
as each role: the HR officer attaches an applicant's diploma at registration, the approver
opens it from the task page and comments, the auditor sees its SHA-256 in the history and
the case PDF; a citizen sends a complaint with a photo and is promised an SMS reply, the
handler sees the photo on the task page; the verification page shows the holder's photo.
Screenshots go to test-results/documents-*.png."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from pypdf import PdfReader

from tests.fixtures import make_id
from tests.webapp.documents_support import jpeg_with_gps, pdf_bytes
from tests.webapp.flows import TO_APPROVAL, drive, open_task
from tests.webapp.test_public_selectors import number_of, serving
from webapp.cases.models import Case
from webapp.cases.scheduling import wake_due_cases
from webapp.documents.models import Attachment, Comment
from webapp.documents.photos import staff_photo_set

from .test_recruitment_e2e import choose, fill, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DIPLOMA = pdf_bytes("Diploma of Li Ming")


@pytest.fixture
def phone(browser: Any) -> Any:
    context = browser.new_context(locale="zh-CN", viewport=PHONE, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def fits(page: Any, shot: str) -> None:
    page.screenshot(path=f"test-results/documents-{shot}.png", full_page=True)
    width = int(page.evaluate("document.documentElement.scrollWidth"))
    assert width <= PHONE["width"], f"{shot}: {width} px wide"


def sign_out(page: Any) -> None:
    page.context.clear_cookies()


def test_a_diploma_from_registration_to_the_approver_and_the_auditor(
    phone: Any,
    live_server: Any,
    models_deployed: Any,
    hr: Any,
    approver: Any,
    auditor: Any,
    agency: Any,
) -> None:
    base, page = live_server.url, phone
    sign_in(page, base, "hr")
    page.goto(f"{base}/staff/recruitment/new/")
    fill(page, "name", "李明")
    fill(page, "id_number", make_id(date(1996, 3, 8), 7))
    choose(page, "education", "bachelor")
    fill(page, "post", "城管协管员")
    page.set_input_files(
        "[data-field=documents] input[type=file]",
        files=[{"name": "毕业证书.pdf", "mimeType": "application/pdf", "buffer": DIPLOMA}],
    )
    fits(page, "1-registration")
    page.click("[data-testid=application-form] button[type=submit]")
    page.wait_for_selector("[data-testid=attachments]")
    attachment = Attachment.objects.get()
    assert attachment.name == "毕业证书.pdf"
    assert attachment.sha256 in page.inner_text("[data-testid=attachments]")
    fits(page, "2-hr-case-page")
    sign_out(page)

    case = drive(Case.objects.get(), TO_APPROVAL, hr, approver)
    with time_machine.travel(case.wake_at + timedelta(minutes=1)):
        assert wake_due_cases() == 1

    sign_in(page, base, "approver")
    page.goto(f"{base}/inbox/tasks/{open_task(case, 'approve_hire').pk}/")
    link = page.locator("[data-testid=attachment-link]", has_text="毕业证书.pdf")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "毕业证书.pdf"
    assert Path(download.value.path()).read_bytes() == DIPLOMA
    page.fill("#comment-body", "学历证书已核对原件。@hr 请归档。")
    page.click("[data-testid=comment-form] button[type=submit]")
    page.wait_for_selector("[data-testid=thread] li >> text=学历证书已核对原件")
    assert Comment.objects.get().mentions == [hr.pk]
    fits(page, "3-approver-task-page")
    sign_out(page)

    sign_in(page, base, "auditor")
    page.goto(f"{base}/cases/{case.pk}/")
    timeline = page.inner_text("[data-testid=timeline]")
    assert attachment.sha256 in timeline and "学历证书已核对原件" in timeline
    assert page.locator("[data-testid=chain].ok").count() == 1
    assert page.locator("[data-testid=case-upload]").count() == 0, "an auditor only reads"
    fits(page, "4-auditor-case-page")
    pdf = page.request.get(f"{base}/audit/cases/{case.pk}/history.pdf")
    assert pdf.ok
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "毕业证书.pdf" in text and attachment.sha256[:32] in text.replace("\n", "")


def test_a_citizens_photo_reaches_the_handler_and_the_reply_is_promised_by_sms(
    phone: Any, live_server: Any, models_deployed: Any, hr: Any, agency: Any
) -> None:
    base, page = live_server.url, phone
    page.goto(f"{base}/complaints/")
    page.select_option("[data-field=agency] select, select[name=agency]", str(agency.pk))
    page.fill("textarea[name=description]", "执勤人员推搡摊主，态度恶劣。")
    page.set_input_files(
        "input[name=evidence]",
        files=[{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}],
    )
    page.fill("input[name=contact]", "139 0564 1234")
    fits(page, "5-complaint-form")
    page.click("[data-testid=complaint-form] button[type=submit]")
    page.wait_for_selector("[data-testid=receipt]")
    assert "短信" in page.inner_text("[data-testid=reply-channel]")
    assert "现场.jpg" in page.inner_text("[data-testid=evidence]")
    fits(page, "6-complaint-receipt")

    case = Case.objects.get(definition__process_id="complaint")
    sign_in(page, base, "hr")
    page.goto(f"{base}/inbox/tasks/{open_task(case, 'triage').pk}/")
    assert "现场.jpg" in page.inner_text("[data-testid=attachments]")
    fits(page, "7-handler-triage")


def test_the_verification_page_shows_the_holders_photo_on_a_phone(
    phone: Any, live_server: Any, models_deployed: Any, hr: Any, agency: Any
) -> None:
    member = serving(agency, hr, 1, "王小明")

    class Upload(io.BytesIO):
        name, size = "me.jpg", 0

    photo = Upload(jpeg_with_gps((300, 400)))
    photo.size = len(photo.getvalue())
    staff_photo_set(staff=member, user=hr, uploaded=photo)
    phone.goto(f"{live_server.url}/registry/verify/{number_of(member)}/")
    phone.wait_for_selector("[data-testid=holder-photo]")
    assert (
        phone.evaluate("document.querySelector('[data-testid=holder-photo]').naturalWidth") > 0
    ), "the photo loads"
    assert "王小明" in phone.inner_text("[data-testid=holder]")
    assert phone.inner_text("[data-testid=period]").strip()
    fits(phone, "8-verify-page")
