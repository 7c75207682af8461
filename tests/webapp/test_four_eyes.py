"""Four eyes as a rule of the model (issue 19): whoever completed the steps a task names
(``fourEyes``) may not complete it, whoever opened the case, and the role is checked again
at completion even for the person who claimed the task."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from webapp.accounts.models import Membership
from webapp.accounts.roles import Role
from webapp.cases.models import Case, CaseEvent, HumanTask, TaskState
from webapp.cases.openings import recruitment_open
from webapp.cases.scheduling import wake_due_cases
from webapp.cases.services import case_start_about, task_claim, task_complete
from webapp.errors import NotPermitted
from webapp.staff.models import StaffState

from .conftest import PASSWORD
from .flows import TO_APPROVAL, application, drive, open_task
from .test_lifecycle_operators import member

pytestmark = pytest.mark.django_db

NOMINATION = {
    "commendation_title": "outstanding_staff",
    "commendation_level": "city",
    "commendation_deeds": "全年零投诉",
}


@pytest.fixture
def hr_and_approver(agency: Any) -> Any:
    """One person holding both roles in the agency: the case issue 19 found."""
    user = _user("both")
    for role in (Role.HR_OFFICER, Role.APPROVER):
        Membership.objects.create(user=user, agency=agency, role=role)
    return user


def _user(name: str) -> Any:
    return get_user_model().objects.create_user(name, password=PASSWORD, last_name=name)


@pytest.fixture
def commendation(agency: Any, models_deployed: Any) -> Case:
    """Opened by the engine (as an excellent assessment does): no initiator at all."""
    staff = member(agency, state=StaffState.ON_DUTY)
    case = case_start_about(process_id="commendation", staff=staff, actor=None, data={})
    assert case.started_by_id is None
    return case


def snapshot(case: Case) -> tuple[Any, ...]:
    case.refresh_from_db()
    return (case.version, case.event_count, case.head_hash, case.status)


def test_whoever_nominated_may_not_approve_the_commendation(
    commendation: Case, hr_and_approver: Any, approver: Any
) -> None:
    drive(commendation, [("nominate", NOMINATION)], hr_and_approver, hr_and_approver)
    task = open_task(commendation, "approve_commendation")
    before = snapshot(commendation)

    with pytest.raises(NotPermitted, match="表彰推荐") as refused:
        task_complete(task_id=task.pk, user=hr_and_approver, data={"decision": "approve"})
    assert "Art. 17" in refused.value.article
    assert snapshot(commendation) == before, "a refused step changes nothing"

    task_complete(task_id=task.pk, user=approver, data={"decision": "approve"})
    assert Case.objects.get(pk=commendation.pk).status == "completed"


def test_the_hr_officer_who_reviewed_an_application_may_not_approve_the_hire(
    agency: Any, hr: Any, hr_and_approver: Any, approver: Any, models_deployed: Any
) -> None:
    case = recruitment_open(user=hr, fields=application(agency, notice_period="PT0S"))
    review, *rest = TO_APPROVAL
    drive(case, [review], hr_and_approver, approver)
    drive(case, rest, hr, approver)
    wake_due_cases()
    task = open_task(case, "approve_hire")

    with pytest.raises(NotPermitted):
        task_complete(task_id=task.pk, user=hr_and_approver, data={"decision": "approve"})
    task_complete(task_id=task.pk, user=approver, data={"decision": "approve", "reason": "同意"})


def test_an_approver_who_lost_the_role_after_claiming_cannot_complete(
    commendation: Case, hr: Any, approver: Any, agency: Any
) -> None:
    drive(commendation, [("nominate", NOMINATION)], hr, approver)
    task = open_task(commendation, "approve_commendation")
    task_claim(task_id=task.pk, user=approver)
    Membership.objects.filter(user=approver, agency=agency, role=Role.APPROVER).delete()

    with pytest.raises(NotPermitted):
        task_complete(task_id=task.pk, user=approver, data={"decision": "approve"})
    task = HumanTask.objects.get(pk=task.pk)
    assert task.state == TaskState.CLAIMED and task.completed_by_id is None
    assert not CaseEvent.objects.filter(case=commendation, task=task, kind="task_completed")
