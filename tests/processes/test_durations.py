"""Durations as Fuzhi reads them (processes/durations.py): ISO 8601 and working days, at
most ten years, each in microseconds whatever the text says; the same for due dates and
for timers, which SpiffWorkflow then gets in a form it reads in constant time."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from processes.durations import (
    DurationError,
    due_hint_problem,
    iso_duration,
    timer_value,
    working_days,
)

START = datetime(2024, 2, 10, 9, 0, tzinfo=UTC)


def weekdays(count: int) -> str:
    return f"PT{count * 86_400}S"


def test_it_reads_days_and_hours() -> None:
    assert iso_duration("P3D", start=START) == timedelta(days=3)
    assert iso_duration("PT36H", start=START) == timedelta(hours=36)
    assert iso_duration("P1DT2H30M", start=START) == timedelta(days=1, hours=2, minutes=30)
    assert iso_duration("PT1.5S", start=START) == timedelta(seconds=1.5)
    assert iso_duration("P2W", start=START) == timedelta(days=14)


def test_it_counts_a_month_as_the_calendar_month_it_starts_in() -> None:
    assert iso_duration("P1M", start=START) == timedelta(days=29)  # February 2024
    assert iso_duration("P1M", start=START.replace(month=3)) == timedelta(days=31)
    assert iso_duration("P1Y", start=START) == timedelta(days=366)


@pytest.mark.parametrize("text", ["P1Y", "P14M", "P10D", "PT1H", "P1Y2M3DT4H5M6S", "P10Y"])
def test_it_agrees_with_spiffworkflow_where_spiffworkflow_can_read_it(text: str) -> None:
    parsed = TimerEventDefinition.parse_iso_duration(text)
    spiff = TimerEventDefinition.get_timedelta_from_start(parsed, START)
    assert iso_duration(text, start=START) == spiff


def test_it_refuses_text_that_is_not_a_duration() -> None:
    for text in ("P3X", "3 days", "P", "PT", "", "P1DT", "15WD"):
        with pytest.raises(DurationError, match="neither an ISO-8601 duration"):
            iso_duration(text, start=START)


def test_it_refuses_more_than_ten_years_at_once_whatever_the_numbers() -> None:
    began = time.monotonic()
    for text in ("P4000000Y", "P11Y", "P121M", "P3700D", "PT99999999H", "P530W", "P10YT1S"):
        with pytest.raises(DurationError, match="longer than 10 years"):
            iso_duration(text, start=START)
    for text in ("P" + "9" * 60 + "Y", "P" + "1" * 100 + "D"):
        with pytest.raises(DurationError):
            iso_duration(text, start=START)
    assert time.monotonic() - began < 2  # Spiff's month loop took 28 s on P4000000Y


def test_it_reads_working_days_in_the_ways_the_models_write_them() -> None:
    assert working_days("15WD") == 15
    assert working_days("P5WD") == 5
    assert working_days("5 个工作日") == 5
    assert working_days("P3D") is None
    with pytest.raises(DurationError, match="working days"):
        working_days("9999WD")


def test_a_due_hint_is_checked_as_a_deploy_would() -> None:
    assert due_hint_problem("P3D") == ""
    assert due_hint_problem("15WD") == ""
    assert "longer than 10 years" in due_hint_problem("P4000000Y")
    assert "neither" in due_hint_problem("soon")


def test_a_timer_gets_spiffworkflow_a_constant_time_form() -> None:
    now = START
    assert timer_value("duration", "P1M", now=now, working_days_duration=weekdays) == (
        f"PT{29 * 86_400}S"
    )
    assert timer_value("duration", "15WD", now=now, working_days_duration=weekdays) == (
        f"PT{15 * 86_400}S"
    )
    date = timer_value("date", "2024-03-01T08:00:00+08:00", now=now, working_days_duration=weekdays)
    assert TimerEventDefinition.get_datetime(date) == datetime(2024, 3, 1, 0, 0, tzinfo=UTC)
    cycle = timer_value("cycle", "R3/PT1H", now=now, working_days_duration=weekdays)
    cycles, first, period = TimerEventDefinition.parse_iso_recurring_interval(cycle)
    assert (cycles, first, period) == (3, now + timedelta(hours=1), timedelta(hours=1))


@pytest.mark.parametrize(
    ("kind", "value", "why"),
    [
        ("duration", "P4000000Y", "longer than 10 years"),
        ("duration", 5, "must be text"),
        ("duration", "x" * 100, "characters long"),
        ("date", "2099-01-01T00:00:00", "more than 10 years away"),
        ("date", "P3D", "not an ISO-8601 date"),
        ("cycle", "R5000/PT1H", "more than 1,000 times"),
        ("cycle", "R/PT1S", "more often than once a minute"),
        ("cycle", "every day", "repeating interval"),
    ],
)
def test_a_timer_value_fuzhi_will_not_use_is_refused(kind: str, value: object, why: str) -> None:
    with pytest.raises(DurationError, match=why):
        timer_value(kind, value, now=START, working_days_duration=weekdays)
