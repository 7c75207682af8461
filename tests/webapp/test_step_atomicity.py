"""A crash anywhere in a step leaves no half-state: engine, tasks, staff and history together."""

from __future__ import annotations

import pytest

from webapp.cases import services, steps
from webapp.cases.models import Case, CaseEvent, HumanTask, TaskState
from webapp.staff.models import Staff, StaffState

from .flows import APPROVE, CONTRACT, case_at_approval, drive, open_task

pytestmark = pytest.mark.django_db(transaction=True)


class Crash(Exception):
    pass


def snapshot(case: Case) -> tuple:
    case = Case.objects.get(pk=case.pk)
    return (
        case.version,
        case.state,
        case.head_hash,
        CaseEvent.objects.filter(case=case).count(),
        sorted(HumanTask.objects.filter(case=case).values_list("bpmn_id", "state")),
        Staff.objects.get(pk=case.subject_id).state,
    )


@pytest.mark.parametrize("where", ["sync_tasks", "save_case", "stage_event", "write_staged"])
def test_it_rolls_back_every_part_of_a_step_that_crashes(
    monkeypatch, hr, approver, agency, models_deployed, where
):
    case = case_at_approval(hr, approver, agency)
    drive(case, [("approve_hire", APPROVE)], hr, approver)
    task = open_task(case, "sign_contract")
    before = snapshot(case)
    real = getattr(steps, where)
    calls = {"n": 0}

    def crash_late(*args, **kwargs):
        # Let the engine and the hire operator run first, then fail mid-way.
        calls["n"] += 1
        if where != "stage_event" or calls["n"] >= 3:
            raise Crash(where)
        return real(*args, **kwargs)

    monkeypatch.setattr(steps, where, crash_late)
    with pytest.raises(Crash):
        services.task_complete(task_id=task.pk, user=hr, data=CONTRACT)
    assert snapshot(case) == before
    assert Staff.objects.get(pk=case.subject_id).state == StaffState.APPLICANT
    assert HumanTask.objects.get(pk=task.pk).state == TaskState.OPEN
    monkeypatch.setattr(steps, where, real)
    services.task_complete(task_id=task.pk, user=hr, data=CONTRACT)
    assert Staff.objects.get(pk=case.subject_id).state == StaffState.HIRED
