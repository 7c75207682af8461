"""Working days: public holidays and make-up working days (调休), counted on a real DB.

The dates asserted here were read from chinese-calendar 1.11.0 (its `holidays` and
`workdays` dicts), which follow the State Council's notices:

* 2025 春节: days off 2025-01-28 (Tue) .. 2025-02-04 (Tue); working Sunday 2025-01-26
  and working Saturday 2025-02-08.
* 2026 春节: days off 2026-02-15 (Sun) .. 2026-02-23 (Mon), nine days; working
  Saturdays 2026-02-14 and 2026-02-28.
* 2026 国庆节: days off 2026-10-01 (Thu) .. 2026-10-07 (Wed); working Sunday 2026-09-20
  and working Saturday 2026-10-10.
* 2025 国庆节 + 中秋: days off 2025-10-01 .. 2025-10-08 (10-06 is 中秋); working Sunday
  2025-09-28 and working Saturday 2025-10-11.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import StringIO

import chinese_calendar
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from webapp.workdays.models import CalendarDay, Kind, Source
from webapp.workdays.services import (
    CalendarNotLoaded,
    add_working_days,
    covered_years,
    is_working_day,
    parse_working_days,
    working_days_between,
)

LIBRARY_YEARS = sorted({day.year for day in chinese_calendar.holidays})


def seed() -> str:
    out = StringIO()
    call_command("seed_workdays", stdout=out)
    return out.getvalue()


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(n) for n in range((last - first).days + 1)]


@pytest.fixture
def seeded(db: None) -> None:
    seed()


# --- seeding --------------------------------------------------------------------


def test_it_seeds_the_2026_spring_festival_and_its_working_saturdays(seeded):
    holidays = CalendarDay.objects.filter(
        day__range=(date(2026, 2, 1), date(2026, 3, 31)), kind=Kind.HOLIDAY
    )
    assert list(holidays.values_list("day", flat=True)) == days(
        date(2026, 2, 15), date(2026, 2, 23)
    )
    assert set(holidays.values_list("name", "source")) == {("春节", Source.LIBRARY)}
    workdays = CalendarDay.objects.filter(day__year=2026, kind=Kind.WORKDAY, name="春节")
    assert list(workdays.values_list("day", flat=True)) == [date(2026, 2, 14), date(2026, 2, 28)]
    assert all(d.weekday() == 5 for d in workdays.values_list("day", flat=True))


def test_it_seeds_the_2025_spring_festival(seeded):
    spring = CalendarDay.objects.filter(day__year=2025, name="春节")
    assert list(spring.filter(kind=Kind.HOLIDAY).values_list("day", flat=True)) == days(
        date(2025, 1, 28), date(2025, 2, 4)
    )
    assert list(spring.filter(kind=Kind.WORKDAY).values_list("day", flat=True)) == [
        date(2025, 1, 26),
        date(2025, 2, 8),
    ]


def test_it_maps_the_library_holidays_to_chinese_names(seeded):
    names = set(CalendarDay.objects.values_list("name", flat=True))
    assert {"元旦", "春节", "清明", "劳动节", "端午", "中秋", "国庆节"} <= names
    assert not {name for name in names if name.isascii()}
    assert CalendarDay.objects.get(day=date(2025, 10, 6)).name == "中秋"


def test_it_agrees_with_the_library_on_every_day_of_2025_and_2026(seeded):
    for day in days(date(2025, 1, 1), date(2026, 12, 31)):
        assert is_working_day(day) == chinese_calendar.is_workday(day), day
        assert is_working_day(day) == (not chinese_calendar.get_holiday_detail(day)[0]), day


def test_it_reports_rows_added_and_years_covered(db):
    out = seed()
    total = len(chinese_calendar.holidays) + len(chinese_calendar.workdays)
    assert f"Added {total} calendar rows" in out
    assert f"{LIBRARY_YEARS[0]}–{LIBRARY_YEARS[-1]}" in out
    assert covered_years() == set(LIBRARY_YEARS)
    assert {2025, 2026} <= covered_years()


def test_it_adds_nothing_when_seeded_twice(seeded):
    count = CalendarDay.objects.count()
    assert "Added 0 calendar rows" in seed()
    assert CalendarDay.objects.count() == count


def test_it_never_overwrites_an_administrators_row(db):
    # The administrator says 2026-02-28 (a 调休 Saturday in the library) is a day off.
    CalendarDay.objects.create(
        day=date(2026, 2, 28), kind=Kind.HOLIDAY, name="春节（本地调整）", source=Source.ADMIN
    )
    out = seed()
    row = CalendarDay.objects.get(day=date(2026, 2, 28))
    assert (row.kind, row.name, row.source) == (Kind.HOLIDAY, "春节（本地调整）", Source.ADMIN)
    assert "Kept administrator row" in out and "2026-02-28" in out
    assert not is_working_day(date(2026, 2, 28))
    assert "Added 0 calendar rows" in seed()
    assert CalendarDay.objects.get(day=date(2026, 2, 28)).source == Source.ADMIN


# --- counting -------------------------------------------------------------------


def test_it_counts_a_deadline_across_the_spring_festival(seeded):
    # From Thu 2026-02-12 (not counted), by the library's 2026 schedule:
    #   Fri 02-13 -> 1st working day
    #   Sat 02-14 -> 2nd (调休: a working Saturday)
    #   Sun 02-15 .. Mon 02-23 -> 春节, nine days off, none counted
    #   Tue 02-24 -> 3rd, Wed 02-25 -> 4th, Thu 02-26 -> 5th.
    # Counting Mon-Fri only would wrongly give Thu 02-19, in the middle of the holiday.
    assert add_working_days(date(2026, 2, 12), 5) == date(2026, 2, 26)
    assert working_days_between(date(2026, 2, 12), date(2026, 2, 26)) == 5
    # The last working day before the holiday is the 调休 Saturday.
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)


def test_it_counts_across_national_day_week(seeded):
    # 2026: 10-01 (Thu) .. 10-07 (Wed) off; Sat 10-10 is a 调休 working day.
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    # Thu 10-08 (1), Fri 10-09 (2), Sat 10-10 调休 (3).
    assert add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 7)) == 0
    assert not any(is_working_day(d) for d in days(date(2026, 10, 1), date(2026, 10, 7)))
    assert is_working_day(date(2026, 9, 20))  # a working Sunday
    # 2025: 10-01 .. 10-08 off (国庆节 with 中秋 on 10-06); Thu 10-09 is the first back.
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)


def test_it_counts_a_make_up_saturday_as_a_working_day(seeded):
    assert is_working_day(date(2026, 2, 14))  # 调休 Saturday
    assert is_working_day(date(2026, 2, 28))  # 调休 Saturday
    assert not is_working_day(date(2026, 2, 7))  # an ordinary Saturday
    assert not is_working_day(date(2026, 2, 16))  # 春节 Monday
    assert is_working_day(date(2026, 3, 2))  # an ordinary Monday
    # Mon 02-09 .. Sat 02-14 holds six working days: five weekdays and the 调休 Saturday.
    assert working_days_between(date(2026, 2, 8), date(2026, 2, 14)) == 6


def test_it_gives_the_start_or_the_next_working_day_for_zero(seeded):
    assert add_working_days(date(2026, 2, 14), 0) == date(2026, 2, 14)
    assert add_working_days(date(2026, 2, 15), 0) == date(2026, 2, 24)
    assert add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 9)  # Sat -> Mon
    with pytest.raises(ValueError):
        add_working_days(date(2026, 3, 2), -1)


def test_it_keeps_add_and_between_consistent(seeded):
    assert working_days_between(date(2026, 2, 26), date(2026, 2, 12)) == -5
    assert working_days_between(date(2026, 2, 12), date(2026, 2, 12)) == 0
    for start in days(date(2026, 2, 1), date(2026, 3, 1)):
        for n in range(1, 12):
            assert working_days_between(start, add_working_days(start, n)) == n


def test_it_takes_an_aware_datetime_as_its_local_date(seeded):
    # 17:00 UTC on Fri 2026-02-13 is 01:00 on Sat 02-14 in Lu'an, a 调休 working day.
    assert is_working_day(datetime(2026, 2, 13, 17, 0, tzinfo=UTC))
    assert add_working_days(datetime(2026, 2, 13, 17, 0, tzinfo=UTC), 1) == date(2026, 2, 24)


# --- a year nobody has entered ------------------------------------------------------


def test_it_refuses_a_year_without_rows(seeded):
    with pytest.raises(CalendarNotLoaded) as caught:
        is_working_day(date(2031, 3, 3))
    assert caught.value.year == 2031
    assert "2031 年的节假日安排尚未录入" in str(caught.value)
    assert "the holiday schedule for 2031 has not been entered" in str(caught.value)


def test_it_refuses_a_deadline_running_into_an_unannounced_year(seeded):
    last = LIBRARY_YEARS[-1]
    with pytest.raises(CalendarNotLoaded, match=str(last + 1)):
        add_working_days(date(last, 12, 28), 10)
    with pytest.raises(CalendarNotLoaded, match=str(last + 1)):
        working_days_between(date(last, 12, 1), date(last + 1, 1, 15))


def test_it_falls_back_to_monday_to_friday_when_not_strict(db, settings):
    settings.FUZHI_WORKDAYS_STRICT = False
    assert is_working_day(date(2031, 10, 1))  # a Wednesday
    assert add_working_days(date(2031, 10, 3), 1) == date(2031, 10, 6)  # Fri -> Mon


def test_it_counts_an_invented_2031_schedule_an_administrator_entered(seeded):
    with pytest.raises(CalendarNotLoaded):
        add_working_days(date(2031, 9, 30), 1)
    # An invented 国庆节 2031: Wed 10-01 .. Tue 10-07 off, Sun 09-28 and Sat 10-11 worked.
    for day in days(date(2031, 10, 1), date(2031, 10, 7)):
        CalendarDay.objects.create(day=day, kind=Kind.HOLIDAY, name="国庆节")
    for day in (date(2031, 9, 28), date(2031, 10, 11)):
        CalendarDay.objects.create(day=day, kind=Kind.WORKDAY, name="国庆节")
    assert 2031 in covered_years()
    assert add_working_days(date(2031, 9, 30), 1) == date(2031, 10, 8)
    assert is_working_day(date(2031, 9, 28)) and is_working_day(date(2031, 10, 11))
    assert not is_working_day(date(2031, 10, 6))  # a Monday inside the holiday
    assert is_working_day(date(2031, 3, 3))  # an ordinary Monday, now that 2031 is entered
    # Editing a row takes effect at once: nothing is cached between calls.
    CalendarDay.objects.filter(day=date(2031, 10, 7)).delete()
    assert add_working_days(date(2031, 9, 30), 1) == date(2031, 10, 7)


# --- the admin ----------------------------------------------------------------------


def test_it_marks_rows_added_in_the_admin_as_admin_rows(seeded, admin_client):
    response = admin_client.post(
        reverse("admin:workdays_calendarday_add"),
        {"day": "2031-10-01", "kind": Kind.HOLIDAY, "name": "国庆节"},
    )
    assert response.status_code == 302
    row = CalendarDay.objects.get(day=date(2031, 10, 1))
    assert row.source == Source.ADMIN
    assert not is_working_day(date(2031, 10, 1))


def test_it_makes_a_library_row_edited_in_the_admin_an_admin_row(seeded, admin_client):
    row = CalendarDay.objects.get(day=date(2026, 2, 28))
    assert row.source == Source.LIBRARY
    response = admin_client.post(
        reverse("admin:workdays_calendarday_change", args=[row.pk]),
        {"day": "2026-02-28", "kind": Kind.WORKDAY, "name": "春节调休"},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.source, row.name) == (Source.ADMIN, "春节调休")
    seed()
    row.refresh_from_db()
    assert (row.source, row.name) == (Source.ADMIN, "春节调休")


def test_it_refuses_a_make_up_working_day_on_a_weekday(seeded, admin_client):
    with pytest.raises(ValidationError):
        CalendarDay(day=date(2031, 3, 3), kind=Kind.WORKDAY, name="x").full_clean()
    response = admin_client.post(
        reverse("admin:workdays_calendarday_add"),
        {"day": "2031-03-03", "kind": Kind.WORKDAY, "name": "调休"},
    )
    assert response.status_code == 200  # the form again, with the error
    assert not CalendarDay.objects.filter(day=date(2031, 3, 3)).exists()


def test_it_filters_the_admin_list_by_year_kind_and_source(seeded, admin_client):
    url = reverse("admin:workdays_calendarday_changelist")
    response = admin_client.get(url, {"year": "2026", "kind": Kind.WORKDAY, "source": "library"})
    assert response.status_code == 200
    # 2026 调休 days: 01-04, 02-14, 02-28, 05-09, 09-20, 10-10.
    assert response.context["cl"].result_count == 6
    response = admin_client.get(url, {"year": "2026", "q": "春节"})
    assert response.context["cl"].result_count == 11  # nine days off, two 调休 Saturdays
    response = admin_client.get(url, {"q": "2026-10"})
    assert response.context["cl"].result_count == 8  # 10-01 .. 10-07 off, 10-10 worked


# --- due-date hints -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5WD", 5),
        ("P5WD", 5),
        ("p10wd", 10),
        (" 3 WD ", 3),
        ("0WD", 0),
        ("5个工作日", 5),
        ("5 工作日", 5),
        ("P5D", None),
        ("5", None),
        ("WD", None),
        ("-5WD", None),
        ("5WDX", None),
        ("", None),
        (None, None),
    ],
)
def test_it_parses_working_day_hints(text, expected):
    assert parse_working_days(text) == expected
