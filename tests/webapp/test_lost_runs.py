"""A job run whose worker died is marked lost and linked to the run that redelivered it,
or, if its message never comes back, marked lost by a sweep and offered for retry
(issue 19: such a run stayed "running" on /schedule/ forever)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from webapp.accounts.models import Membership
from webapp.cases import tasks
from webapp.cases.jobs import job_runs_mark_lost
from webapp.cases.models import JobRun

from .conftest import PASSWORD
from .flows import case_at_approval

pytestmark = pytest.mark.django_db


def schedule_page(client: Any, user: Any, city: Any) -> str:
    Membership.objects.create(user=user, agency=city, role="designer")
    client.login(username=user.username, password=PASSWORD)
    return client.get(reverse("schedule")).content.decode()


def test_a_redelivered_message_marks_the_run_its_worker_died_in_lost(
    hr: Any, approver: Any, agency: Any, models_deployed: Any, client: Any, city: Any
) -> None:
    case = case_at_approval(hr, approver, agency)
    died = JobRun.objects.create(name="wake_case", args=[case.pk], task_id="message-1")

    tasks.wake_case.apply((case.pk,), task_id="message-1")  # the broker delivers it again

    died.refresh_from_db()
    again = JobRun.objects.exclude(pk=died.pk).get(task_id="message-1")
    assert died.status == "lost" and f"#{again.pk}" in died.error and died.finished_at
    assert again.status == "succeeded" and again.redelivery_of == died
    page = schedule_page(client, hr, city)
    assert f"#{died.pk}" in page.split('data-testid="runs"')[1]
    failed = (
        page.split('data-testid="failed-jobs"')[1] if 'data-testid="failed-jobs"' in page else ""
    )
    assert f"wake_case [{case.pk}]" not in failed, "redelivered: nothing left to retry"


def test_a_run_never_redelivered_is_marked_lost_and_can_be_retried(
    hr: Any, client: Any, city: Any
) -> None:
    stuck = JobRun.objects.create(name="deadlines_sweep", args=[], task_id="message-2")
    JobRun.objects.filter(pk=stuck.pk).update(started_at=timezone.now() - timedelta(hours=2))
    recent = JobRun.objects.create(name="wake_due_cases", args=[], task_id="message-3")

    assert job_runs_mark_lost() == 1
    assert JobRun.objects.get(pk=stuck.pk).status == "lost"
    assert JobRun.objects.get(pk=recent.pk).status == "running"

    page = schedule_page(client, hr, city)
    failed = page.split('data-testid="failed-jobs"')[1].split("</table>")[0]
    assert "办理期限提醒与督办" in failed and "已丢失" in failed  # the job and its state, named
    assert reverse("schedule_retry", args=[stuck.pk]) in failed
    assert "已丢失" in failed
    response = client.post(reverse("schedule_retry", args=[stuck.pk]))
    assert response.status_code == 302
