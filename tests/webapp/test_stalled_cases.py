"""A running case that waits for nothing is named (issue 19): by ``check_integrity`` and
on the operator's schedule page; cases waiting for a person or a timer are not."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from processes import engine
from webapp.accounts.models import Membership
from webapp.cases.definitions import parsed
from webapp.cases.models import Case, HumanTask, TaskState
from webapp.cases.openings import recruitment_open

from .conftest import PASSWORD
from .flows import TO_APPROVAL, application, case_at_approval, drive, open_task

pytestmark = pytest.mark.django_db

# SpiffWorkflow's stored value of a task's WAITING state.
SPIFF_WAITING = 8


def stall(case: Case, bpmn_id: str) -> None:
    """The workflow stops offering its task to anyone (not ready, not finished), as the
    subprocess loop of issue 19 left a case: not completed, waiting for nothing."""
    task = open_task(case, bpmn_id)
    state = case.state
    state["tasks"][task.engine_task_id]["state"] = SPIFF_WAITING
    Case.objects.filter(pk=case.pk).update(state=state)
    workflow = engine.load(parsed(case.definition), state)
    assert not workflow.is_completed()
    HumanTask.objects.filter(pk=task.pk).update(state=TaskState.CANCELLED)


@pytest.fixture
def cases(hr: Any, approver: Any, agency: Any, models_deployed: Any) -> dict[str, Case]:
    stalled = case_at_approval(hr, approver, agency, seq=1)
    stall(stalled, "approve_hire")
    waiting_for_a_person = case_at_approval(hr, approver, agency, seq=2)
    on_a_timer = recruitment_open(user=hr, fields=application(agency, 3))
    drive(on_a_timer, TO_APPROVAL, hr, approver)
    on_a_timer.refresh_from_db()
    assert on_a_timer.wake_at is not None
    return {"stalled": stalled, "person": waiting_for_a_person, "timer": on_a_timer}


def test_check_integrity_names_a_running_case_that_waits_for_nothing(
    cases: dict[str, Case],
) -> None:
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("check_integrity", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if "stalled" in line]
    assert lines == [
        f"PROBLEM case {cases['stalled'].business_key}: running, but waits for no task, "
        "timer or message: it has stalled"
    ]


def test_the_schedule_lists_stalled_cases_for_the_operator(
    cases: dict[str, Case], client: Any, hr: Any, city: Any
) -> None:
    Membership.objects.create(user=hr, agency=city, role="designer")
    client.login(username=hr.username, password=PASSWORD)
    page = client.get(reverse("schedule")).content.decode()
    section = page.split('data-testid="stalled-cases"', 1)[1].split("</table>", 1)[0]
    assert cases["stalled"].business_key in section
    assert cases["person"].business_key not in section
    assert cases["timer"].business_key not in section
