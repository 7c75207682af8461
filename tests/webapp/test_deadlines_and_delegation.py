"""Reminders before a task falls due, escalation when overdue, delegation while away."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from webapp.accounts.models import Notification
from webapp.accounts.outbox import mail_deliver_due
from webapp.accounts.services import delegation_create
from webapp.cases.models import CaseEvent, HumanTask
from webapp.cases.scheduling import deadlines_sweep
from webapp.cases.services import task_complete
from webapp.errors import StepRefused

from .conftest import PASSWORD
from .flows import APPROVE, case_at_approval, open_task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _deployed(models_deployed):
    return models_deployed


def test_it_reminds_once_before_a_task_falls_due(hr, approver, agency):
    approver.email = "approver@example.com"
    approver.save()
    case = case_at_approval(hr, approver, agency)
    task = open_task(case, "approve_hire")
    HumanTask.objects.filter(pk=task.pk).update(due_at=timezone.now() + timedelta(hours=5))
    assert deadlines_sweep() == {"reminded": 1, "escalated": 0}
    assert deadlines_sweep() == {"reminded": 0, "escalated": 0}
    notice = Notification.objects.get(user=approver)
    assert task.name in notice.title and notice.url.endswith(f"/inbox/tasks/{task.pk}/")
    # The e-mail waits in the outbox for the sweep's transaction to end, then goes once.
    assert mail.outbox == []
    assert mail_deliver_due() == {"sent": 1, "failed": 0}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["approver@example.com"]


def test_it_escalates_an_overdue_task_to_the_approvers_once(hr, approver, agency):
    case = case_at_approval(hr, approver, agency)
    task = open_task(case, "approve_hire")
    HumanTask.objects.filter(pk=task.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assert deadlines_sweep()["escalated"] == 1
    assert deadlines_sweep()["escalated"] == 0
    assert CaseEvent.objects.filter(case=case, kind="task_overdue").count() == 1
    assert Notification.objects.filter(user=approver, title__contains=task.name).exists()


def test_it_sends_arriving_tasks_to_the_delegate_and_names_both(hr, approver, colleague, agency):
    today = timezone.localdate()
    delegation_create(
        delegator=approver,
        delegate=colleague,
        agency=agency,
        role="approver",
        starts_on=today,
        ends_on=today + timedelta(days=7),
    )
    case = case_at_approval(hr, approver, agency)
    task = open_task(case, "approve_hire")
    assert task.assignee == colleague and task.delegated_from == approver
    delegated = CaseEvent.objects.get(case=case, kind="task_delegated")
    assert approver.last_name in delegated.title and colleague.last_name in delegated.title
    task_complete(task_id=task.pk, user=colleague, data=APPROVE)
    done = CaseEvent.objects.get(case=case, kind="task_completed", task=task)
    assert done.actor == colleague and approver.last_name in done.title


def test_it_keeps_delegations_within_the_same_role_and_agency(hr, approver, stranger, agency):
    today = date.today()
    with pytest.raises(StepRefused):
        delegation_create(
            delegator=approver,
            delegate=stranger,
            agency=agency,
            role="approver",
            starts_on=today,
            ends_on=today,
        )
    with pytest.raises(StepRefused):
        delegation_create(
            delegator=approver,
            delegate=hr,
            agency=agency,
            role="approver",
            starts_on=today,
            ends_on=today,
        )


def test_it_shows_unread_notifications_in_the_header(client, hr, approver, agency):
    Notification.objects.create(user=approver, title="测试提醒")
    client.login(username=approver.username, password=PASSWORD)
    body = client.get(reverse("inbox:index")).content.decode()
    assert 'data-testid="notifications"' in body and 'badge red">1<' in body
    listing = client.get(reverse("notifications")).content.decode()
    assert "测试提醒" in listing and 'data-testid="notifications-read"' in listing
    assert Notification.objects.filter(user=approver, read_at__isnull=True).exists()  # GET reads


def test_it_marks_notifications_read_on_request_only_for_their_owner(client, hr, approver, agency):
    mine = Notification.objects.create(user=approver, title="测试提醒")
    theirs = Notification.objects.create(user=hr, title="别人的提醒")
    client.login(username=approver.username, password=PASSWORD)
    assert client.get(reverse("notifications_read")).status_code == 405
    response = client.post(reverse("notifications_read"))
    assert response.status_code == 302 and response.url == reverse("notifications")
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None
    body = client.get(reverse("inbox:index")).content.decode()
    assert 'badge red">' not in body
