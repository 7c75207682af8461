"""The recruitment process end to end through the services, on the real DB and engine."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from webapp.accounts.models import Agency, AgencyKind
from webapp.cases.history import verify_case
from webapp.cases.models import Case, CaseEvent, HumanTask, TaskState
from webapp.cases.openings import recruitment_open
from webapp.cases.scheduling import wake_due_cases
from webapp.cases.services import task_claim, task_complete, task_release
from webapp.errors import FormInvalid, NotPermitted, StepRefused, TaskConflict
from webapp.staff.models import Staff, StaffState

from .conftest import make_id
from .flows import (
    APPROVE,
    CLEAN_REVIEW,
    CONTRACT,
    TO_APPROVAL,
    application,
    case_at_approval,
    drive,
    open_task,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _deployed(models_deployed):
    return models_deployed


def test_it_hires_an_applicant_through_every_step(hr, approver, agency):
    case = case_at_approval(hr, approver, agency)
    case = drive(case, [("approve_hire", APPROVE), ("sign_contract", CONTRACT)], hr, approver)
    staff = Staff.objects.get(pk=case.subject_id)
    assert case.status == "completed"
    assert staff.state == StaffState.HIRED
    assert staff.employment_mode == "unit" and staff.contract_end == date(2029, 11, 30)
    assert staff.social_insurance and staff.housing_fund  # Art. 16
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[0] == "case_started" and kinds[-1] == "case_completed"
    assert "staff_state" in kinds
    assert verify_case(case) == []


def test_it_rejects_an_ineligible_applicant_citing_the_clause(hr, approver, agency):
    fields = application(agency, education="below_college")
    case = recruitment_open(user=hr, fields=fields)
    case = drive(case, [("review_application", CLEAN_REVIEW)], hr, approver)
    assert case.status == "completed"
    assert Staff.objects.get(pk=case.subject_id).state == StaffState.REJECTED
    assert "Art. 10(4)" in case.outcome


def test_it_rejects_a_disqualified_applicant_citing_art_11(hr, approver, agency):
    case = recruitment_open(user=hr, fields=application(agency))
    case = drive(
        case, [("review_application", {**CLEAN_REVIEW, "criminal_record": True})], hr, approver
    )
    assert "Art. 11(1)" in case.outcome
    assert Staff.objects.get(pk=case.subject_id).state == StaffState.REJECTED


def test_it_keeps_the_case_waiting_through_the_public_notice(hr, approver, agency):
    case = recruitment_open(user=hr, fields=application(agency))
    case = drive(case, TO_APPROVAL, hr, approver)
    assert case.wake_at is not None
    assert not HumanTask.objects.filter(case=case, state=TaskState.OPEN).exists()
    assert wake_due_cases() == 0
    case.refresh_from_db()
    with time_machine.travel(case.wake_at + timedelta(minutes=1)):
        assert wake_due_cases() == 1
    assert open_task(case, "approve_hire").role == "approver"


def test_it_refuses_invalid_form_data_and_saves_nothing(hr, approver, agency):
    case = recruitment_open(user=hr, fields=application(agency))
    task = open_task(case, "review_application")
    before = (Case.objects.get(pk=case.pk).version, CaseEvent.objects.filter(case=case).count())
    with pytest.raises(FormInvalid) as refused:
        task_complete(task_id=task.pk, user=hr, data={"nationality_prc": True})
    assert "good_conduct" in refused.value.errors
    case.refresh_from_db()
    assert (case.version, CaseEvent.objects.filter(case=case).count()) == before
    assert HumanTask.objects.get(pk=task.pk).state == TaskState.OPEN


def test_it_refuses_a_second_completion_naming_who_did_it(hr, approver, colleague, agency):
    case = case_at_approval(hr, approver, agency)
    task = open_task(case, "approve_hire")
    task_complete(task_id=task.pk, user=approver, data=APPROVE)
    with pytest.raises(TaskConflict) as conflict:
        task_complete(task_id=task.pk, user=colleague, data=APPROVE)
    assert "approver" in conflict.value.message
    assert conflict.value.status == 409
    assert CaseEvent.objects.filter(case=case, kind="task_completed", task=task).count() == 1


def test_it_refuses_the_initiator_approving_their_own_case(hr, approver, agency):
    from webapp.accounts.models import Membership

    Membership.objects.create(user=hr, agency=agency, role="approver")
    case = case_at_approval(hr, approver, agency)
    with pytest.raises(NotPermitted):
        task_complete(task_id=open_task(case, "approve_hire").pk, user=hr, data=APPROVE)


def test_it_lets_only_the_claimant_work_a_claimed_task(hr, approver, colleague, agency):
    case = case_at_approval(hr, approver, agency)
    task = open_task(case, "approve_hire")
    task_claim(task_id=task.pk, user=colleague)
    with pytest.raises(TaskConflict):
        task_claim(task_id=task.pk, user=approver)
    with pytest.raises(TaskConflict):
        task_complete(task_id=task.pk, user=approver, data=APPROVE)
    task_release(task_id=task.pk, user=colleague)
    task_complete(task_id=task.pk, user=approver, data=APPROVE)
    assert HumanTask.objects.get(pk=task.pk).completed_by == approver


def test_it_refuses_a_hire_beyond_the_approved_quota(hr, approver, agency):
    agency.quota = 0
    agency.save()
    case = case_at_approval(hr, approver, agency)
    drive(case, [("approve_hire", APPROVE)], hr, approver)
    task = open_task(case, "sign_contract")
    with pytest.raises(StepRefused) as refused:
        task_complete(task_id=task.pk, user=hr, data=CONTRACT)
    assert "Art. 9" in refused.value.message
    assert Staff.objects.get(pk=case.subject_id).state == StaffState.APPLICANT
    assert HumanTask.objects.get(pk=task.pk).state == TaskState.OPEN


def test_it_refuses_an_applicant_under_a_police_agency(hr, city):
    police = Agency.objects.create(
        code="LA-GA", name="六安市公安局", kind=AgencyKind.POLICE, parent=city, quota=10
    )
    from webapp.accounts.models import Membership

    Membership.objects.create(user=hr, agency=police, role="hr_officer")
    with pytest.raises(StepRefused) as refused:
        recruitment_open(user=hr, fields=application(police))
    assert "Art. 2" in refused.value.message
    assert not Staff.objects.exists()


def test_it_refuses_a_wrong_id_number_with_a_clear_message(hr, agency):
    number = make_id(date(1995, 5, 5))
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(StepRefused) as refused:
        recruitment_open(user=hr, fields=application(agency, id_number=wrong))
    assert "校验位" in refused.value.message
    assert not Case.objects.exists()


def test_it_refuses_registering_the_same_person_twice(hr, agency):
    recruitment_open(user=hr, fields=application(agency))
    with pytest.raises(StepRefused):
        recruitment_open(user=hr, fields=application(agency))
    assert Staff.objects.count() == 1


def test_it_refuses_recruitment_by_someone_without_the_hr_role(approver, agency):
    with pytest.raises(NotPermitted):
        recruitment_open(user=approver, fields=application(agency))
