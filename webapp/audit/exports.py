"""Case histories, staff archives and search results as PDF and Excel files.

Personal data follows the screen's rule (Art. 15(4)): ID number, phone and address are
masked unless the reader is an HR officer of the member's agency.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.platypus import Flowable

from webapp.cases.definitions import parsed
from webapp.cases.models import Case
from webapp.cases.presenters import case_facts
from webapp.staff.models import Staff

from . import pdf
from .history import HistoryRow, history_rows, integrity_line, local_time

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _history_header() -> list[str]:
    return [
        "#",
        _("When"),
        _("Who"),
        _("Role"),
        _("Step"),
        _("Article"),
        _("Comment"),
        _("Data before → after"),
    ]


def _history_cells(row: HistoryRow) -> list[object]:
    step = f"{row.title}\n({row.kind})"
    return [row.seq, row.at, row.actor, row.role, step, row.articles, row.comment, row.changes_text]


def _case_summary(case: Case) -> list[tuple[str, str]]:
    return [
        (_("Business key"), case.business_key),
        (_("Title"), case.title),
        (_("Process"), f"{case.definition.name} v{case.definition.version}"),
        (_("Agency"), case.agency.name),
        (_("Status"), str(case.get_status_display())),
        (_("Outcome"), case.outcome),
        (_("Staff member"), case.subject.name if case.subject else ""),
        (_("Opened"), local_time(case.started_at)),
        (_("Finished"), local_time(case.finished_at)),
        (_("Head of the hash chain"), case.head_hash),
    ]


def _case_story(case: Case) -> list[Flowable]:
    facts = _case_summary(case) + case_facts(parsed(case.definition), case.data)
    return [
        pdf.heading(f"{case.business_key} {case.title}"),
        pdf.gap(2),
        pdf.text(integrity_line(case), 9),
        pdf.gap(2),
        pdf.table([_("Field"), _("Value")], facts, [60, 200]),
        pdf.gap(),
        pdf.table(
            _history_header(),
            [_history_cells(row) for row in history_rows(case)],
            [9, 28, 26, 22, 50, 18, 50, 70],
        ),
    ]


def case_history_pdf(case: Case) -> bytes:
    title = _("Case history %(key)s") % {"key": case.business_key}
    return pdf.document(title, _case_story(case))


def case_history_xlsx(case: Case) -> bytes:
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = _("Case")
    facts = _case_summary(case) + case_facts(parsed(case.definition), case.data)
    _fill(summary, [_("Field"), _("Value")], [*facts, (_("Integrity"), integrity_line(case))])
    _fill(book.create_sheet(_("Timeline")), *_history_sheet(history_rows(case)))
    return _save(book)


def _history_sheet(rows: list[HistoryRow]) -> tuple[list[str], list[list[object]]]:
    header = [*_history_header(), _("Diagram element"), _("Signature (HMAC-SHA256)")]
    return header, [[*_history_cells(row), row.bpmn_id, row.hash] for row in rows]


def _staff_facts(staff: Staff, full: bool) -> list[tuple[str, str]]:
    return [
        (_("Name"), staff.name),
        (_("Resident ID number"), staff.id_number if full else staff.id_masked),
        (_("Gender"), str(staff.get_gender_display())),
        (_("Birth date"), staff.birth_date.isoformat()),
        (_("Education"), str(staff.get_education_display())),
        (_("Agency"), staff.agency.name),
        (_("Post"), staff.post),
        (_("State"), str(staff.get_state_display())),
        (_("Phone"), staff.phone if full else staff.phone_masked),
        (_("Address"), staff.address if full else staff.address_masked),
        (_("Employment mode (Art. 9)"), str(staff.get_employment_mode_display() or "")),
        (_("Dispatch company"), staff.dispatch_company),
        (_("Contract"), _contract(staff)),
        (_("Grade (Art. 18)"), staff.grade),
    ]


def _contract(staff: Staff) -> str:
    if not staff.contract_start:
        return ""
    end = staff.contract_end.isoformat() if staff.contract_end else ""
    return f"{staff.contract_start.isoformat()} – {end}"


def archive_sections(staff: Staff) -> list[tuple[str, list[str], list[list[object]]]]:
    """(title, header, rows) for each part of the archive (一人一档)."""
    return [
        (
            _("Certificate (Art. 19)"),
            [_("Number"), _("State"), _("Issued on"), _("Closed")],
            [
                [c.number, c.get_state_display(), local_time(c.issued_at), local_time(c.closed_at)]
                for c in staff.certificates.all()
            ],
        ),
        (
            _("Marks (Art. 21)"),
            [_("Kind"), _("Issued on"), _("Recovered on")],
            [
                [m.get_kind_display(), local_time(m.issued_at), local_time(m.recovered_at)]
                for m in staff.marks.all()
            ],
        ),
        (
            _("Annual assessments (Art. 20)"),
            [_("Year"), _("Grade"), _("Remarks")],
            [[a.year, a.get_grade_display(), a.remarks] for a in staff.assessments.all()],
        ),
        (
            _("Commendations (Art. 17)"),
            [_("Recorded on"), _("Title"), _("Level"), _("Reason")],
            [
                [local_time(c.recorded_at), c.title, c.level, c.reason]
                for c in staff.commendations.all()
            ],
        ),
        (
            _("Discipline (Art. 15, 23)"),
            [_("Recorded on"), _("Decision"), _("Art. 15 items"), _("Reason")],
            [
                [
                    local_time(d.recorded_at),
                    d.get_decision_display(),
                    ", ".join(map(str, d.breaches)),
                    d.reason,
                ]
                for d in staff.discipline.all()
            ],
        ),
        (
            _("Duties (Art. 14)"),
            [_("Assigned on"), _("Duty"), _("With officer")],
            [
                [local_time(d.assigned_at), d.get_duty_display(), d.officer_name]
                for d in staff.duties.all()
            ],
        ),
    ]


def archive_pdf(staff: Staff, cases: list[Case], *, full_personal_data: bool) -> bytes:
    story: list[Flowable] = [
        pdf.heading(_("Archive of %(name)s") % {"name": staff.name}),
        pdf.gap(2),
        pdf.table([_("Field"), _("Value")], _staff_facts(staff, full_personal_data), [60, 200]),
    ]
    for title, header, rows in archive_sections(staff):
        story += [pdf.gap(), pdf.heading(title, 11), pdf.gap(1)]
        story.append(
            pdf.table(header, rows, [273 / len(header)] * len(header))
            if rows
            else pdf.text(_("None"))
        )
    for case in cases:
        story += [pdf.gap(6), *_case_story(case)]
    return pdf.document(_("Archive of %(name)s") % {"name": staff.name}, story)


def archive_xlsx(staff: Staff, cases: list[Case], *, full_personal_data: bool) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Staff member")
    _fill(sheet, [_("Field"), _("Value")], _staff_facts(staff, full_personal_data))
    for title, header, rows in archive_sections(staff):
        _fill(book.create_sheet(_sheet_title(title)), header, rows)
    _fill(book.create_sheet(_("Cases")), *_case_table(cases))
    header, _rows = _history_sheet([])
    events: list[list[object]] = []
    for case in cases:
        events += [[case.business_key, *row] for row in _history_sheet(history_rows(case))[1]]
    _fill(book.create_sheet(_("Timeline")), [_("Business key"), *header], events)
    return _save(book)


def search_xlsx(cases: Iterable[Case]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Cases")
    _fill(sheet, *_case_table(cases))
    return _save(book)


def _case_table(cases: Iterable[Case]) -> tuple[list[str], list[list[object]]]:
    header = [
        _("Business key"),
        _("Title"),
        _("Process"),
        _("Agency"),
        _("Staff member"),
        _("Status"),
        _("Outcome"),
        _("Opened"),
        _("Finished"),
    ]
    rows: list[list[object]] = [
        [
            c.business_key,
            c.title,
            f"{c.definition.name} v{c.definition.version}",
            c.agency.name,
            c.subject.name if c.subject else "",
            c.get_status_display(),
            c.outcome,
            local_time(c.started_at),
            local_time(c.finished_at),
        ]
        for c in cases
    ]
    return header, rows


def _sheet_title(title: str) -> str:
    # Excel refuses sheet names over 31 characters or with []:*?/\
    cleaned = "".join(ch for ch in title if ch not in "[]:*?/\\")
    return cleaned[:31]


def _fill(sheet: Worksheet, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    sheet.append([str(h) for h in header])
    for row in rows:
        sheet.append([_plain(value) for value in row])
        # openpyxl stores a string starting with "=" as a formula: user text (a public
        # complaint, a comment) must never become one, so every text cell stays text.
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    sheet.freeze_panes = "A2"


def _plain(value: object) -> object:
    if value is None or isinstance(value, int | float):
        return value
    return str(value)


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
