"""An auditor verifies every case history they may see; the result names any broken case."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from webapp.audit import services
from webapp.audit.models import IntegrityRun
from webapp.cases.models import CaseEvent, JobRun
from webapp.cases.openings import recruitment_open

from .conftest import PASSWORD
from .flows import application


@pytest.fixture
def cases(models_deployed, hr, stranger, agency, other_agency):
    mine = [recruitment_open(user=hr, fields=application(agency, n)) for n in (1, 2)]
    foreign = recruitment_open(user=stranger, fields=application(other_agency, 3))
    return [*mine, foreign]


@pytest.mark.django_db
def test_it_verifies_every_visible_case_and_names_a_tampered_one(client, auditor, cases):
    tampered = cases[2]
    CaseEvent.objects.filter(case=tampered, seq=1).update(title="改写的标题")
    client.login(username="auditor", password=PASSWORD)
    client.post(reverse("audit:integrity_run"))
    run = IntegrityRun.objects.get(requested_by=auditor)
    assert run.status == "succeeded" and run.checked == 3
    assert run.broken_keys == [tampered.business_key]
    assert run.breaks[0]["seq"] == 1
    body = client.get(reverse("audit:integrity")).content.decode()
    assert tampered.business_key in body and "内容被篡改" in body
    assert cases[0].business_key not in body


@pytest.mark.django_db
def test_a_deleted_newest_event_is_found_too(client, auditor, cases):
    newest = CaseEvent.objects.filter(case=cases[0]).order_by("-seq").first()
    CaseEvent.objects.filter(pk=newest.pk).delete()
    run = services.integrity_run_start(user=auditor)
    assert run.broken_keys == [cases[0].business_key]


@pytest.mark.django_db
def test_it_checks_only_the_cases_the_user_may_see(client, hr, cases):
    CaseEvent.objects.filter(case=cases[2], seq=1).update(title="改写的标题")
    client.login(username="hr", password=PASSWORD)
    client.post(reverse("audit:integrity_run"))
    run = IntegrityRun.objects.get(requested_by=hr)
    assert run.checked == 2 and run.breaks == []
    assert "全部办理记录完整" in client.get(reverse("audit:integrity")).content.decode()


@pytest.mark.django_db
def test_an_intact_history_reports_nothing_broken(client, auditor, cases):
    run = services.integrity_run_start(user=auditor)
    assert (run.status, run.checked, run.breaks, run.in_background) == ("succeeded", 3, [], False)


def test_many_cases_are_verified_by_the_worker_and_recorded_as_a_job(
    worker, auditor, cases, monkeypatch
):
    monkeypatch.setattr(services, "SYNC_LIMIT", 1)
    CaseEvent.objects.filter(case=cases[1], seq=2).update(comment="插入的意见")
    run = services.integrity_run_start(user=auditor)
    assert run.in_background and run.status == "running"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status != "running":
            break
        time.sleep(0.2)
    assert run.status == "succeeded" and run.checked == 3
    assert run.broken_keys == [cases[1].business_key]
    job = JobRun.objects.get(name="verify_histories")
    assert job.args == [run.pk] and job.status == "succeeded" and job.result == "1"


@pytest.mark.django_db
def test_a_failed_background_run_is_retried_from_the_schedule_page(auditor, cases, monkeypatch):
    from webapp.audit import tasks
    from webapp.cases.tasks import TASKS

    run = IntegrityRun.objects.create(requested_by=auditor, in_background=True)

    def broken(user):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_verify_all", broken)
    with pytest.raises(RuntimeError):
        tasks.verify_histories(run.pk)
    run.refresh_from_db()
    failed = JobRun.objects.get(name="verify_histories", status="failed")
    assert run.status == "failed" and "database went away" in run.error
    monkeypatch.undo()
    # What the retry button sends: the task registered under the job's name, same arguments.
    TASKS[failed.name](*failed.args, retry_of=failed.pk)
    run.refresh_from_db()
    assert run.status == "succeeded" and run.checked == 3
    assert JobRun.objects.get(retry_of=failed).status == "succeeded"
