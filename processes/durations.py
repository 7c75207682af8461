"""Durations as Fuzhi reads them: ISO 8601 and Chinese working days, at most ten years.

A model says how long in two places: a timer (``timeDuration``, ``timeCycle``,
``timeDate``) and a task's due date (``dueIn``). Both are read here, with bounds, before
SpiffWorkflow or the webapp computes anything from them. SpiffWorkflow's own parser
walked one month at a time (``P4000000Y``: 48 million steps, 28 s, then an
``OverflowError``) and knew no working days (``'15WD'``: ``Exception('Invalid
duration')``, a 500 in a live case). Here a duration is at most :data:`MAX_YEARS` years
(or :data:`MAX_WORKING_DAYS` working days), every number has a bounded count of
digits, and the text at most :data:`MAX_TEXT` characters, so reading one costs
microseconds whatever it says.

A year or month counts the calendar months from the start on (``P1M`` from 10 February
2024 is 29 days), as SpiffWorkflow's timers always counted them. SpiffWorkflow is then
handed a timer only in the plain form it reads in constant time (``PT<seconds>S``, an
ISO date, ``R<n>/<start>/PT<seconds>S``): see :func:`timer_value`.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from .errors import ProcessError

MAX_YEARS: Final = 10
MAX_WORKING_DAYS: Final = 2_600  # ten years of Chinese working days (about 250 a year)
MAX_TEXT: Final = 64  # characters of a duration, a date or a cycle
MAX_CYCLES: Final = 1_000  # repetitions of a cycle timer
MIN_CYCLE: Final = timedelta(minutes=1)  # the shortest period of a repeating timer

# Each number at most 12 digits (the text is at most MAX_TEXT characters anyway): the
# bound is checked in integer arithmetic before any date or timedelta is built.
_ISO: Final = re.compile(
    r"P(?!$)(?:(\d{1,12})Y)?(?:(\d{1,12})M)?(?:(\d{1,12})W)?(?:(\d{1,12})D)?"
    r"(?:T(?=\d)(?:(\d{1,12})H)?(?:(\d{1,12})M)?(?:(\d{1,12})(?:[.,](\d{1,6}))?S)?)?",
    re.IGNORECASE,
)
_UNIT_SECONDS: Final = (604_800, 86_400, 3_600, 60, 1)  # weeks, days, hours, minutes, seconds
# '5WD', 'P5WD', '5 个工作日' (as the Chinese regulation's deadlines are written).
_WORKING: Final = re.compile(r"(?:P\s*)?(\d{1,12})\s*(?:WD|个?\s*工作日)", re.IGNORECASE)
_CYCLE: Final = re.compile(r"R(\d{0,12})/([^/]+)(?:/([^/]+))?", re.IGNORECASE)

WorkingDays = Callable[[int], str]  # n working days from now as an ISO duration ('PT...S')


class DurationError(ProcessError, ValueError):
    """A duration, date or cycle that Fuzhi will not compute with; the message says why."""


@dataclass(frozen=True)
class Duration:
    """An ISO-8601 duration's parts: calendar months, and a fixed length besides."""

    months: int  # years * 12 + months
    fixed: timedelta  # weeks, days, hours, minutes, seconds

    def end(self, start: datetime) -> datetime:
        """``start`` plus this duration, months counted from the month ``start`` is in."""
        days = 0
        for index in range(self.months):  # at most 120: bounded by parse_iso
            year = start.year + (start.month + index - 1) // 12
            month = (start.month + index) % 12 or 12
            days += monthrange(year, month)[1]
        return start + timedelta(days=days) + self.fixed


def _refuse_long(text: object, what: str) -> str:
    if not isinstance(text, str):
        raise DurationError(f"{what} must be text, not {type(text).__name__}")
    stripped = text.strip()
    if len(stripped) > MAX_TEXT:
        raise DurationError(f"{what} is {len(stripped):,} characters long; at most {MAX_TEXT}")
    return stripped


def parse_iso(text: object) -> Duration:
    """An ISO-8601 duration (``P3D``, ``PT36H``, ``P1Y2M``), at most ten years long."""
    stripped = _refuse_long(text, "a duration")
    match = _ISO.fullmatch(stripped)
    if match is None:
        raise DurationError(
            f"{stripped!r} is neither an ISO-8601 duration such as P3D nor a number of "
            "working days such as 5WD"
        )
    years, months, *fixed_parts, fraction = match.groups()
    total_months = int(years or 0) * 12 + int(months or 0)
    seconds = sum(int(n or 0) * unit for n, unit in zip(fixed_parts, _UNIT_SECONDS, strict=True))
    if total_months > MAX_YEARS * 12 or seconds > 366 * MAX_YEARS * 86_400:
        raise DurationError(f"{stripped!r} is longer than {MAX_YEARS} years")
    fixed = timedelta(seconds=seconds + float(f"0.{fraction or 0}"))
    return Duration(total_months, fixed)


