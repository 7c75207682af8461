"""The domain helpers a model's scripts may call: dates, ages, working-day durations.

Plain functions of JSON values (dates are ``YYYY-MM-DD`` strings), with nothing to
guard: they are kept out of ``processes/sandbox/`` so that package holds only what
bounds and refuses code. The sandbox offers :data:`DOMAIN_HELPERS` to every script; the
webapp replaces ``working_days_duration`` with one that knows the holiday calendar.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any, Final

from .durations import check_working_days

_CN_DATE: Final = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def _as_date(value: str | date) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected a date string, got {type(value).__name__}")
    text = value.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        pass
    match = _CN_DATE.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return date(year, month, day)
    raise ValueError(f"not a date: {value!r} (expected YYYY-MM-DD)")


def today() -> str:
    """Today's date (server local time) as ``YYYY-MM-DD``."""
    return date.today().isoformat()


def parse_date(value: str) -> str:
    """Normalise ``2024-01-05``, ``2024-01-05T10:00+08:00``, ``2024/1/5``, ``2024年1月5日``."""
    return _as_date(value).isoformat()


def days_between(start: str, end: str) -> int:
    """Whole days from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    return (_as_date(end) - _as_date(start)).days


def add_days(day: str, days: int) -> str:
    """``day`` plus ``days`` (may be negative) as ``YYYY-MM-DD``."""
    if not isinstance(days, int):
        raise TypeError("add_days() needs a whole number of days")
    return (_as_date(day) + timedelta(days=days)).isoformat()


def age_on(birth_date: str, on_date: str) -> int:
    """Completed years of age on ``on_date``; born 29 Feb, one is a year older on 1 Mar."""
    born = _as_date(birth_date)
    on = _as_date(on_date)
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


CHINA_TIME = timezone(timedelta(hours=8))


def working_days_duration(days: int) -> str:
    """An ISO duration from now to the end of the ``days``-th working day after today.

    Counts Monday to Friday; the webapp hands the engine a version that also knows
    public holidays and make-up working days (its holiday calendar).
    """
    if not isinstance(days, int) or days < 0:
        raise TypeError("working_days_duration() needs a whole number of days, 0 or more")
    check_working_days(days)  # at most ten years: the loop below is one day a step
    now = datetime.now(CHINA_TIME)  # days end at midnight in China, whatever the server's zone
    day = now.date()
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    end = datetime.combine(day, datetime.max.time().replace(microsecond=0), tzinfo=CHINA_TIME)
    return f"PT{max(int((end - now).total_seconds()), 0)}S"


DOMAIN_HELPERS: Final[dict[str, Callable[..., Any]]] = {
    "today": today,
    "parse_date": parse_date,
    "days_between": days_between,
    "add_days": add_days,
    "age_on": age_on,
    "working_days_duration": working_days_duration,
}
