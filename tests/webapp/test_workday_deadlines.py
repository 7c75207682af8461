"""Task deadlines counted in Chinese working days land on the right day."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from webapp.cases.deadlines import due_at
from webapp.workdays.services import seed_from_library

from .flows import TO_APPROVAL, application, drive, open_task

pytestmark = pytest.mark.django_db


def local(*args: int) -> datetime:
    return timezone.make_aware(datetime(*args))


def test_it_counts_working_days_across_the_spring_festival():
    seed_from_library()
    # Thu 12 Feb 2026 + 5 working days: 13, 14 (调休 Saturday), then 24, 25, 26 after
    # the holiday of 15–23 February.
    assert due_at(local(2026, 2, 12, 10, 0), "5WD") == local(2026, 2, 26, 23, 59, 59)
    assert due_at(local(2026, 2, 12, 10, 0), "P5D") == local(2026, 2, 17, 10, 0)


def test_it_falls_back_to_weekdays_for_a_year_not_yet_announced():
    # No calendar rows at all: Monday to Friday, never no deadline.
    assert due_at(local(2031, 1, 2, 9, 0), "3WD") == local(2031, 1, 7, 23, 59, 59)


def test_it_gives_the_approval_task_a_working_day_deadline(hr, approver, agency, models_deployed):
    import time_machine

    from webapp.cases.openings import recruitment_open
    from webapp.cases.scheduling import wake_due_cases

    seed_from_library()
    with time_machine.travel(local(2026, 2, 5, 9, 0), tick=False):
        case = recruitment_open(user=hr, fields=application(agency, notice_period="PT1S"))
        drive(case, TO_APPROVAL, hr, approver)
    with time_machine.travel(local(2026, 2, 12, 9, 0), tick=False):
        wake_due_cases()
        task = open_task(case, "approve_hire")
    # approve_hire is due in 3 working days: Fri 13, Sat 14 (调休), Tue 24 Feb.
    assert timezone.localtime(task.due_at).date().isoformat() == "2026-02-24"


def test_it_counts_the_public_notice_in_working_days(hr, approver, agency, models_deployed):
    import time_machine

    from webapp.cases.openings import recruitment_open

    seed_from_library()
    with time_machine.travel(local(2026, 2, 12, 10, 0), tick=False):
        case = recruitment_open(user=hr, fields=application(agency))
        case = drive(case, TO_APPROVAL, hr, approver)
    # Art. 8 notice of 5 working days from Thu 12 Feb 2026: 13, 14 (调休), 24, 25, 26.
    assert case.wake_at == local(2026, 2, 26, 23, 59, 59)
