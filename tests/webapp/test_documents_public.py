"""Evidence from the public (Art. 18): the complaint form takes up to three photos or one
PDF within limits that keep the public endpoint safe; a bad file is refused in the
citizen's language with nothing stored and no complaint opened; the handler sees the
files on the task page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from webapp.cases.history import verify_case
from webapp.cases.models import Case, CaseEvent
from webapp.documents.models import Attachment, Purpose

from .conftest import PASSWORD
from .documents_support import (
    HTML_WITH_SCRIPT,
    jpeg_with_gps,
    pdf_bytes,
    png_bomb,
    upload,
    zip_bytes,
)
from .flows import open_task

pytestmark = pytest.mark.django_db

COMPLAINTS = reverse("public:complaint_new")


def complain(client: Any, agency: Any, *evidence: Any) -> Any:
    fields = {
        "agency": str(agency.pk),
        "description": "执勤时推搡摊主。",
        "evidence": list(evidence),
    }
    return client.post(COMPLAINTS, fields)


def complaints() -> Any:
    return Case.objects.filter(definition__process_id="complaint")


def stored(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_evidence_photos_are_kept_without_gps_and_recorded(
    client: Any, models_deployed: Any, agency: Any, media_root: Path
) -> None:
    response = complain(
        client, agency, upload("现场1.jpg", jpeg_with_gps()), upload("现场2.jpg", jpeg_with_gps())
    )
    assert response.status_code == 302
    case = complaints().get()
    files = list(Attachment.objects.filter(case=case))
    assert [f.purpose for f in files] == [Purpose.EVIDENCE] * 2
    assert all(f.uploaded_by is None and f.uploaded_by_name == "公众" for f in files)
    events = CaseEvent.objects.filter(case=case, kind="attachment_added")
    assert events.count() == 2 and all("Art. 18" in e.articles for e in events)
    assert all(b"PhoneMaker" not in p.read_bytes() for p in stored(media_root))
    assert verify_case(case) == []
    receipt = client.get(reverse("public:complaint_submitted")).content.decode()
    assert "现场1.jpg" in receipt


@pytest.mark.parametrize(
    ("evidence", "words"),
    [
        ([("a.zip", zip_bytes())], "压缩文件"),
        ([("a.html", HTML_WITH_SCRIPT)], "脚本"),
        ([("a.png", png_bomb())], "图像炸弹"),
        ([("a.pdf", pdf_bytes()), ("b.jpg", jpeg_with_gps())], "二者不能同时上传"),
        ([(f"{i}.jpg", jpeg_with_gps()) for i in range(4)], "最多上传 3 个文件"),
        ([("big.pdf", pdf_bytes("x" * 10) + b" " * (4 * 2**20))], "过大"),
    ],
)
def test_bad_evidence_opens_nothing_and_stores_nothing(
    client: Any,
    models_deployed: Any,
    agency: Any,
    media_root: Path,
    evidence: list[tuple[str, bytes]],
    words: str,
) -> None:
    response = complain(client, agency, *(upload(n, d) for n, d in evidence))
    assert response.status_code == 400 and words in response.content.decode()
    assert not complaints().exists() and stored(media_root) == []


def test_the_handler_sees_the_evidence_on_the_task_page(
    client: Any, models_deployed: Any, agency: Any, hr: Any
) -> None:
    complain(client, agency, upload("现场.pdf", pdf_bytes("照片说明")))
    case = complaints().get()
    task = open_task(case, "triage")
    assert client.login(username=hr.username, password=PASSWORD)
    page = client.get(reverse("inbox:task", args=[task.pk])).content.decode()
    attachment = Attachment.objects.get(case=case)
    assert "现场.pdf" in page and attachment.sha256 in page
    download = client.get(reverse("documents:download", args=[attachment.pk]))
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
