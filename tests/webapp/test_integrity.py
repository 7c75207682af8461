"""``manage.py check_integrity`` passes on consistent cases and names each disagreement."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from webapp.cases.models import Case, CaseEvent, HumanTask, TaskState
from webapp.staff.models import Staff, StaffState

from .flows import APPROVE, CONTRACT, case_at_approval, drive, open_task

pytestmark = pytest.mark.django_db


def run_check() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("check_integrity", stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def hired_case(hr, approver, agency, models_deployed):
    """One case through hire (a staff transition recorded) and waiting to sign a contract."""
    case = case_at_approval(hr, approver, agency)
    drive(case, [("approve_hire", APPROVE)], hr, approver)
    other = case_at_approval(hr, approver, agency, seq=2)
    drive(other, [("approve_hire", APPROVE), ("sign_contract", CONTRACT)], hr, approver)
    return Case.objects.get(pk=case.pk), Case.objects.get(pk=other.pk)


def test_consistent_cases_pass(hired_case):
    code, out = run_check()
    assert code == 0, out
    assert "2 cases checked, 0 problems" in out


def test_a_missing_task_row_is_named(hired_case):
    case, _ = hired_case
    HumanTask.objects.filter(pk=open_task(case, "sign_contract").pk).update(
        state=TaskState.CANCELLED
    )
    code, out = run_check()
    assert code == 1
    assert f"case {case.business_key}: the workflow waits for “sign_contract”" in out


def test_a_stray_open_task_row_is_named(hired_case):
    case, _ = hired_case
    stray = HumanTask.objects.create(
        case=case,
        engine_task_id="not-in-the-workflow",
        bpmn_id="ghost",
        name="ghost",
        role="approver",
        agency=case.agency,
    )
    code, out = run_check()
    assert code == 1
    assert f"task row #{stray.pk} “ghost” is open but the workflow does not wait for it" in out


def test_a_done_task_without_its_history_line_is_a_lost_step(hired_case):
    case, _ = hired_case
    task = open_task(case, "sign_contract")
    HumanTask.objects.filter(pk=task.pk).update(state=TaskState.DONE)
    code, out = run_check()
    assert code == 1
    assert (
        f"task #{task.pk} “sign_contract” is done but its completion is not in the history" in out
    )


def test_an_altered_event_and_a_wrong_head_are_named(hired_case):
    case, other = hired_case
    CaseEvent.objects.filter(case=case, seq=2).update(comment="rewritten")
    Case.objects.filter(pk=other.pk).update(event_count=other.event_count + 1)
    code, out = run_check()
    assert code == 1
    assert f"case {case.business_key}: history: content altered" in out
    assert f"case {other.business_key}: history: newest events missing" in out


def test_a_staff_state_changed_behind_the_cases_back_is_named(hired_case):
    _, other = hired_case
    member = Staff.objects.get(pk=other.subject_id)
    Staff.objects.filter(pk=member.pk).update(state=StaffState.DISMISSED)
    code, out = run_check()
    assert code == 1
    assert f"staff #{member.pk}: state is “dismissed” but the last case step left “hired”" in out


def test_a_state_that_does_not_load_is_named(hired_case):
    case, _ = hired_case
    Case.objects.filter(pk=case.pk).update(state={"garbage": True})
    code, out = run_check()
    assert code == 1
    assert f"case {case.business_key}: workflow state does not load" in out
