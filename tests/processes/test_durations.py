"""ISO-8601 durations as the webapp's due dates read them: the same as the engine's timers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from processes.durations import iso_duration

START = datetime(2024, 2, 10, 9, 0, tzinfo=UTC)


def test_it_reads_days_and_hours() -> None:
    assert iso_duration("P3D", start=START) == timedelta(days=3)
    assert iso_duration("PT36H", start=START) == timedelta(hours=36)
    assert iso_duration("P1DT2H30M", start=START) == timedelta(days=1, hours=2, minutes=30)


def test_it_counts_a_month_as_the_calendar_month_it_starts_in() -> None:
    assert iso_duration("P1M", start=START) == timedelta(days=29)  # February 2024
    assert iso_duration("P1M", start=START.replace(month=3)) == timedelta(days=31)
    assert iso_duration("P1Y", start=START) == timedelta(days=366)


def test_it_refuses_text_that_is_not_a_duration() -> None:
    with pytest.raises(Exception, match="Invalid duration"):
        iso_duration("P3X", start=START)
