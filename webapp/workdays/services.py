"""Counting in Chinese working days, and seeding the calendar from the library.

Conventions (see docs/workdays.md):

* ``add_working_days(start, n)`` is the n-th working day *after* ``start``; ``start``
  itself is never counted. ``n == 0`` gives ``start`` if it is a working day, else
  the next working day.
* ``working_days_between(a, b)`` counts the working days in ``(a, b]``: after ``a``,
  up to and including ``b``. So ``working_days_between(a, add_working_days(a, n)) == n``
  for every n >= 1; it is negative when ``b`` is before ``a``.
* The table is read on every call (one query per year a call touches); nothing is
  cached between calls, so an administrator's edit counts at once, in every process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import chinese_calendar
from django.db import transaction
from django.utils import timezone

from processes.durations import check_working_days, working_days

from .models import CalendarDay, Kind, Source
from .selectors import CalendarNotLoaded, YearExceptions, covered_years, year_exceptions

__all__ = [
    "CalendarNotLoaded",
    "SeedResult",
    "add_working_days",
    "covered_years",
    "is_working_day",
    "parse_working_days",
    "seed_from_library",
    "working_day_end",
    "working_days_between",
    "working_days_duration",
]

ONE_DAY = timedelta(days=1)


def _as_date(value: date) -> date:
    """A datetime counts as its local calendar date (aware ones in TIME_ZONE)."""
    if isinstance(value, datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


@dataclass
class _Calendar:
    """The exceptions of each year one call touches, read once within that call."""

    years: dict[int, YearExceptions] = field(default_factory=dict)

    def is_working_day(self, day: date) -> bool:
        if day.year not in self.years:
            self.years[day.year] = year_exceptions(day.year)
        exceptions = self.years[day.year]
        if day in exceptions.workdays:
            return True
        if day in exceptions.holidays:
            return False
        return day.weekday() < 5


def is_working_day(day: date) -> bool:
    """Whether ``day`` is a working day. Raises CalendarNotLoaded for an unentered year."""
    return _Calendar().is_working_day(_as_date(day))


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after ``start`` (``start`` not counted); n >= 0.

    n == 0 gives ``start`` if it is a working day, else the next working day.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, not {n}")
    calendar, day = _Calendar(), _as_date(start)
    if n == 0:
        while not calendar.is_working_day(day):
            day += ONE_DAY
        return day
    while n:
        day += ONE_DAY
        if calendar.is_working_day(day):
            n -= 1
    return day


def working_days_between(a: date, b: date) -> int:
    """The working days after ``a`` up to and including ``b``; negative if b < a."""
    a, b = _as_date(a), _as_date(b)
    if b < a:
        return -working_days_between(b, a)
    calendar = _Calendar()
    return sum(calendar.is_working_day(a + k * ONE_DAY) for k in range(1, (b - a).days + 1))


def parse_working_days(text: str | None) -> int | None:
    """The number of working days in a due-date hint such as "5WD" or "P5WD", else None;
    ``DurationError`` past ten years' worth (``processes.durations``)."""
    return working_days(text or "")


# --- seeding ------------------------------------------------------------------


@dataclass
class SeedResult:
    added: int
    library_version: str
    library_years: list[int]
    # Administrator rows the library disagrees with; they are kept, never overwritten.
    disagreements: list[str]


def library_days() -> dict[date, tuple[str, str]]:
    """Every exception the chinese_calendar package knows: day -> (kind, Chinese name)."""

    def chinese(english: str) -> str:
        try:
            return str(getattr(chinese_calendar.Holiday(english), "chinese", english))
        except ValueError:
            return english

    days = {day: (Kind.HOLIDAY.value, chinese(n)) for day, n in chinese_calendar.holidays.items()}
    days.update(
        {day: (Kind.WORKDAY.value, chinese(n)) for day, n in chinese_calendar.workdays.items()}
    )
    return days


def _describe(entry: tuple[str, str] | None) -> str:
    return f"{Kind(entry[0]).label} {entry[1]}" if entry else "ordinary day"


def seed_from_library() -> SeedResult:
    """Add the library's rows for the days that have none yet (idempotent).

    A day that already has a row keeps it: an administrator's row is never
    overwritten, and a library row is already what the library says.
    """
    days = library_days()
    years = sorted({day.year for day in days})
    with transaction.atomic():
        existing = {row.day: row for row in CalendarDay.objects.all()}
        before = len(existing)
        CalendarDay.objects.bulk_create(
            [
                CalendarDay(day=day, kind=kind, name=name, source=Source.LIBRARY)
                for day, (kind, name) in sorted(days.items())
                if day not in existing
            ],
            ignore_conflicts=True,
        )
        added = CalendarDay.objects.count() - before
    disagreements = [
        f"{row.day} {row.get_kind_display()} {row.name} / library: {_describe(days.get(row.day))}"
        for row in existing.values()
        if row.source == Source.ADMIN
        and row.day.year in years
        and days.get(row.day, ("", ""))[0] != row.kind
    ]
    return SeedResult(added, chinese_calendar.__version__, years, sorted(disagreements))


def working_day_end(start: date, n: int) -> datetime:
    """The end (23:59:59 local time) of the n-th working day after ``start``: where a
    deadline of n working days falls. A year whose schedule is not entered yet counts
    Monday to Friday rather than leave the deadline unset."""
    try:
        day = add_working_days(start, n)
    except CalendarNotLoaded:
        day = _as_date(start)
        while n:
            day += ONE_DAY
            n -= day.weekday() < 5
    return _end_of(day)


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def working_days_duration(days: int) -> str:
    """For a model's timer: an ISO duration from now to the end of the ``days``-th working
    day after today (``working_day_end``); 0 is the end of today."""
    if not isinstance(days, int) or days < 0:
        raise TypeError("working_days_duration() needs a whole number of days, 0 or more")
    check_working_days(days)  # at most ten years: the calendar is walked a day at a time
    now = timezone.localtime()
    end = working_day_end(now.date(), days) if days else _end_of(now.date())
    return f"PT{max(int((end - now).total_seconds()), 0)}S"
