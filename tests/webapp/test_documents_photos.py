"""Staff photos (Art. 18, 19): the archive (一人一档) keeps the member's photo, the
certificate PDF prints it, and the public verification page shows it beside the name,
the validity and its period, so a citizen can compare the person in front of them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from webapp.documents.models import StaffPhoto
from webapp.security.models import AuditAction, AuditEntry
from webapp.staff.models import Certificate, Staff

from .conftest import PASSWORD
from .documents_support import jpeg_with_gps, pdf_bytes, png_bomb, upload
from .test_public_selectors import leave, number_of, serving

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(agency: Any, hr: Any) -> Staff:
    return serving(agency, hr, 1, "王小明")


def login(client: Any, user: Any) -> Any:
    assert client.login(username=user.username, password=PASSWORD)
    return client


def send_photo(client: Any, member: Staff, name: str, data: bytes) -> Any:
    url = reverse("documents:photo_upload", args=[member.pk])
    return client.post(url, {"photo": upload(name, data)}, follow=True)


def test_an_hr_officer_keeps_the_members_photo_without_its_gps(
    client: Any, member: Staff, hr: Any
) -> None:
    page = send_photo(login(client, hr), member, "王小明.jpg", jpeg_with_gps((300, 400)))
    assert "照片已存入档案" in page.content.decode()
    photo = StaffPhoto.objects.get(staff=member)
    shown = client.get(reverse("documents:photo", args=[member.pk]))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert b"PhoneMaker" not in shown.content and b"GPS" not in shown.content
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(action=AuditAction.STAFF_PHOTO).exists()
    assert photo.uploaded_by == hr and len(photo.sha256) == 64


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("me.pdf", pdf_bytes(), "本栏只接受"),
        ("me.png", png_bomb(), "图像炸弹"),
        ("me.jpg", b"", "空文件"),
    ],
)
def test_a_bad_photo_is_refused_in_chinese_and_nothing_kept(
    client: Any, member: Staff, hr: Any, name: str, data: bytes, words: str
) -> None:
    page = send_photo(login(client, hr), member, name, data)
    assert words in page.content.decode()
    assert not StaffPhoto.objects.exists()


def test_only_an_hr_officer_of_the_members_agency_changes_the_photo(
    client: Any, member: Staff, approver: Any, stranger: Any
) -> None:
    page = send_photo(login(client, approver), member, "me.jpg", jpeg_with_gps())
    assert "人事专员" in page.content.decode()
    response = login(client, stranger).post(
        reverse("documents:photo_upload", args=[member.pk]),
        {"photo": upload("me.jpg", jpeg_with_gps())},
    )
    assert response.status_code == 404
    assert not StaffPhoto.objects.exists()


def test_the_certificate_prints_the_photo(client: Any, member: Staff, hr: Any) -> None:
    certificate = Certificate.objects.get(number=number_of(member))
    url = reverse("public:certificate_pdf", args=[certificate.pk])
    login(client, hr)
    assert list(PdfReader(io.BytesIO(client.get(url).content)).pages[0].images) == []
    red = io.BytesIO()
    Image.new("RGB", (300, 400), (200, 30, 30)).save(red, "JPEG")
    send_photo(client, member, "me.jpg", red.getvalue())
    [image] = PdfReader(io.BytesIO(client.get(url).content)).pages[0].images
    printed = Image.open(io.BytesIO(image.data)).convert("RGB")
    r, g, b = printed.getpixel((printed.width // 2, printed.height // 2))
    assert r > 150 and g < 80 and b < 80, "the member's photo, not another picture"


def test_the_verification_page_shows_the_photo_name_validity_and_period(
    client: Any, member: Staff, hr: Any
) -> None:
    number = number_of(member)
    page = client.get(reverse("public:verify", args=[number])).content.decode()
    assert 'data-testid="holder-photo"' not in page, "no photo in the archive yet"
    send_photo(login(client, hr), member, "me.jpg", jpeg_with_gps())
    client.logout()
    page = client.get(reverse("public:verify", args=[number])).content.decode()
    assert 'data-testid="holder-photo"' in page and "王小明" in page
    issued = Certificate.objects.get(number=number).issued_at.date().isoformat()
    assert "有效期" in page and issued in page
    photo = client.get(reverse("public:verify_photo", args=[number]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert photo["Content-Disposition"].startswith("inline")


def test_a_former_members_photo_is_not_published(client: Any, member: Staff, hr: Any) -> None:
    number = number_of(member)
    send_photo(login(client, hr), member, "me.jpg", jpeg_with_gps())
    client.logout()
    leave(member)
    assert client.get(reverse("public:verify_photo", args=[number])).status_code == 404
    page = client.get(reverse("public:verify", args=[number])).content.decode()
    assert 'data-testid="holder-photo"' not in page
