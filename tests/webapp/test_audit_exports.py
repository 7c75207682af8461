"""Case history and staff archive exported to PDF and Excel, read back from the files."""

from __future__ import annotations

import io

import pytest
from django.http import Http404
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from webapp.audit.selectors import archive_for
from webapp.cases.models import Case, CaseEvent
from webapp.cases.openings import recruitment_open
from webapp.cases.services import task_complete

from .conftest import PASSWORD
from .flows import CLEAN_REVIEW, TO_APPROVAL, application, drive, open_task

pytestmark = pytest.mark.django_db

TRICKY = '=HYPERLINK("http://evil.example","点我") <b>&amp; 不是标记</b>'


@pytest.fixture(autouse=True)
def _deployed(models_deployed):
    return models_deployed


@pytest.fixture
def case(hr, approver, agency):
    """A recruitment past its first steps; the HR officer's first step carries a tricky comment."""
    case = recruitment_open(user=hr, fields=application(agency, 1, name="王小明"))
    task = open_task(case, "review_application")
    case = task_complete(task_id=task.pk, user=hr, data=CLEAN_REVIEW, comment=TRICKY)
    return drive(case, TO_APPROVAL[1:], hr, approver)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def login(client, username):
    assert client.login(username=username, password=PASSWORD)


def test_the_case_history_pdf_holds_every_step_who_did_it_and_the_article(client, auditor, case):
    login(client, "auditor")
    response = client.get(reverse("audit:case_pdf", args=[case.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{case.business_key}.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content).replace("\n", "")
    assert case.business_key in text and "王小明" in text
    assert "办理记录完整性校验通过" in text  # the hash chain verified
    for event in CaseEvent.objects.filter(case=case):
        assert event.title.replace(" ", "") in text.replace(" ", ""), event.title
    assert "人事专员" in text and "Art. 10" in text
    # User text is printed as written, never read as markup.
    assert "<b>&amp; 不是标记</b>" in text


def test_the_case_history_workbook_has_one_row_per_event_with_labelled_changes(
    client, auditor, case
):
    login(client, "auditor")
    response = client.get(reverse("audit:case_xlsx", args=[case.pk]))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["案件", "办理记录", "附件"]
    rows = list(book["办理记录"].iter_rows(values_only=True))
    events = list(CaseEvent.objects.filter(case=case).order_by("seq"))
    assert [row[0] for row in rows[1:]] == [e.seq for e in events]
    assert [row[-1] for row in rows[1:]] == [e.hash for e in events]
    review = next(row for row in rows[1:] if row[8] == "review_application" and row[6])
    assert review[2] == "hr" and review[3] == "人事专员"
    assert "→ 是" in review[7]  # a labelled before → after change
    facts = dict(book["案件"].iter_rows(values_only=True))
    assert facts["业务编号"] == case.business_key
    assert facts["哈希链末端"] == case.head_hash


def test_user_text_stays_text_in_excel_never_a_formula(client, auditor, case):
    login(client, "auditor")
    book = load_workbook(io.BytesIO(client.get(reverse("audit:case_xlsx", args=[case.pk])).content))
    cell = next(
        row[6] for row in book["办理记录"].iter_rows() if str(row[6].value).startswith("=HYP")
    )
    assert cell.data_type == "s" and cell.value == TRICKY


def test_the_archive_pdf_masks_the_id_number_for_an_auditor_and_not_for_hr(
    client, auditor, hr, case
):
    staff = case.subject
    login(client, "auditor")
    text = pdf_text(client.get(reverse("audit:archive_pdf", args=[staff.pk])).content)
    assert "王小明 的档案" in text
    assert staff.id_masked in text and staff.id_number not in text
    assert case.business_key in text  # the member's cases with their history
    login(client, "hr")
    text = pdf_text(client.get(reverse("audit:archive_pdf", args=[staff.pk])).content)
    assert staff.id_number in text


def test_an_archive_shows_personal_data_in_full_only_to_the_members_hr(
    auditor, hr, approver, stranger, case
):
    staff = case.subject
    for reader, full in ((hr, True), (approver, False), (auditor, False)):
        archive = archive_for(reader, staff.pk)
        assert (archive.staff, archive.cases, archive.full_personal_data) == (staff, [case], full)
    with pytest.raises(Http404):
        archive_for(stranger, staff.pk)  # HR officer elsewhere: not even the member


def test_the_archive_workbook_has_each_part_of_the_archive_and_every_event(client, auditor, case):
    login(client, "auditor")
    response = client.get(reverse("audit:archive_xlsx", args=[case.subject_id]))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "辅助人员" and "案件" in book.sheetnames
    assert any(name.startswith("年度考核") for name in book.sheetnames)
    facts = dict(book["辅助人员"].iter_rows(values_only=True))
    assert facts["姓名"] == "王小明" and facts["公民身份号码"] == case.subject.id_masked
    timeline = list(book["办理记录"].iter_rows(values_only=True))[1:]
    assert len(timeline) == CaseEvent.objects.filter(case__subject=case.subject).count()
    assert {row[0] for row in timeline} == {case.business_key}


def test_exports_are_in_english_for_an_english_reader(client, auditor, case):
    login(client, "auditor")
    client.cookies["django_language"] = "en"
    text = pdf_text(client.get(reverse("audit:case_pdf", args=[case.pk])).content)
    assert "History integrity verified" in text and "HR officer" in text
    book = load_workbook(io.BytesIO(client.get(reverse("audit:case_xlsx", args=[case.pk])).content))
    assert book.sheetnames == ["Case", "Timeline", "Files"]


def test_another_agency_cannot_export_a_case_or_an_archive(client, stranger, case):
    login(client, "stranger")
    for url in (
        reverse("audit:case_pdf", args=[case.pk]),
        reverse("audit:case_xlsx", args=[case.pk]),
        reverse("audit:archive_pdf", args=[case.subject_id]),
        reverse("audit:archive_xlsx", args=[case.subject_id]),
    ):
        assert client.get(url).status_code == 404, url


def test_the_archive_leaves_out_cases_the_reader_may_not_see(
    client, hr, stranger, other_agency, case
):
    foreign = recruitment_open(user=stranger, fields=application(other_agency, 9))
    Case.objects.filter(pk=foreign.pk).update(subject=case.subject)  # a case about them elsewhere
    login(client, "hr")
    text = pdf_text(client.get(reverse("audit:archive_pdf", args=[case.subject_id])).content)
    assert case.business_key in text and foreign.business_key not in text
    book = load_workbook(
        io.BytesIO(client.get(reverse("audit:archive_xlsx", args=[case.subject_id])).content)
    )
    keys = {row[0] for row in list(book["案件"].iter_rows(values_only=True))[1:]}
    assert keys == {case.business_key}
