"""Celery does the scheduling: real worker, real Redis broker, real database."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from webapp.cases import tasks
from webapp.cases.models import Case, CaseEvent, HumanTask
from webapp.cases.scheduling import assessments_open_yearly
from webapp.staff.models import StaffState

from .flows import TO_APPROVAL, application, drive
from .test_lifecycle_operators import member


def wait_for(condition, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db
def test_it_opens_one_assessment_per_on_duty_member_once(agency, models_deployed, hr):
    on_duty = [member(agency, seq, state=StaffState.ON_DUTY) for seq in (1, 2)]
    member(agency, 3, state=StaffState.HIRED)
    opened = assessments_open_yearly(year=2027)
    assert sorted(case.subject_id for case in opened) == sorted(m.pk for m in on_duty)
    assert all(case.data["assessment_year"] == 2027 for case in opened)
    assert assessments_open_yearly(year=2027) == []
    assert Case.objects.filter(definition__process_id="assessment").count() == 2


def test_it_fires_a_due_timer_through_the_worker_exactly_once(
    worker, agency, models_deployed, hr, approver
):
    from webapp.cases.openings import recruitment_open

    case = recruitment_open(user=hr, fields=application(agency, 1))
    drive(case, TO_APPROVAL, hr, approver)
    case.refresh_from_db()
    assert (
        case.wake_at is not None and not HumanTask.objects.filter(case=case, state="open").exists()
    )
    Case.objects.filter(pk=case.pk).update(wake_at=timezone.now() - timedelta(seconds=1))
    import time_machine

    with time_machine.travel(case.wake_at + timedelta(minutes=1)):
        tasks.wake_due_cases.delay()
        tasks.wake_case.delay(case.pk)  # a duplicate delivery of the same wake
        assert wait_for(
            lambda: HumanTask.objects.filter(case=case, bpmn_id="approve_hire").exists()
        )
        time.sleep(1.0)  # let the duplicate run too
    assert HumanTask.objects.filter(case=case, bpmn_id="approve_hire").count() == 1
    fired = CaseEvent.objects.filter(case=case, kind="engine_step", bpmn_id="public_notice")
    assert fired.count() == 1


def test_it_runs_the_yearly_assessment_job_on_the_worker(worker, agency, models_deployed):
    member(agency, 1, state=StaffState.ON_DUTY)
    tasks.open_yearly_assessments.delay(2028)
    tasks.open_yearly_assessments.delay(2028)
    assert wait_for(lambda: Case.objects.filter(definition__process_id="assessment").exists())
    time.sleep(1.0)
    assert Case.objects.filter(definition__process_id="assessment").count() == 1
