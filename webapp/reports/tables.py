"""The report sections: labelled tables built from the selectors' figures.

One shape serves the page (HTML table), the charts (JSON payload) and the Excel export,
so the three always show the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from webapp.accounts.models import Agency
from webapp.accounts.roles import Role
from webapp.records.models import Grade

from . import selectors
from .selectors import Period

DAY = 86400.0
PROCESS_NAMES = {
    "usage_plan": gettext_lazy("Usage plan"),
    "recruitment": gettext_lazy("Recruitment"),
    "training": gettext_lazy("Training and certification"),
    "assessment": gettext_lazy("Annual assessment"),
    "commendation": gettext_lazy("Commendation"),
    "complaint": gettext_lazy("Complaint handling"),
    "discipline": gettext_lazy("Discipline"),
    "separation": gettext_lazy("Separation"),
    "liability": gettext_lazy("Liability and recourse"),
    "renewal": gettext_lazy("Contract renewal"),
    "appeal": gettext_lazy("Appeal"),
    "suggestion": gettext_lazy("Suggestion"),
    "correction_order": gettext_lazy("Correction order"),
    "measures_filing": gettext_lazy("Filing of detailed measures"),
}
DECISIONS = {
    "criticism": gettext_lazy("Criticism and correction"),
    "termination": gettext_lazy("Contract terminated, certificate recovered"),
    "judicial": gettext_lazy("Referred to the judicial authorities"),
}


@dataclass
class Column:
    key: str
    label: str
    kind: str = "int"  # int, pct, days or text


@dataclass
class Section:
    key: str
    title: str
    note: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    total: dict[str, Any] | None = None
    chart: dict[str, Any] = field(default_factory=dict)

    def cells(self, row: dict[str, Any]) -> list[tuple[Column, Any]]:
        return [(column, row.get(column.key)) for column in self.columns]

    @property
    def body(self) -> list[list[tuple[Column, Any]]]:
        return [self.cells(row) for row in self.rows]

    @property
    def footer(self) -> list[tuple[Column, Any]] | None:
        return self.cells(self.total) if self.total else None


def agency_label(agency: Agency) -> str:
    if translation.get_language() == "en" and agency.name_en:
        return agency.name_en
    return agency.name


def process_label(process_id: str) -> str:
    return str(PROCESS_NAMES.get(process_id, process_id))


def ratio(part: int | None, whole: int | None) -> float | None:
    return round(100.0 * (part or 0) / whole, 1) if whole else None


def days(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / DAY, 2)


def _sum(rows: list[dict[str, Any]], keys: list[str]) -> dict[str, int]:
    return {key: sum(row.get(key) or 0 for row in rows) for key in keys}


def _bar(
    categories: list[str], series: list[tuple[str, list[Any]]], **extra: Any
) -> dict[str, Any]:
    return {
        "categories": categories,
        "series": [{"name": name, "data": data} for name, data in series],
        **extra,
    }


def headcount_section(agencies: list[Agency], figures: dict[int, dict[str, int]]) -> Section:
    rows: list[dict[str, Any]] = []
    for agency in agencies:
        got = figures.get(agency.pk, {})
        rows.append({"agency": agency_label(agency), "quota": agency.quota, **_headcount(got)})
    total = {
        "agency": _("All agencies shown"),
        **_sum(rows, ["quota", "planned", "in_use", "on_duty"]),
    }
    for row in [*rows, total]:
        row["vacancy"] = row["quota"] - row["in_use"]
        row["usage"] = ratio(row["in_use"], row["quota"])
        # Art. 9: over the quota, or hired beyond the approved usage plans.
        row["check"] = _("Over quota") if row["in_use"] > row["quota"] else ""
        if not row["check"] and row["in_use"] > row["planned"]:
            row["check"] = _("Beyond approved plans")
    columns = [
        Column("agency", _("Agency"), "text"),
        Column("quota", _("Approved quota")),
        Column("planned", _("Approved usage plans")),
        Column("in_use", _("Headcount")),
        Column("on_duty", _("On duty")),
        Column("vacancy", _("Vacancies")),
        Column("usage", _("Quota used (%)"), "pct"),
        Column("check", _("Quota check"), "text"),
    ]
    chart = _bar(
        [row["agency"] for row in rows],
        [
            (_("Approved quota"), [row["quota"] for row in rows]),
            (_("Headcount"), [row["in_use"] for row in rows]),
        ],
    )
    note = _("Headcount counts hired, on-duty and suspended staff today (Art. 9).")
    return Section(
        "headcount", _("Headcount against quota (Art. 9)"), note, columns, rows, total, chart
    )


def _headcount(got: dict[str, int]) -> dict[str, Any]:
    return {key: got.get(key, 0) for key in ("planned", "in_use", "on_duty")}


def certified_section(agencies: list[Agency], figures: dict[int, dict[str, int]]) -> Section:
    rows: list[dict[str, Any]] = []
    for agency in agencies:
        got = figures.get(agency.pk, {})
        rows.append(
            {
                "agency": agency_label(agency),
                "in_use": got.get("in_use", 0),
                "certified": got.get("certified", 0),
            }
        )
    total: dict[str, Any] = {
        "agency": _("All agencies shown"),
        **_sum(rows, ["in_use", "certified"]),
    }
    for row in [*rows, total]:
        row["share"] = ratio(row["certified"], row["in_use"])
    columns = [
        Column("agency", _("Agency"), "text"),
        Column("in_use", _("Headcount")),
        Column("certified", _("With a valid certificate")),
        Column("share", _("Certified share (%)"), "pct"),
    ]
    chart = _bar(
        [row["agency"] for row in rows],
        [(_("Certified share (%)"), [row["share"] for row in rows])],
        max=100,
        decimal=True,
    )
    note = _("Staff may act only with a valid certificate (Art. 19).")
    return Section("certified", _("Certified share (Art. 19)"), note, columns, rows, total, chart)


def training_section(agencies: list[Agency], ids: set[int], period: Period) -> Section:
    figures = selectors.training_by_agency(ids, period)
    keys = ["opened", "passed", "failed", "running"]
    rows: list[dict[str, Any]] = [
        {"agency": agency_label(a), **{k: figures.get(a.pk, {}).get(k, 0) for k in keys}}
        for a in agencies
    ]
    total: dict[str, Any] = {"agency": _("All agencies shown"), **_sum(rows, keys)}
    for row in [*rows, total]:
        row["pass_rate"] = ratio(row["passed"], row["passed"] + row["failed"])
    columns = [
        Column("agency", _("Agency"), "text"),
        Column("opened", _("Training cases opened")),
        Column("passed", _("Passed, certificate issued")),
        Column("failed", _("Failed")),
        Column("running", _("Still in training")),
        Column("pass_rate", _("Pass rate (%)"), "pct"),
    ]
    chart = _bar(
        [row["agency"] for row in rows],
        [
            (_("Passed, certificate issued"), [r["passed"] for r in rows]),
            (_("Failed"), [r["failed"] for r in rows]),
        ],
        stack=True,
    )
    note = _("Pre-job training cases opened in the period and how they ended (Art. 13, Art. 19).")
    return Section("training", _("Training results (Art. 19)"), note, columns, rows, total, chart)


def grades_section(agencies: list[Agency], ids: set[int], period: Period) -> Section:
    figures = selectors.grades_by_agency(ids, period)
    keys = [str(grade) for grade in Grade.values]
    rows: list[dict[str, Any]] = [
        {"agency": agency_label(a), **{k: figures.get((a.pk, k), 0) for k in keys}}
        for a in agencies
    ]
    total: dict[str, Any] = {"agency": _("All agencies shown"), **_sum(rows, keys)}
    for row in [*rows, total]:
        row["assessed"] = sum(row[k] for k in keys)
        row["failed_share"] = ratio(row[Grade.INCOMPETENT], row["assessed"])
    columns = [
        Column("agency", _("Agency"), "text"),
        *[Column(k, str(label)) for k, label in Grade.choices],
        Column("assessed", _("Assessed")),
        Column("failed_share", _("Incompetent (%)"), "pct"),
    ]
    chart = _bar(
        [row["agency"] for row in rows],
        [(str(label), [row[k] for row in rows]) for k, label in Grade.choices],
        stack=True,
    )
    note = _("Annual assessment grades for the assessment years in the period (Art. 20).")
    return Section(
        "grades", _("Assessment results by grade (Art. 20)"), note, columns, rows, total, chart
    )


def complaints_section(agencies: list[Agency], ids: set[int], period: Period) -> Section:
    figures = selectors.complaints_by_agency(ids, period)
    keys = ["received", "replied", "substantiated", "open"]
    rows: list[dict[str, Any]] = []
    for agency in agencies:
        got = figures.get(agency.pk, {})
        row: dict[str, Any] = {"agency": agency_label(agency), **{k: got.get(k, 0) for k in keys}}
        row.update(mean_reply=days(got.get("mean_reply")), max_reply=days(got.get("max_reply")))
        rows.append(row)
    totals = selectors.complaint_reply_totals(ids, period)
    total = {
        "agency": _("All agencies shown"),
        **_sum(rows, keys),
        "mean_reply": days(totals["mean_reply"]),
        "max_reply": days(totals["max_reply"]),
    }
    columns = [
        Column("agency", _("Agency"), "text"),
        Column("received", _("Complaints received")),
        Column("replied", _("Replied")),
        Column("substantiated", _("Substantiated")),
        Column("open", _("Still open")),
        Column("mean_reply", _("Mean reply time (days)"), "days"),
        Column("max_reply", _("Longest reply time (days)"), "days"),
    ]
    chart = _bar(
        [row["agency"] for row in rows],
        [
            (_("Complaints received"), [r["received"] for r in rows]),
            (_("Replied"), [r["replied"] for r in rows]),
            (_("Substantiated"), [r["substantiated"] for r in rows]),
        ],
    )
    note = _(
        "Complaints received in the period; reply time runs from receipt to the recorded "
        "reply (Art. 18)."
    )
    return Section(
        "complaints", _("Complaints and reply times (Art. 18)"), note, columns, rows, total, chart
    )


def discipline_section(agencies: list[Agency], ids: set[int], period: Period) -> Section:
    figures = selectors.discipline_by_agency(ids, period)
    keys = list(DECISIONS)
    rows: list[dict[str, Any]] = []
    for agency in agencies:
        row: dict[str, Any] = {"agency": agency_label(agency)}
        row.update({k: figures.get((agency.pk, k), 0) for k in keys})
        row["other"] = sum(
            n for (a, d), n in figures.items() if a == agency.pk and d not in DECISIONS
        )
        rows.append(row)
    total: dict[str, Any] = {"agency": _("All agencies shown"), **_sum(rows, [*keys, "other"])}
    for row in [*rows, total]:
        row["total"] = sum(row[k] for k in [*keys, "other"])
    columns = [
        Column("agency", _("Agency"), "text"),
        *[Column(k, str(label)) for k, label in DECISIONS.items()],
        Column("other", _("Other decisions")),
        Column("total", _("Decisions")),
    ]
    chart = _bar(
        [row["agency"] for row in rows],
        [(str(label), [row[k] for row in rows]) for k, label in DECISIONS.items()],
        stack=True,
    )
    note = _("Discipline decisions recorded in the period (Art. 15, Art. 23).")
    return Section(
        "discipline", _("Discipline outcomes (Art. 23)"), note, columns, rows, total, chart
    )


SUPERVISION_KEYS = [
    "orders",
    "corrected",
    "orders_open",
    "overdue",
    "filings",
    "filed",
    "pending",
    "returned",
]


def supervision_section(agencies: list[Agency], ids: set[int], period: Period) -> Section:
    figures = selectors.supervision_by_agency(ids, period)
    rows: list[dict[str, Any]] = []
    for agency in agencies:
        got = figures.get(agency.pk, {})
        rows.append(
            {"agency": agency_label(agency), **{k: got.get(k, 0) for k in SUPERVISION_KEYS}}
        )
    total = {"agency": _("All agencies shown"), **_sum(rows, SUPERVISION_KEYS)}
    columns = [
        Column("agency", _("Agency"), "text"),
        Column("orders", _("Correction orders (Art. 22)")),
        Column("corrected", _("Corrected")),
        Column("orders_open", _("Awaiting correction")),
        Column("overdue", _("Deadline missed")),
        Column("filings", _("Detailed measures submitted (Art. 26)")),
        Column("filed", _("Filed")),
        Column("pending", _("With the departments")),
        Column("returned", _("Times returned")),
    ]
    chart = _bar(
        [row["agency"] for row in rows],
        [
            (_("Correction orders (Art. 22)"), [r["orders"] for r in rows]),
            (_("Deadline missed"), [r["overdue"] for r in rows]),
            (_("Detailed measures submitted (Art. 26)"), [r["filings"] for r in rows]),
        ],
    )
    note = _(
        "Correction orders opened and detailed measures submitted in the period; how the "
        "agencies answered them (Art. 6, Art. 22, Art. 26)."
    )
    return Section(
        "supervision",
        _("Supervision of agencies (Art. 22, Art. 26)"),
        note,
        columns,
        rows,
        total,
        chart,
    )


def cycle_section(ids: set[int], period: Period) -> Section:
    rows: list[dict[str, Any]] = []
    for got in selectors.cycle_times(ids, period):
        rows.append(
            {
                **got,
                "process": process_label(got["process_id"]),
                "mean_cycle": days(got["mean_cycle"]),
                "max_cycle": days(got["max_cycle"]),
            }
        )
    columns = [
        Column("process", _("Process"), "text"),
        Column("started", _("Cases opened")),
        Column("completed", _("Completed")),
        Column("running", _("Running")),
        Column("cancelled", _("Cancelled")),
        Column("mean_cycle", _("Mean cycle time (days)"), "days"),
        Column("max_cycle", _("Longest cycle time (days)"), "days"),
    ]
    chart = _bar(
        [row["process"] for row in rows],
        [
            (_("Mean cycle time (days)"), [r["mean_cycle"] for r in rows]),
            (_("Longest cycle time (days)"), [r["max_cycle"] for r in rows]),
        ],
        decimal=True,
    )
    note = _("Cases opened in the period, from opening to completion.")
    return Section("cycle", _("Cycle time of each process"), note, columns, rows, None, chart)


def waiting_section(ids: set[int], period: Period, now: datetime) -> Section:
    rows: list[dict[str, Any]] = []
    for got in selectors.waiting_times(ids, period, now):
        rows.append(
            {
                "process": process_label(got["process_id"]),
                "task": got["name"],
                "role": str(Role(got["role"]).label) if got["role"] in Role.values else got["role"],
                "completed": got["completed"],
                "mean_wait": days(got["mean_wait"]),
                "max_wait": days(got["max_wait"]),
                "open": got["open"],
                "open_wait": days(got["open_wait"]),
            }
        )
    columns = [
        Column("process", _("Process"), "text"),
        Column("task", _("Task"), "text"),
        Column("role", _("Role"), "text"),
        Column("completed", _("Completed")),
        Column("mean_wait", _("Mean wait (days)"), "days"),
        Column("max_wait", _("Longest wait (days)"), "days"),
        Column("open", _("Open now")),
        Column("open_wait", _("Oldest open task waiting (days)"), "days"),
    ]
    top = rows[:10]
    chart = _bar(
        [f"{r['process']} · {r['task']}" for r in top],
        [
            (_("Mean wait (days)"), [r["mean_wait"] for r in top]),
            (_("Oldest open task waiting (days)"), [r["open_wait"] for r in top]),
        ],
        horizontal=True,
        decimal=True,
    )
    note = _(
        "Tasks created in the period, from creation to completion, and the tasks open now; "
        "longest wait first."
    )
    return Section("waiting", _("Where cases wait longest"), note, columns, rows, None, chart)


SECTION_KEYS = [
    "headcount",
    "certified",
    "training",
    "grades",
    "complaints",
    "discipline",
    "supervision",
    "cycle",
    "waiting",
]


def build(agencies: list[Agency], ids: set[int], period: Period, now: datetime) -> list[Section]:
    """Every section for the agencies (rows) and the agency ids they cover."""
    staff_figures = selectors.headcount_by_agency(ids)
    return [
        headcount_section(agencies, staff_figures),
        certified_section(agencies, staff_figures),
        training_section(agencies, ids, period),
        grades_section(agencies, ids, period),
        complaints_section(agencies, ids, period),
        discipline_section(agencies, ids, period),
        supervision_section(agencies, ids, period),
        cycle_section(ids, period),
        waiting_section(ids, period, now),
    ]


def chart_payload(sections: list[Section]) -> dict[str, Any]:
    return {section.key: {"title": section.title, **section.chart} for section in sections}
