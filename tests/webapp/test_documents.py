"""Files on cases and task forms: stored, recorded with their SHA-256, verified, served
only to those who may see the case; bad files refused with nothing stored."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from webapp.cases.history import verify_case
from webapp.cases.models import Case, CaseEvent
from webapp.cases.openings import recruitment_open
from webapp.cases.scheduling import wake_due_cases
from webapp.documents.models import Attachment, Purpose
from webapp.documents.services import case_attachments_add, task_complete_with_files
from webapp.errors import NotPermitted, StepRefused

from .conftest import PASSWORD
from .documents_support import jpeg_with_gps, pdf_bytes, upload, zip_bytes
from .flows import BACKGROUND, CLEAN_REVIEW, SCORES, application, drive, open_task

HEALTH = {"health_ok": True, "health_hospital": "六安市人民医院", "health_exam_date": "2026-11-02"}
HEALTH_POSTED = {**HEALTH, "health_ok": "true"}


@pytest.fixture
def case(models_deployed: Any, hr: Any, approver: Any, agency: Any) -> Case:
    """A recruitment case waiting for the health check (Art. 10(6))."""
    opened = recruitment_open(user=hr, fields=application(agency))
    steps = [("review_application", CLEAN_REVIEW), ("record_scores", SCORES)]
    return drive(opened, [*steps, ("background_check", BACKGROUND)], hr, approver)


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def complete_health(case: Case, user: Any, *files: Any) -> Case:
    task = open_task(case, "health_check")
    return task_complete_with_files(
        task_id=task.pk, user=user, data=HEALTH, uploaded={"health_report": list(files)}
    )


def test_it_stores_a_report_with_the_step_and_records_its_sha256(case: Case, hr: Any) -> None:
    data = pdf_bytes("体检报告")
    case = complete_health(case, hr, upload("体检报告.pdf", data))
    attachment = Attachment.objects.get(case=case)
    digest = hashlib.sha256(data).hexdigest()
    assert (attachment.sha256, attachment.size, attachment.name) == (
        digest,
        len(data),
        "体检报告.pdf",
    )
    assert (attachment.purpose, attachment.field, attachment.uploaded_by) == (
        Purpose.FORM,
        "health_report",
        hr,
    )
    event = CaseEvent.objects.get(case=case, kind="attachment_added")
    assert event.data_after["attachment"]["sha256"] == digest and digest in event.title
    assert event.actor == hr and event.seq == attachment.event_seq
    step = CaseEvent.objects.get(case=case, kind="task_completed", bpmn_id="health_check")
    assert step.seq == event.seq + 1
    assert step.data_after["health_report"] == [
        {
            "attachment": attachment.pk,
            "name": "体检报告.pdf",
            "sha256": digest,
            "size": len(data),
            "type": "application/pdf",
        }
    ]
    assert verify_case(case) == []


def test_a_file_swapped_in_the_store_breaks_the_history(case: Case, hr: Any) -> None:
    case = complete_health(case, hr, upload("report.pdf", pdf_bytes()))
    attachment = Attachment.objects.get(case=case)
    storage = attachment.file.storage
    storage.delete(attachment.file.name)
    storage.save(attachment.file.name, ContentFile(pdf_bytes("a forged report")))
    breaks = verify_case(case)
    assert [b.seq for b in breaks] == [attachment.event_seq]
    assert "file replaced" in breaks[0].problem
    assert breaks[0].label == "已存文件与办理记录中的 SHA-256 校验值不符"


def test_a_swapped_file_with_its_row_edited_to_match_is_still_found(case: Case, hr: Any) -> None:
    case = complete_health(case, hr, upload("report.pdf", pdf_bytes()))
    attachment = Attachment.objects.get(case=case)
    forged = pdf_bytes("forged")
    attachment.file.storage.delete(attachment.file.name)
    attachment.file.storage.save(attachment.file.name, ContentFile(forged))
    Attachment.objects.filter(pk=attachment.pk).update(sha256=hashlib.sha256(forged).hexdigest())
    assert ["file replaced" in b.problem for b in verify_case(case)] == [True]


def test_a_file_gone_from_the_store_or_its_row_deleted_is_found(case: Case, hr: Any) -> None:
    case = complete_health(
        case, hr, upload("a.pdf", pdf_bytes("a")), upload("b.pdf", pdf_bytes("b"))
    )
    first, second = Attachment.objects.filter(case=case).order_by("pk")
    first.file.storage.delete(first.file.name)
    Attachment.objects.filter(pk=second.pk).delete()
    problems = sorted(b.problem.split(":")[0] for b in verify_case(case))
    assert problems == ["file missing", "file missing from the store"]


def test_verify_history_names_a_swapped_file(case: Case, hr: Any) -> None:
    case = complete_health(case, hr, upload("a.pdf", pdf_bytes()))
    attachment = Attachment.objects.get(case=case)
    attachment.file.storage.delete(attachment.file.name)
    attachment.file.storage.save(attachment.file.name, ContentFile(b"%PDF-1.4 other\n%%EOF"))
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("verify_history", stdout=out, stderr=out)
    assert "file replaced" in out.getvalue()


def test_a_refused_step_keeps_no_file(case: Case, approver: Any, media_root: Path) -> None:
    task = open_task(case, "health_check")
    before = Case.objects.get(pk=case.pk).event_count
    with pytest.raises(NotPermitted):
        task_complete_with_files(
            task_id=task.pk,
            user=approver,  # the health check is the HR officer's
            data=HEALTH,
            uploaded={"health_report": [upload("r.pdf", pdf_bytes())]},
        )
    assert not Attachment.objects.exists() and stored_files(media_root) == []
    assert Case.objects.get(pk=case.pk).event_count == before


def test_more_files_than_the_form_allows_are_refused(case: Case, hr: Any, media_root: Path) -> None:
    task = open_task(case, "health_check")
    four = [upload(f"r{i}.pdf", pdf_bytes(str(i))) for i in range(4)]
    with pytest.raises(StepRefused, match="最多上传 3 个文件"):
        task_complete_with_files(
            task_id=task.pk, user=hr, data=HEALTH, uploaded={"health_report": four}
        )
    assert stored_files(media_root) == []


def login(client: Any, user: Any) -> Any:
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_task_page_takes_files_and_refuses_a_zip_on_its_field(
    client: Any, case: Case, hr: Any, media_root: Path
) -> None:
    task = open_task(case, "health_check")
    url = reverse("inbox:task", args=[task.pk])
    login(client, hr)
    page = client.get(url)
    assert (
        b'enctype="multipart/form-data"' in page.content
        and b'accept=".pdf,.jpg,.jpeg,.png"' in page.content
    )
    refused = client.post(
        url, {**HEALTH_POSTED, "health_report": upload("report.pdf", zip_bytes())}
    )
    assert refused.status_code == 400
    assert "压缩文件" in refused.content.decode()
    assert not Attachment.objects.exists() and stored_files(media_root) == []
    done = client.post(
        url,
        {
            **HEALTH_POSTED,
            "health_report": [upload("report.pdf", pdf_bytes()), upload("p.jpg", jpeg_with_gps())],
        },
    )
    assert done.status_code == 302
    assert sorted(Attachment.objects.values_list("name", flat=True)) == ["p.jpg", "report.pdf"]
    assert len(stored_files(media_root)) == 2


def test_a_photo_is_stored_without_its_gps_position(case: Case, hr: Any) -> None:
    case = complete_health(case, hr, upload("体检.jpg", jpeg_with_gps()))
    attachment = Attachment.objects.get(case=case)
    with attachment.file.open("rb") as handle:
        stored = handle.read()
    assert b"PhoneMaker" not in stored and b"GPS" not in stored
    assert hashlib.sha256(stored).hexdigest() == attachment.sha256


def test_downloads_follow_case_visibility_and_are_served_safely(
    client: Any, case: Case, hr: Any, approver: Any, auditor: Any, stranger: Any
) -> None:
    data = pdf_bytes()
    case = complete_health(case, hr, upload("体检 报告.pdf", data))
    url = reverse("documents:download", args=[Attachment.objects.get(case=case).pk])
    response = login(client, approver).get(url)
    assert response.status_code == 200 and response.content == data
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        "filename*=utf-8''%E4%BD%93%E6%A3%80%20%E6%8A%A5%E5%91%8A.pdf"
        in response["Content-Disposition"]
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert login(client, auditor).get(url).status_code == 200  # reads the city
    assert login(client, stranger).get(url).status_code == 404  # another agency
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page


def test_a_swapped_file_is_not_handed_out(client: Any, case: Case, hr: Any) -> None:
    case = complete_health(case, hr, upload("a.pdf", pdf_bytes()))
    attachment = Attachment.objects.get(case=case)
    attachment.file.storage.delete(attachment.file.name)
    attachment.file.storage.save(attachment.file.name, ContentFile(b"%PDF-1.4 forged\n%%EOF"))
    response = login(client, hr).get(reverse("documents:download", args=[attachment.pk]))
    assert response.status_code == 409 and "SHA-256" in response.content.decode()


def test_the_case_pdf_lists_each_file_with_its_sha256(
    client: Any, case: Case, hr: Any, auditor: Any
) -> None:
    case = complete_health(case, hr, upload("report.pdf", pdf_bytes()))
    digest = Attachment.objects.get(case=case).sha256
    response = login(client, auditor).get(reverse("audit:case_pdf", args=[case.pk]))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = "".join(text.split())
    assert "report.pdf" in flat and flat.count(digest) >= 2  # the files table and the history


def test_the_case_workbook_has_a_sheet_of_files(
    client: Any, case: Case, hr: Any, auditor: Any
) -> None:
    case = complete_health(case, hr, upload("report.pdf", pdf_bytes()))
    response = login(client, auditor).get(reverse("audit:case_xlsx", args=[case.pk]))
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["附件"].values)
    assert rows[1][0] == "report.pdf" and rows[1][-1] == Attachment.objects.get().sha256


def test_the_approver_sees_the_files_on_the_case_and_task_pages(
    client: Any, models_deployed: Any, hr: Any, approver: Any, agency: Any
) -> None:
    opened = recruitment_open(user=hr, fields=application(agency, notice_period="PT0S"))
    steps = [("review_application", CLEAN_REVIEW), ("record_scores", SCORES)]
    case = drive(opened, [*steps, ("background_check", BACKGROUND)], hr, approver)
    case = complete_health(case, hr, upload("report.pdf", pdf_bytes()))
    wake_due_cases()  # the public notice period (zero here) ends
    attachment = Attachment.objects.get(case=case)
    link = reverse("documents:download", args=[attachment.pk])
    page = login(client, approver).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert link in page and attachment.sha256 in page
    assert "添加附件" in page  # the history line's kind, in the timeline
    task = open_task(case, "approve_hire")
    page = client.get(reverse("inbox:task", args=[task.pk])).content.decode()
    assert link in page and attachment.sha256 in page


def test_someone_acting_on_the_case_adds_files_and_a_reader_may_not(
    case: Case, hr: Any, auditor: Any, media_root: Path
) -> None:
    added = case_attachments_add(
        case_id=case.pk, user=hr, uploaded=[upload("公告.pdf", pdf_bytes())]
    )
    assert [a.purpose for a in added] == [Purpose.CASE]
    with pytest.raises(NotPermitted):
        case_attachments_add(case_id=case.pk, user=auditor, uploaded=[upload("x.pdf", pdf_bytes())])
    assert Attachment.objects.count() == 1 and len(stored_files(media_root)) == 1
    assert verify_case(Case.objects.get(pk=case.pk)) == []


def test_an_api_caller_cannot_name_files_it_never_uploaded(
    client: Any, case: Case, hr: Any
) -> None:
    task = open_task(case, "health_check")
    forged = [{"attachment": 1, "name": "x.pdf", "sha256": "0" * 64}]
    login(client, hr)
    response = client.post(
        f"/api/tasks/{task.pk}/complete/",
        {"data": {**HEALTH, "health_report": forged}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "附件须在办理页面上传" in response.content.decode()
    assert not Attachment.objects.exists()


def test_registration_keeps_the_applicants_diploma(
    client: Any, models_deployed: Any, hr: Any, agency: Any
) -> None:
    fields = {k: v for k, v in application(agency).items() if v is not False}
    fields["agency"] = agency.pk
    diploma = upload("毕业证书.pdf", pdf_bytes("diploma"))
    response = login(client, hr).post(
        reverse("staff:recruitment_new"), {**fields, "documents": diploma}
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.purpose, attachment.name) == (Purpose.APPLICATION, "毕业证书.pdf")
    event = CaseEvent.objects.get(case=attachment.case, kind="attachment_added")
    assert event.articles == "Art. 10" and attachment.sha256 in event.title


def test_a_bad_document_at_registration_opens_no_case(
    client: Any, models_deployed: Any, hr: Any, agency: Any
) -> None:
    fields = {k: v for k, v in application(agency).items() if v is not False}
    fields["agency"] = agency.pk
    bad = upload("diploma.pdf", b"<html><script>alert(1)</script></html>")
    response = login(client, hr).post(
        reverse("staff:recruitment_new"), {**fields, "documents": bad}
    )
    assert response.status_code == 400 and "脚本" in response.content.decode()
    assert not Case.objects.exists() and not Attachment.objects.exists()
