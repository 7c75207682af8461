"""The printable certificate (辅助行政执法证件, Art. 19) with the QR code the public scans.

The QR code and a link both carry the absolute address of the certificate's public
verification page (Art. 18), so anyone can check a card in the street. The card is an
official document: its wording is Chinese whatever the printing officer's language, set
in reportlab's built-in CID font (no font file ships with the project).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO

from django.utils import timezone
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A6, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from webapp.staff.models import Certificate

FONT = "STSong-Light"
QR_SIZE = 38 * mm
# The photo's box, top right under the title (a one-inch ID photo's proportions).
PHOTO_BOX = (113 * mm, 62 * mm, 22 * mm, 27 * mm)
# The QR drawing's position on the page, also read back by the tests that decode it.
QR_ORIGIN = (95 * mm, 22 * mm)
VERIFY_NOTE = "扫码或访问下列网址核验本证（《六安市行政执法辅助人员管理办法》第十八条、第十九条）"


@dataclass(frozen=True)
class CertificateCard:
    """What is printed: the registry's fields plus post and dates; no ID number or phone."""

    name: str
    unit: str
    number: str
    post: str
    issued_on: date
    verify_url: str
    # The member's photo from the archive (JPEG), printed so the card shows who holds it.
    photo: bytes | None = None

    @classmethod
    def of(
        cls, certificate: Certificate, verify_url: str, photo: bytes | None = None
    ) -> CertificateCard:
        return cls(
            name=certificate.staff.name,
            unit=certificate.agency.name,
            number=certificate.number,
            post=certificate.staff.post,
            issued_on=timezone.localdate(certificate.issued_at),
            verify_url=verify_url,
            photo=photo,
        )


def _register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _qr(canvas: Canvas, url: str) -> None:
    widget = QrCodeWidget(url, barLevel="M", barBorder=2)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(
        QR_SIZE, QR_SIZE, transform=[QR_SIZE / (x1 - x0), 0, 0, QR_SIZE / (y1 - y0), 0, 0]
    )
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, *QR_ORIGIN)
    # A link over the code too: a PDF reader on a phone opens the page directly.
    x, y = QR_ORIGIN
    canvas.linkURL(url, (x, y, x + QR_SIZE, y + QR_SIZE), relative=0)


def _text(canvas: Canvas, card: CertificateCard) -> None:
    width, height = landscape(A6)
    canvas.setFont(FONT, 14)
    canvas.drawCentredString(width / 2, height - 14 * mm, "六安市行政执法辅助人员证件")
    canvas.setFont(FONT, 10)
    rows = [
        ("姓名", card.name),
        ("单位", card.unit),
        ("岗位", card.post),
        ("证件编号", card.number),
        ("发证日期", f"{card.issued_on:%Y-%m-%d}"),
    ]
    y = height - 28 * mm
    for label, value in rows:
        canvas.drawString(10 * mm, y, f"{label}：{value}")
        y -= 8 * mm
    canvas.setFont(FONT, 7)
    canvas.drawString(
        10 * mm,
        14 * mm,
        "扫码或访问下列网址核验本证（《六安市行政执法辅助人员管理办法》第十八条、第十九条）",
    )
    canvas.drawString(10 * mm, 9 * mm, card.verify_url)


def _photo(canvas: Canvas, data: bytes) -> None:
    x, y, width, height = PHOTO_BOX
    canvas.drawImage(
        ImageReader(BytesIO(data)), x, y, width, height, preserveAspectRatio=True, anchor="n"
    )
    canvas.setStrokeGray(0.6)
    canvas.rect(x, y, width, height)


def certificate_pdf(card: CertificateCard) -> bytes:
    """One A6 landscape page: the holder's registry details, the QR code and its URL."""
    _register_font()
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=landscape(A6))
    canvas.setTitle(f"辅助行政执法证件 {card.number}")
    canvas.setSubject(card.verify_url)
    _text(canvas, card)
    _qr(canvas, card.verify_url)
    if card.photo:
        _photo(canvas, card.photo)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
