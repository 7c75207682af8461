"""A task's due date (``dueIn``) is read by Fuzhi with bounds: a hint past ten years
refuses the step at once with a message instead of SpiffWorkflow's 28 s month loop."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from webapp.cases.deadlines import due_at
from webapp.errors import StepRefused
from webapp.workdays.services import working_days_duration

pytestmark = pytest.mark.django_db


def test_a_due_hint_past_ten_years_refuses_the_step_at_once():
    now = timezone.now()
    began = time.monotonic()
    for hint in ("P4000000Y", "9999WD", "P" + "9" * 12 + "D"):
        with pytest.raises(StepRefused, match="期限无法使用"):
            due_at(now, hint)
    assert time.monotonic() - began < 5


def test_due_hints_within_bounds_still_give_their_dates():
    now = timezone.now()
    assert due_at(now, "P3D") == now + timezone.timedelta(days=3)
    assert due_at(now, "5WD") > now
    assert due_at(now, "5 个工作日") == due_at(now, "5WD")


def test_the_calendar_helper_refuses_to_count_past_ten_years():
    with pytest.raises(ValueError, match="2,600 working days"):
        working_days_duration(10**9)