def working_days(text: object) -> int | None:
    """The number of working days of a hint such as ``5WD`` or ``P5WD``; None for other text."""
    stripped = _refuse_long(text, "a duration")
    match = _WORKING.fullmatch(stripped)
    if match is None:
        return None
    count = int(match.group(1))
    if count > MAX_WORKING_DAYS:
        raise DurationError(
            f"{stripped!r} is more than {MAX_WORKING_DAYS:,} working days (about {MAX_YEARS} years)"
        )
    return count


def check_working_days(count: object) -> int:
    """``count`` as a number of working days a helper may count, or :class:`DurationError`."""
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise DurationError("a number of working days must be a whole number, 0 or more")
    if count > MAX_WORKING_DAYS:
        raise DurationError(
            f"more than {MAX_WORKING_DAYS:,} working days (about {MAX_YEARS} years)"
        )
    return count


def iso_duration(text: str, *, start: datetime) -> timedelta:
    """How long the ISO-8601 duration ``text`` lasts from ``start`` (years and months add
    up the lengths of the calendar months from ``start`` on). :class:`DurationError` for
    text that is not a duration or lasts more than ten years."""
    duration = parse_iso(text)
    end = duration.end(start)
    if end > _years_after(start, MAX_YEARS):
        raise DurationError(f"{text.strip()!r} is longer than {MAX_YEARS} years")
    return end - start


def due_hint_problem(text: str) -> str:
    """'' when a ``dueIn`` hint can be used, else why not (a deploy's check)."""
    try:
        if working_days(text) is None:
            iso_duration(text, start=datetime(2024, 1, 31, tzinfo=UTC))
    except DurationError as exc:
        return f"due date: {exc}"
    return ""


def _years_after(start: datetime, years: int) -> datetime:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


# -------------------------------------------------------------------- timers


def timer_value(
    kind: str, value: object, *, now: datetime, working_days_duration: WorkingDays
) -> str:
    """A timer expression's value as SpiffWorkflow may be handed it, or DurationError.

    ``kind`` is ``duration``, ``date`` or ``cycle`` (the timer's BPMN element). A
    duration may be ISO 8601 or working days (``'15WD'``, counted on the calendar by
    ``working_days_duration``); it comes back as ``PT<seconds>S``. A date comes back in
    ISO form; a cycle as ``R<n>/<start>/PT<seconds>S``.
    """
    if kind == "date":
        return _timer_date(value, now).isoformat()
    if kind == "cycle":
        return _timer_cycle(value, now, working_days_duration)
    return f"PT{_seconds(value, now, working_days_duration)}S"


def _seconds(value: object, now: datetime, working_days_duration: WorkingDays) -> int:
    count = working_days(value)
    if count is not None:
        value = working_days_duration(count)
    seconds = int(iso_duration(str(value), start=now).total_seconds())
    return max(seconds, 0)


def _timer_date(value: object, now: datetime) -> datetime:
    stripped = _refuse_long(value, "a timer date")
    try:
        when = datetime.fromisoformat(stripped)
    except ValueError:
        raise DurationError(
            f"{stripped!r} is not an ISO-8601 date and time such as 2026-05-01T09:00:00+08:00"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=now.tzinfo)
    if when > _years_after(now, MAX_YEARS):
        raise DurationError(f"{stripped!r} is more than {MAX_YEARS} years away")
    return when


def _timer_cycle(value: object, now: datetime, working_days_duration: WorkingDays) -> str:
    stripped = _refuse_long(value, "a timer cycle")
    match = _CYCLE.fullmatch(stripped)
    if match is None:
        raise DurationError(
            f"{stripped!r} is not an ISO-8601 repeating interval such as R3/PT1H or "
            "R3/2026-05-01T09:00:00+08:00/P1D"
        )
    count, first, second = match.groups()
    cycles = int(count) if count else -1
    if cycles > MAX_CYCLES:
        raise DurationError(f"{stripped!r} repeats more than {MAX_CYCLES:,} times")
    start = _timer_date(first, now) if second else now
    period = _seconds(second or first, start, working_days_duration)
    if period < MIN_CYCLE.total_seconds():
        raise DurationError(f"{stripped!r} repeats more often than once a minute")
    if second is None:
        start = now + timedelta(seconds=period)  # as SpiffWorkflow: the first time is one period on
    return f"R{cycles if cycles >= 0 else ''}/{start.isoformat()}/PT{period}S"
