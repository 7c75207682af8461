"""The case's thread: comments by those who act on it, each a line of the hash-chained
history, read by everyone who may see the case; @mention notifies a colleague; comments
and files appear in the timeline and the exports."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from webapp.accounts.models import Notification, OutboundMail
from webapp.cases.history import verify_case
from webapp.cases.models import Case, CaseEvent
from webapp.documents.conversation import comment_add
from webapp.documents.models import Comment
from webapp.errors import NotPermitted, StepRefused

from .conftest import PASSWORD
from .documents_support import pdf_bytes, upload
from .test_documents import case, complete_health

__all__ = ["case"]  # a recruitment waiting for its health check (test_documents)

pytestmark = pytest.mark.django_db


def login(client: Any, user: Any) -> Any:
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_a_comment_is_a_line_of_the_chained_history(case: Case, hr: Any) -> None:
    comment = comment_add(case_id=case.pk, user=hr, body="体检报告需补盖医院公章。")
    event = CaseEvent.objects.get(case=case, kind="comment_added")
    assert event.seq == comment.event_seq and event.actor == hr
    assert event.comment == "体检报告需补盖医院公章。"
    assert verify_case(Case.objects.get(pk=case.pk)) == []
    # An edited history line breaks the chain; an edited comment row no longer matches it.
    Comment.objects.filter(pk=comment.pk).update(body="已补盖。")
    [found] = verify_case(Case.objects.get(pk=case.pk))
    assert found.seq == event.seq and found.label == "评论与办理记录中的内容不符"
    CaseEvent.objects.filter(pk=event.pk).update(comment="已补盖。")
    assert "content altered" in verify_case(Case.objects.get(pk=case.pk))[0].problem


def test_a_mention_notifies_the_colleague_in_app_and_by_mail(
    case: Case, hr: Any, approver: Any
) -> None:
    approver.email = "approver@example.com"
    approver.save()
    comment_add(case_id=case.pk, user=hr, body="@approver 请看体检报告。")
    notice = Notification.objects.get(user=approver)
    assert "hr" in notice.title and case.business_key in notice.title
    assert notice.url == reverse("cases:detail", args=[case.pk])
    assert OutboundMail.objects.get().to == ["approver@example.com"]
    event = CaseEvent.objects.get(case=case, kind="comment_added")
    assert event.data_after["comment"]["mentions"] == ["approver"]


def test_a_mention_of_someone_who_cannot_see_the_case_is_refused(
    case: Case, hr: Any, stranger: Any
) -> None:
    before = Case.objects.get(pk=case.pk).event_count
    with pytest.raises(StepRefused, match="stranger"):
        comment_add(case_id=case.pk, user=hr, body="@stranger 请协助。")
    with pytest.raises(StepRefused, match="nobody"):
        comment_add(case_id=case.pk, user=hr, body="@nobody 请协助。")
    assert not Comment.objects.exists() and not Notification.objects.exists()
    assert Case.objects.get(pk=case.pk).event_count == before


def test_readers_and_other_agencies_may_not_comment(
    case: Case, auditor: Any, stranger: Any
) -> None:
    with pytest.raises(NotPermitted):
        comment_add(case_id=case.pk, user=auditor, body="审计意见。")
    with pytest.raises(NotPermitted):
        comment_add(case_id=case.pk, user=stranger, body="外单位意见。")
    with pytest.raises(StepRefused):
        comment_add(case_id=case.pk, user=auditor, body="   ")
    assert not Comment.objects.exists()


def test_the_thread_shows_on_the_case_page_to_readers_and_takes_comments_from_actors(
    client: Any, case: Case, hr: Any, auditor: Any, stranger: Any
) -> None:
    url = reverse("cases:detail", args=[case.pk])
    response = login(client, hr).post(
        reverse("documents:comment_new", args=[case.pk]),
        {"body": "请补充学历证明。", "next": url},
    )
    assert response.status_code == 302 and response.url == url + "#thread"
    page = client.get(url).content.decode()
    assert "请补充学历证明。" in page and 'data-testid="comment-form"' in page
    reader = login(client, auditor).get(url).content.decode()
    assert "请补充学历证明。" in reader and 'data-testid="comment-form"' not in reader
    assert login(client, stranger).get(url).status_code == 404
    refused = client.post(reverse("documents:comment_new", args=[case.pk]), {"body": "x"})
    assert refused.status_code == 404 and Comment.objects.count() == 1


def test_an_offsite_next_address_is_not_followed(client: Any, case: Case, hr: Any) -> None:
    response = login(client, hr).post(
        reverse("documents:comment_new", args=[case.pk]),
        {"body": "好。", "next": "https://evil.example/"},
    )
    assert response.url == reverse("cases:detail", args=[case.pk]) + "#thread"


def test_comments_and_files_appear_in_the_timeline_and_the_exports(
    client: Any, case: Case, hr: Any, auditor: Any
) -> None:
    case = complete_health(case, hr, upload("体检报告.pdf", pdf_bytes()))
    comment_add(case_id=case.pk, user=hr, body="体检合格，报告已附。")
    login(client, auditor)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "体检合格，报告已附。" in page and "体检报告.pdf" in page
    pdf = client.get(reverse("audit:case_pdf", args=[case.pk])).content
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "体检合格，报告已附。" in text and "体检报告.pdf" in text
    book = load_workbook(io.BytesIO(client.get(reverse("audit:case_xlsx", args=[case.pk])).content))
    timeline = [str(c.value) for row in book["办理记录"].iter_rows() for c in row]
    assert any("体检合格，报告已附。" in v for v in timeline)
    assert any("体检报告.pdf" in str(c.value) for row in book["附件"].iter_rows() for c in row)
