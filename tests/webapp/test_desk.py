"""The desk: the inbox's filters, sort and due hints, completing many tasks of one kind,
the next task, claim / release / assign / urge on the task page, confirmation before an
irreversible decision and the engine's outcome after it, withdrawing and terminating a
case, the printed approval form, menus by role, delegation offering only colleagues it
accepts, escalations that land on something the receiver can do, error pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from webapp.accounts.models import Membership, Notification
from webapp.accounts.roles import Role
from webapp.cases import handling
from webapp.cases.models import CaseEvent, HumanTask, TaskState
from webapp.cases.openings import recruitment_open
from webapp.cases.scheduling import deadlines_sweep, wake_due_cases
from webapp.cases.services import task_complete
from webapp.errors import NotPermitted, StepRefused
from webapp.inbox import services as inbox_services
from webapp.inbox.models import SavedFilter
from webapp.security.integrity import check_all
from webapp.staff.models import StaffState

from .conftest import PASSWORD
from .flows import APPROVE, TO_APPROVAL, application, case_at_approval, drive, open_task

pytestmark = pytest.mark.django_db

REJECT = {"decision": "reject", "reason": "体检不合格"}


@pytest.fixture(autouse=True)
def _deployed(models_deployed):
    return models_deployed


def opened_by(person, hr, approver, agency, seq=3):
    """A case at its approval, opened by ``person``: an approver who is also an HR officer
    of the agency, so the four-eyes rule keeps them from approving it."""
    Membership.objects.get_or_create(user=person, agency=agency, role=Role.HR_OFFICER)
    case = recruitment_open(user=person, fields=application(agency, seq, notice_period="PT0S"))
    drive(case, TO_APPROVAL, hr, approver)
    wake_due_cases()
    return case


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def body(response):
    return response.content.decode()


# ------------------------------------------------------------------- the inbox


def test_the_inbox_filters_by_task_due_date_and_claim(client, hr, approver, agency):
    first = case_at_approval(hr, approver, agency, seq=1)
    second = case_at_approval(hr, approver, agency, seq=2)
    third = recruitment_open(user=hr, fields=application(agency, 3))
    late = open_task(second, "approve_hire")
    HumanTask.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=2))
    login(client, approver)
    kind = body(client.get(reverse("inbox:index"), {"kind": "recruitment:approve_hire"}))
    assert first.business_key in kind and second.business_key in kind
    assert third.business_key not in body(client.get(reverse("inbox:index")))  # HR's task
    overdue = body(client.get(reverse("inbox:index"), {"due": "overdue"}))
    assert second.business_key in overdue and first.business_key not in overdue
    assert "逾期 2 天" in overdue  # the relative hint
    task_claim = open_task(first, "approve_hire")
    client.post(reverse("inbox:claim", args=[task_claim.pk]))
    mine = body(client.get(reverse("inbox:index"), {"mine": "on"}))
    assert first.business_key in mine and second.business_key not in mine


def test_the_inbox_sorts_by_waiting_time(client, hr, approver, agency):
    first = case_at_approval(hr, approver, agency, seq=1)
    second = case_at_approval(hr, approver, agency, seq=2)
    HumanTask.objects.filter(pk=open_task(first, "approve_hire").pk).update(
        due_at=timezone.now() + timedelta(days=9)
    )
    page = body(login(client, approver).get(reverse("inbox:index"), {"sort": "newest"}))
    assert page.index(second.business_key) < page.index(first.business_key)
    page = body(client.get(reverse("inbox:index"), {"sort": "oldest"}))
    assert page.index(first.business_key) < page.index(second.business_key)


def test_bulk_completion_completes_each_task_and_reports_each_refusal(
    client, hr, approver, colleague, agency
):
    cases = [case_at_approval(hr, approver, agency, seq=n) for n in (1, 2)]
    own = opened_by(colleague, hr, approver, agency)
    tasks = [open_task(c, "approve_hire") for c in [*cases, own]]
    login(client, colleague)
    page = client.get(reverse("inbox:index"), {"kind": "recruitment:approve_hire"})
    assert 'data-testid="bulk-form"' in body(page)
    done = client.post(
        reverse("inbox:bulk"),
        {
            "kind": "recruitment:approve_hire",
            "task": [t.pk for t in tasks],
            **APPROVE,
            "_comment": "材料齐全",
        },
    )
    results = body(done)
    assert results.count('data-ok="1"') == 2 and results.count('data-ok="0"') == 1
    assert "发起与审批分离原则" in results  # the refusal, said
    for task in tasks[:2]:
        task.refresh_from_db()
        assert task.state == TaskState.DONE and task.completed_by == colleague
    assert open_task(own, "approve_hire").state == TaskState.OPEN
    comments = CaseEvent.objects.filter(kind="task_completed", task__in=tasks[:2])
    assert {e.comment for e in comments} == {"材料齐全"}


def test_bulk_completion_refuses_tasks_of_different_steps(hr, approver, agency):
    case = case_at_approval(hr, approver, agency, seq=1)
    other = recruitment_open(user=hr, fields=application(agency, 2))
    tasks = [open_task(case, "approve_hire"), open_task(other, "review_application")]
    with pytest.raises(StepRefused):
        handling.tasks_complete_bulk(tasks=tasks, user=approver, data=APPROVE, comment="")
    assert all(HumanTask.objects.get(pk=t.pk).state == TaskState.OPEN for t in tasks)


def test_an_irreversible_decision_asks_for_confirmation_then_says_what_followed(
    client, hr, approver, agency
):
    case = case_at_approval(hr, approver, agency)
    task = open_task(case, "approve_hire")
    url = reverse("inbox:task", args=[task.pk])
    asked = login(client, approver).post(url, REJECT)
    assert asked.status_code == 200 and 'data-testid="confirm"' in body(asked)
    assert "审批意见：不同意" in body(asked)
    assert HumanTask.objects.get(pk=task.pk).state == TaskState.OPEN
    done = client.post(url, {**REJECT, "_confirmed": "1"}, follow=True)
    outcome = body(done)[body(done).index('data-testid="step-outcome"') :][:600]
    assert "未录用" in outcome and "Art. 10, Art. 11" in outcome
    assert case.subject.__class__.objects.get(pk=case.subject_id).state == StaffState.REJECTED


def test_complete_and_next_opens_the_next_task(client, hr, approver, agency):
    first = case_at_approval(hr, approver, agency, seq=1)
    second = case_at_approval(hr, approver, agency, seq=2)
    task = open_task(first, "approve_hire")
    response = login(client, approver).post(
        reverse("inbox:task", args=[task.pk]), {**APPROVE, "then": "next"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "inbox:task", args=[open_task(second, "approve_hire").pk]
    )


def test_the_task_page_offers_claim_and_release_by_those_names(client, hr, approver, agency):
    task = open_task(case_at_approval(hr, approver, agency), "approve_hire")
    url = reverse("inbox:task", args=[task.pk])
    page = body(login(client, approver).get(url))
    assert 'data-testid="claim"' in page and "认领" in page
    client.post(reverse("inbox:claim", args=[task.pk]), {"next": url})
    page = body(client.get(url))
    assert 'data-testid="release"' in page and "释放" in page and "退回" not in page


def test_a_task_is_assigned_to_a_named_colleague_of_the_same_role(
    client, hr, approver, colleague, stranger, agency
):
    case = case_at_approval(hr, approver, agency)
    task = open_task(case, "approve_hire")
    page = body(login(client, approver).get(reverse("inbox:task", args=[task.pk])))
    assert f'value="{colleague.pk}"' in page and f'value="{hr.pk}"' not in page
    client.post(reverse("inbox:assign", args=[task.pk]), {"assignee": colleague.pk})
    task.refresh_from_db()
    assert task.assignee == colleague and task.state == TaskState.CLAIMED
    assert CaseEvent.objects.filter(case=case, kind="task_assigned", actor=approver).exists()
    assert Notification.objects.filter(user=colleague, url__endswith=f"/tasks/{task.pk}/").exists()
    with pytest.raises(StepRefused):  # another agency's approver
        handling.task_assign(task_id=task.pk, user=colleague, assignee=stranger)


def test_an_approval_is_not_assigned_to_the_cases_initiator(hr, approver, colleague, agency):
    task = open_task(opened_by(colleague, hr, approver, agency), "approve_hire")
    with pytest.raises(StepRefused, match="发起与审批分离"):
        handling.task_assign(task_id=task.pk, user=approver, assignee=colleague)


def test_urging_is_recorded_in_the_history_and_reaches_the_approver(client, hr, approver, agency):
    case = case_at_approval(hr, approver, agency)
    task = open_task(case, "approve_hire")
    page = body(login(client, hr).get(reverse("inbox:task", args=[task.pk])))
    assert 'data-testid="urge"' in page and 'data-testid="task-form"' not in page
    client.post(reverse("inbox:urge", args=[task.pk]))
    urged = CaseEvent.objects.get(case=case, kind="task_urged")
    assert urged.actor == hr and task.name in urged.title
    assert Notification.objects.filter(user=approver, title__contains="催办").exists()
    with pytest.raises(StepRefused):  # once an hour
        handling.task_urge(task_id=task.pk, user=hr)


def test_an_escalated_task_lets_the_approver_hand_it_on(client, hr, approver, colleague, agency):
    case = recruitment_open(user=hr, fields=application(agency, 1))
    task = open_task(case, "review_application")
    HumanTask.objects.filter(pk=task.pk).update(due_at=timezone.now() - timedelta(hours=1))
    deadlines_sweep()
    notice = Notification.objects.get(user=approver, title__contains=task.name)
    page = body(login(client, approver).get(notice.url))
    assert 'data-testid="assign"' in page and f'value="{hr.pk}"' in page
    assert 'data-testid="task-form"' not in page


# ------------------------------------------------------------------ case control


def test_the_initiator_withdraws_a_case_nobody_else_has_touched(hr, approver, agency):
    case = recruitment_open(user=hr, fields=application(agency, 1))
    case = handling.case_withdraw(case_id=case.pk, user=hr, reason="录入错误")
    assert case.status == "cancelled"
    event = CaseEvent.objects.get(case=case, kind="case_withdrawn")
    assert event.actor == hr and event.comment == "录入错误" and "Art. 4" in event.articles
    assert not HumanTask.objects.filter(case=case, state__in=["open", "claimed"]).exists()
    case.subject.refresh_from_db()
    assert case.subject.state == StaffState.REJECTED
    assert [str(f) for f in check_all()] == []


def test_a_case_someone_else_acted_on_cannot_be_withdrawn(hr, approver, agency):
    case = case_at_approval(hr, approver, agency)
    task_complete(task_id=open_task(case, "approve_hire").pk, user=approver, data=APPROVE)
    with pytest.raises(StepRefused, match="已有他人"):
        handling.case_withdraw(case_id=case.pk, user=hr, reason="")
    with pytest.raises(NotPermitted):
        handling.case_withdraw(case_id=case.pk, user=approver, reason="")


def test_an_approver_terminates_a_case_with_a_reason(client, hr, approver, agency):
    case = case_at_approval(hr, approver, agency)
    login(client, approver)
    url = reverse("cases:terminate", args=[case.pk])
    client.post(url, {"reason": "", "confirm": "1"})
    client.post(url, {"reason": "岗位取消", "confirm": ""})
    case.refresh_from_db()
    assert case.status == "running"  # no reason, then no confirmation: nothing happened
    page = client.post(url, {"reason": "岗位取消", "confirm": "1"}, follow=True)
    case.refresh_from_db()
    assert case.status == "cancelled" and "岗位取消" in case.outcome
    assert 'data-testid="step-outcome"' in body(page)
    assert CaseEvent.objects.filter(case=case, kind="case_terminated", actor=approver).exists()
    with pytest.raises(StepRefused):
        handling.case_terminate(case_id=case.pk, user=approver, reason="again")


def test_only_an_approver_may_terminate(hr, approver, agency):
    case = case_at_approval(hr, approver, agency)
    with pytest.raises(NotPermitted):
        handling.case_terminate(case_id=case.pk, user=hr, reason="不需要了")


def test_the_approval_form_prints_steps_opinions_names_and_times(client, hr, approver, agency):
    case = case_at_approval(hr, approver, agency)
    task_complete(task_id=open_task(case, "approve_hire").pk, user=approver, data=APPROVE)
    page = body(login(client, hr).get(reverse("cases:print", args=[case.pk])))
    steps = page[page.index('data-testid="print-steps"') :]
    assert "录用审批" in steps and "审批意见：同意" in steps and "approver" in steps
    assert case.business_key in page and "审批单" in page


# ------------------------------------------------------------ menus, delegation, errors


def test_menus_offer_only_what_the_role_may_do(client, hr, approver):
    approver_page = body(login(client, approver).get(reverse("inbox:index")))
    assert 'data-testid="nav-recruitment-new"' not in approver_page
    hr_page = body(login(client, hr).get(reverse("inbox:index")))
    assert 'data-testid="nav-recruitment-new"' in hr_page


def test_delegation_offers_only_colleagues_it_accepts(client, hr, approver, colleague, agency):
    page = body(login(client, approver).get(reverse("delegations")))
    assert f'value="{agency.pk}:approver:{colleague.pk}"' in page
    assert f':{hr.pk}"' not in page  # an HR officer cannot take an approver's tasks
    today = timezone.localdate()
    saved = client.post(
        reverse("delegations"),
        {
            "delegate": f"{agency.pk}:approver:{colleague.pk}",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=3)).isoformat(),
        },
    )
    assert saved.status_code == 302


def test_a_missing_page_says_so_in_the_users_language(client, hr):
    login(client, hr)
    chinese = client.get("/cases/999999/")
    assert chinese.status_code == 404 and "此页面不存在" in body(chinese)
    english = client.get("/cases/999999/", HTTP_ACCEPT_LANGUAGE="en")
    assert "This page does not exist" in body(english)


def test_a_saved_filter_is_shared_within_the_agency_only(
    client, hr, approver, stranger, auditor, agency
):
    login(client, approver)
    client.post(
        reverse("inbox:filter_save"),
        {
            "name": "逾期录用审批",
            "query": "kind=recruitment:approve_hire&due=overdue&x=<b>",
            "share": agency.pk,
        },
    )
    saved = SavedFilter.objects.get()
    assert saved.agency == agency and saved.query == "kind=recruitment%3Aapprove_hire&due=overdue"
    assert "逾期录用审批" in body(login(client, hr).get(reverse("inbox:index")))
    assert "逾期录用审批" not in body(login(client, stranger).get(reverse("inbox:index")))
    with pytest.raises(NotPermitted):  # shared only within an agency one acts in
        inbox_services.saved_filter_create(owner=stranger, name="x", query="", agency=agency)
    with pytest.raises(NotPermitted):  # a read-only role keeps no inbox filters
        inbox_services.saved_filter_create(owner=auditor, name="x", query="")
    login(client, hr).post(reverse("inbox:filter_delete", args=[saved.pk]))
    assert SavedFilter.objects.exists()  # only its owner deletes it
    login(client, approver).post(reverse("inbox:filter_delete", args=[saved.pk]))
    assert not SavedFilter.objects.exists()
