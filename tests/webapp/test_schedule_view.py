"""The operator sees what is due, what fired and what failed, and can retry a failed job."""

from __future__ import annotations

import pytest
from django.urls import reverse

from webapp.accounts.models import Membership
from webapp.cases import tasks
from webapp.cases.models import JobRun

from .conftest import PASSWORD
from .flows import TO_APPROVAL, application, drive
from .test_scheduling import wait_for


def test_it_records_a_failed_job_and_retries_it(worker, client, city, hr, agency, models_deployed):
    Membership.objects.create(user=hr, agency=city, role="designer")
    tasks.wake_case.delay(999_999)  # no such case: the job fails
    assert wait_for(lambda: JobRun.objects.filter(status="failed").exists())
    failed = JobRun.objects.get(status="failed")
    assert failed.name == "wake_case" and "DoesNotExist" in failed.error
    client.login(username=hr.username, password=PASSWORD)
    page = client.get(reverse("schedule")).content.decode()
    assert 'data-testid="failed-jobs"' in page and "DoesNotExist" in page
    client.post(reverse("schedule_retry", args=[failed.pk]))
    assert wait_for(
        lambda: JobRun.objects.filter(retry_of=failed).exclude(status="running").exists()
    )
    assert JobRun.objects.get(retry_of=failed).args == [999_999]


@pytest.mark.django_db
def test_it_lists_timers_due_next_for_operators_only(
    client, city, hr, approver, agency, models_deployed
):
    from webapp.cases.openings import recruitment_open

    case = recruitment_open(user=hr, fields=application(agency))
    drive(case, TO_APPROVAL, hr, approver)
    client.login(username=hr.username, password=PASSWORD)
    assert client.get(reverse("schedule")).status_code == 404
    Membership.objects.create(user=hr, agency=city, role="designer")
    page = client.get(reverse("schedule")).content.decode()
    timers = page[page.index('data-testid="timers"') :]
    assert case.business_key in timers
