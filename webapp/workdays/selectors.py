"""Reading the calendar: which years are entered, and one year's exceptions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings

from .models import CalendarDay, Kind


class CalendarNotLoaded(LookupError):
    """A date falls in a year for which no calendar row has been entered."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            f"{year} 年的节假日安排尚未录入 / the holiday schedule for {year} has not been entered"
        )


@dataclass(frozen=True)
class YearExceptions:
    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]


def strict() -> bool:
    """FUZHI_WORKDAYS_STRICT (default True): refuse to count in a year with no rows."""
    return bool(getattr(settings, "FUZHI_WORKDAYS_STRICT", True))


def covered_years() -> set[int]:
    """The years with at least one calendar row."""
    return {d.year for d in CalendarDay.objects.dates("day", "year")}


def year_exceptions(year: int) -> YearExceptions:
    """The holidays and make-up working days of ``year``, read from the table.

    Raises CalendarNotLoaded when the year has no rows at all, unless the strict
    setting is off; then the plain Monday-to-Friday rule applies to that year.
    """
    rows = list(CalendarDay.objects.filter(day__year=year).values_list("day", "kind"))
    if not rows and strict():
        raise CalendarNotLoaded(year)
    return YearExceptions(
        year=year,
        holidays=frozenset(day for day, kind in rows if kind == Kind.HOLIDAY),
        workdays=frozenset(day for day, kind in rows if kind == Kind.WORKDAY),
    )
