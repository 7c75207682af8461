"""Mail goes through an outbox (issue 19): written in the step's transaction, sent after
it commits by a Celery task, retried, idempotent, each attempt recorded on its row.

Only the world outside is replaced: the mail backend (Django's test outbox, or one that
refuses like a broken SMTP server).
"""

from __future__ import annotations

from datetime import timedelta
from smtplib import SMTPException
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from webapp.accounts.models import OutboundMail
from webapp.accounts.outbox import MAX_ATTEMPTS, mail_deliver, mail_deliver_due
from webapp.cases.models import Case, CaseEvent
from webapp.cases.openings import complaint_open
from webapp.cases.services import task_complete

from .flows import open_task
from .test_scheduling import wait_for

REJECT = {"triage_decision": "reject_out_of_scope", "triage_reason": "不属于本机关管理事项"}


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that answers with an error."""

    def send_messages(self, email_messages: Any) -> int:
        raise SMTPException("451 try again later")


def complaint(agency: Any) -> Case:
    return complaint_open(
        agency=agency,
        actor=None,  # from the public form
        complainant_name="市民甲",
        complainant_contact="citizen@example.com",
        complaint_text="执勤时态度恶劣",
    )


def reject(case: Case, hr: Any) -> Case:
    """Triage says out of scope: the step's notify operator writes to the complainant."""
    return task_complete(task_id=open_task(case, "triage").pk, user=hr, data=REJECT)


@pytest.mark.django_db(transaction=True)
def test_a_step_rolled_back_after_its_notify_sends_nothing(
    agency: Any, hr: Any, models_deployed: Any
) -> None:
    case = complaint(agency)

    with pytest.raises(RuntimeError), transaction.atomic():
        reject(case, hr)
        raise RuntimeError("the step fails after the operator ran")

    assert mail.outbox == []
    assert not OutboundMail.objects.exists()
    assert Case.objects.get(pk=case.pk).status == "running"


@pytest.mark.django_db(transaction=True)
def test_mail_is_sent_after_the_commit_once_and_recorded(
    agency: Any, hr: Any, models_deployed: Any
) -> None:
    case = reject(complaint(agency), hr)
    assert mail.outbox == [], "nothing is sent inside the step"
    queued = OutboundMail.objects.get()
    assert queued.status == "pending" and queued.to == ["citizen@example.com"]
    assert case.business_key in queued.source
    effect = CaseEvent.objects.get(case=case, kind="record", title__contains="complainant")
    assert effect.data_after == {"queued": True, "mail": queued.pk}

    assert mail_deliver(mail_id=queued.pk) == "sent"
    assert mail_deliver(mail_id=queued.pk) == "nothing to send"  # a redelivered task
    assert mail_deliver_due() == {"sent": 0, "failed": 0}

    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"].startswith(f"<fuzhi-outbox-{queued.pk}-")
    queued.refresh_from_db()
    assert queued.status == "sent" and queued.attempts == 1 and queued.sent_at


@pytest.mark.django_db
def test_a_refused_delivery_is_recorded_and_retried_until_it_gives_up(hr: Any) -> None:
    queued = OutboundMail.objects.create(to=["a@example.com"], subject="s", body="b")
    with override_settings(EMAIL_BACKEND=f"{__name__}.RefusingBackend"):
        with pytest.raises(SMTPException):
            mail_deliver(mail_id=queued.pk)
        queued.refresh_from_db()
        assert queued.status == "pending" and queued.attempts == 1
        assert "451 try again later" in queued.error
        assert queued.next_attempt_at > timezone.now(), "backs off"
        assert mail_deliver_due() == {"sent": 0, "failed": 0}, "not due yet"
        for _ in range(MAX_ATTEMPTS - 1):
            OutboundMail.objects.filter(pk=queued.pk).update(next_attempt_at=timezone.now())
            assert mail_deliver_due()["failed"] == 1
    queued.refresh_from_db()
    assert queued.status == "failed" and queued.attempts == MAX_ATTEMPTS
    assert mail_deliver_due() == {"sent": 0, "failed": 0}


@pytest.mark.django_db
def test_a_delivery_abandoned_by_a_dead_worker_is_sent_by_the_sweeper(hr: Any) -> None:
    queued = OutboundMail.objects.create(
        to=["a@example.com"],
        subject="s",
        body="b",
        status="sending",
        attempts=1,
        claimed_at=timezone.now() - timedelta(minutes=11),
    )
    assert mail_deliver_due() == {"sent": 1, "failed": 0}
    assert len(mail.outbox) == 1
    assert OutboundMail.objects.get(pk=queued.pk).attempts == 2


def test_a_worker_delivers_the_mail_of_a_committed_step(
    worker: Any, agency: Any, hr: Any, models_deployed: Any
) -> None:
    reject(complaint(agency), hr)
    assert wait_for(lambda: OutboundMail.objects.filter(status="sent").exists())
    assert [m.to for m in mail.outbox] == [["citizen@example.com"]]
