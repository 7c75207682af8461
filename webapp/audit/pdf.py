"""PDF documents in Chinese with reportlab's built-in CID font (no font files shipped)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "STSong-Light"


@cache
def _register_font() -> None:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _style(size: float, leading: float | None = None) -> ParagraphStyle:
    _register_font()  # a paragraph resolves its font when it is made
    return ParagraphStyle(
        f"fz{size}", fontName=FONT, fontSize=size, leading=leading or size * 1.35, wordWrap="CJK"
    )


def text(value: object, size: float = 8.5) -> Paragraph:
    """A paragraph of user data: escaped, because reportlab reads markup in paragraphs."""
    return Paragraph(escape(str(value)).replace("\n", "<br/>"), _style(size))


def heading(value: str, size: float = 13) -> Paragraph:
    return text(value, size)


def table(
    header: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[float]
) -> Table:
    data = [[text(h, 8) for h in header], *([text(c) for c in row] for row in rows)]
    result = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    result.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return result


def gap(height: float = 4) -> Spacer:
    return Spacer(1, height * mm)


def document(title: str, story: list[Flowable], *, wide: bool = True) -> bytes:
    """Render ``story`` to PDF bytes, each page numbered and titled."""
    _register_font()
    buffer = io.BytesIO()
    pagesize = landscape(A4) if wide else A4

    def footer(canvas: object, doc: SimpleDocTemplate) -> None:
        canvas.saveState()  # type: ignore[attr-defined]
        canvas.setFont(FONT, 7)  # type: ignore[attr-defined]
        canvas.drawString(  # type: ignore[attr-defined]
            12 * mm, 7 * mm, f"{title} | {doc.page}"
        )
        canvas.restoreState()  # type: ignore[attr-defined]

    doc = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        title=title,
        author="Fuzhi",
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=14 * mm,
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
