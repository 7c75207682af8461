"""The printable certificate: its QR code, read back from the PDF itself, opens the public
verification page (Art. 18, 19)."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
import zxingcpp
from django.http import Http404
from django.test import override_settings
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from webapp.accounts.models import Grant
from webapp.errors import NotPermitted
from webapp.public.selectors import CertificateNotPrintable, certificate_to_print
from webapp.staff.models import Certificate

from .conftest import PASSWORD
from .test_public_selectors import leave, number_of, serving

pytestmark = pytest.mark.django_db

RECT = re.compile(r"([\d.-]+) ([\d.-]+) ([\d.-]+) ([\d.-]+) re f\*")


def page_stream(pdf: bytes) -> str:
    """The page's drawing operators, decoded from whatever filters reportlab applied."""
    contents = PdfReader(BytesIO(pdf)).pages[0].get_contents()
    assert contents is not None, "no page content"
    return contents.get_data().decode("latin1")


def qr_texts(pdf: bytes) -> list[str]:
    """Rasterise the filled squares the PDF draws (the QR modules) and decode them with
    zxing-cpp: what a phone would read off the printed card."""
    rects = [tuple(map(float, m.groups())) for m in RECT.finditer(page_stream(pdf))]
    assert rects, "no QR modules drawn"
    box = min(r[3] for r in rects)
    left, top = min(r[0] for r in rects), max(r[1] for r in rects)
    modules = round((max(r[0] + r[2] for r in rects) - left) / box)
    scale, quiet = 8, 4
    image = Image.new("L", ((modules + 2 * quiet) * scale,) * 2, 255)
    for x, y, w, _h in rects:
        col, row, run = round((x - left) / box), round((top - y) / box), round(w / box)
        image.paste(
            0,
            (
                (col + quiet) * scale,
                (row + quiet) * scale,
                (col + run + quiet) * scale,
                (row + 1 + quiet) * scale,
            ),
        )
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def link_uris(pdf: bytes) -> list[str]:
    return [m.decode() for m in re.findall(rb"/URI \(([^)]*)\)", pdf)]


@pytest.fixture
def certificate(agency, hr) -> Certificate:
    return Certificate.objects.get(number=number_of(serving(agency, hr, 1, "王小明")))


def pdf_url(certificate: Certificate) -> str:
    return reverse("public:certificate_pdf", args=[certificate.pk])


def test_it_prints_a_certificate_whose_qr_code_opens_its_verification_page(client, certificate, hr):
    client.login(username="hr", password=PASSWORD)
    response = client.get(pdf_url(certificate))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF") and b"STSong-Light" in pdf
    expected = f"http://testserver/registry/verify/{certificate.number}/"
    assert qr_texts(pdf) == [expected]
    assert link_uris(pdf) == [expected]
    page = client.get(expected.removeprefix("http://testserver"))
    assert page.context["check"].status == "valid"
    assert page.context["check"].entry.name == "王小明"


@override_settings(FUZHI_PUBLIC_BASE_URL="https://fuzhi.luan.gov.cn/")
def test_it_prints_the_configured_public_address(client, certificate, hr):
    client.login(username="hr", password=PASSWORD)
    pdf = client.get(pdf_url(certificate)).content
    assert qr_texts(pdf) == [f"https://fuzhi.luan.gov.cn/registry/verify/{certificate.number}/"]


def test_it_prints_no_personal_data_beyond_the_card(client, certificate, hr):
    client.login(username="hr", password=PASSWORD)
    pdf = client.get(pdf_url(certificate)).content
    stream = page_stream(pdf)
    id_utf16 = "".join(f"\\000{c}" for c in certificate.staff.id_number[:6])
    assert id_utf16 not in stream and certificate.staff.id_number.encode() not in pdf


def test_it_lets_only_the_agencys_hr_print(client, certificate, approver, stranger):
    assert client.get(pdf_url(certificate)).status_code == 302  # to the login page
    client.login(username="approver", password=PASSWORD)
    assert client.get(pdf_url(certificate)).status_code == 403
    client.login(username="stranger", password=PASSWORD)
    assert client.get(pdf_url(certificate)).status_code == 404


def test_it_refuses_to_print_a_certificate_no_longer_valid(client, certificate, hr):
    leave(certificate.staff)
    client.login(username="hr", password=PASSWORD)
    response = client.get(pdf_url(certificate))
    assert response.status_code == 409 and "Art. 19" in response.content.decode()


# The rule itself, called as the view calls it.


def test_it_refuses_the_hr_officer_of_another_agency_even_one_who_sees_the_holder(
    certificate, stranger, city
):
    Grant.objects.create(user=stranger, agency=city)  # reads the whole city, prints only its own
    with pytest.raises(NotPermitted) as refused:
        certificate_to_print(stranger, certificate.pk)
    assert refused.value.status == 403 and certificate.agency.name in refused.value.message


def test_it_hides_a_certificate_of_an_agency_the_user_does_not_see(certificate, stranger):
    with pytest.raises(Http404):
        certificate_to_print(stranger, certificate.pk)


def test_it_gives_the_holders_hr_officer_an_issued_certificate_and_refuses_one_not_in_force(
    certificate, hr
):
    assert certificate_to_print(hr, certificate.pk) == certificate
    leave(certificate.staff)
    with pytest.raises(CertificateNotPrintable) as refused:
        certificate_to_print(hr, certificate.pk)
    assert refused.value.status == 409 and refused.value.article == "Art. 19"
