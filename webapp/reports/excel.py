"""Excel export of report sections: one sheet each, numbers as numbers."""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .selectors import Period
from .tables import Section

# Excel refuses these characters in sheet titles.
FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def workbook(sections: list[Section], period: Period) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for section in sections:
        _sheet(book, section, period)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(book: Workbook, section: Section, period: Period) -> None:
    sheet = book.create_sheet(section.title.translate(FORBIDDEN)[:31])
    sheet.append([section.title])
    sheet["A1"].font = Font(bold=True)
    sheet.append([_("Period"), f"{period.start} – {period.end}"])
    sheet.append([section.note])
    sheet.append([column.label for column in section.columns])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for row in section.rows:
        sheet.append([row.get(column.key) for column in section.columns])
    if section.total:
        sheet.append([section.total.get(column.key) for column in section.columns])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 32
