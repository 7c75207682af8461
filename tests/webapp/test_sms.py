"""Replies that reach the person (issue 16): a complainant who gave only a mobile number gets
the reply by SMS, through the outbox (after the step commits, retried, recorded); the
receipt promises only the channel the contact can take (Art. 18).

Only the world outside is replaced: the SMS gateway (the in-memory backend of
tests/conftest.py, or a real local HTTP server standing in for the provider).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from webapp.accounts.models import OutboundMail
from webapp.accounts.outbox import mail_deliver, mail_deliver_due
from webapp.accounts.sms import (
    HttpGatewayBackend,
    LocmemBackend,
    TextMessage,
    contact_channel,
    mobile_number,
)
from webapp.cases.models import Case, CaseEvent
from webapp.cases.openings import complaint_open
from webapp.cases.services import task_complete

from .flows import drive, open_task

REJECT = {"triage_decision": "reject_out_of_scope", "triage_reason": "不属于本机关管理事项"}


def complaint(agency: Any, contact: str) -> Case:
    return complaint_open(
        agency=agency,
        actor=None,
        complainant_name="市民乙",
        complainant_contact=contact,
        complaint_text="执勤时推搡摊主",
    )


class RefusingGateway:
    def send(self, message: TextMessage) -> None:
        raise OSError("gateway answered 503")


def test_it_reads_a_contact_as_email_sms_or_nothing() -> None:
    assert contact_channel("citizen@example.com") == "email"
    assert contact_channel("139 0564 1234") == "sms"
    assert mobile_number("+86 139-0564-1234") == "13905641234"
    assert contact_channel("0564-3371234") == "", "a landline cannot take an SMS"
    assert contact_channel("139") == "" and contact_channel("") == ""


@pytest.mark.django_db(transaction=True)
def test_the_reply_reaches_a_complainant_with_only_a_phone_by_sms_after_the_commit(
    agency: Any, hr: Any, approver: Any, models_deployed: Any
) -> None:
    case = complaint(agency, "139 0564 1234")
    drive(
        case,
        [
            ("triage", {"triage_decision": "accept", "triage_reason": ""}),
            ("investigate_complaint", {"complaint_findings": "属实", "substantiated": True}),
            ("reply_complainant", {"complaint_reply": "已对当事人批评教育。"}),
        ],
        hr,
        approver,
    )
    assert LocmemBackend.outbox == [], "nothing is sent inside the step"
    queued = OutboundMail.objects.get(channel="sms")
    assert queued.to == ["13905641234"] and queued.status == "pending"
    effect = CaseEvent.objects.filter(case=case, kind="record", title__contains="complainant")
    assert effect.get().data_after == {"queued": True, "mail": queued.pk, "channel": "sms"}

    assert mail_deliver(mail_id=queued.pk) == "sent"
    assert mail_deliver(mail_id=queued.pk) == "nothing to send", "never twice"
    [sent] = LocmemBackend.outbox
    assert sent.to == "13905641234" and "已对当事人批评教育。" in sent.body
    assert Case.objects.get(pk=case.pk).data["receipt_number"] in sent.body
    assert mail.outbox == [], "no e-mail for a phone number"
    queued.refresh_from_db()
    assert queued.status == "sent" and queued.sent_at and queued.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_a_step_rolled_back_sends_no_sms(agency: Any, hr: Any, models_deployed: Any) -> None:
    case = complaint(agency, "13905641234")
    with pytest.raises(RuntimeError), transaction.atomic():
        task_complete(task_id=open_task(case, "triage").pk, user=hr, data=REJECT)
        raise RuntimeError("the step fails after its notify ran")
    assert not OutboundMail.objects.exists()
    assert mail_deliver_due() == {"sent": 0, "failed": 0}
    assert LocmemBackend.outbox == []


@pytest.mark.django_db
def test_a_gateway_failure_is_recorded_and_retried(
    agency: Any, hr: Any, models_deployed: Any
) -> None:
    case = complaint(agency, "13905641234")
    task_complete(task_id=open_task(case, "triage").pk, user=hr, data=REJECT)
    queued = OutboundMail.objects.get(channel="sms")
    refusing = override_settings(FUZHI_SMS_BACKEND=f"{__name__}.RefusingGateway")
    with refusing, pytest.raises(OSError):
        mail_deliver(mail_id=queued.pk)
    queued.refresh_from_db()
    assert queued.status == "pending" and "503" in queued.error and queued.attempts == 1
    OutboundMail.objects.filter(pk=queued.pk).update(next_attempt_at=queued.created_at)
    assert mail_deliver_due() == {"sent": 1, "failed": 0}
    assert [m.to for m in LocmemBackend.outbox] == ["13905641234"]


@pytest.mark.django_db
def test_a_contact_no_reply_can_take_queues_nothing(
    agency: Any, hr: Any, models_deployed: Any
) -> None:
    case = complaint(agency, "0564-3371234")
    task_complete(task_id=open_task(case, "triage").pk, user=hr, data=REJECT)
    assert not OutboundMail.objects.exists()
    effect = CaseEvent.objects.get(case=case, kind="record", title__contains="complainant")
    assert effect.data_after == {"queued": False, "mail": None, "channel": ""}


class Gateway(BaseHTTPRequestHandler):
    """A provider's HTTP endpoint: records each request, answers with ``status``."""

    received: list[dict[str, Any]] = []
    status = 200

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        Gateway.received.append(
            {
                "path": self.path,
                "auth": self.headers["Authorization"],
                "body": json.loads(self.rfile.read(length)),
            }
        )
        self.send_response(Gateway.status)
        if Gateway.status == 302:
            self.send_header("Location", "http://127.0.0.1:9/elsewhere")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def gateway() -> Iterator[str]:
    Gateway.received, Gateway.status = [], 200
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/sms/send"
    server.shutdown()
    server.server_close()


def test_the_http_backend_posts_to_the_configured_gateway(gateway: str) -> None:
    with override_settings(FUZHI_SMS_URL=gateway, FUZHI_SMS_TOKEN="t0k", FUZHI_SMS_SIGN="辅执"):
        HttpGatewayBackend().send(TextMessage(to="13905641234", body="答复", reference="<r1>"))
        [request] = Gateway.received
        assert request["path"] == "/sms/send" and request["auth"] == "Bearer t0k"
        assert request["body"] == {
            "to": "13905641234",
            "text": "答复",
            "sign": "辅执",
            "reference": "<r1>",
        }
        for status in (500, 302):
            Gateway.status = status
            with pytest.raises(OSError):
                HttpGatewayBackend().send(TextMessage(to="13905641234", body="答复"))
        assert len(Gateway.received) == 3, "a redirect is not followed with the token"


@pytest.mark.parametrize(
    ("contact", "promise"),
    [
        ("13905641234", "答复将同时以短信发送至 13905641234"),
        ("citizen@example.com", "答复将同时以电子邮件发送至 citizen@example.com"),
        ("139", "既不是手机号码也不是电子邮箱"),
        ("", "您未留联系方式"),
    ],
)
@pytest.mark.django_db
def test_the_receipt_promises_only_the_channel_the_contact_can_take(
    client: Any, models_deployed: Any, agency: Any, contact: str, promise: str
) -> None:
    client.post(
        reverse("public:complaint_new"),
        {"agency": str(agency.pk), "description": "态度恶劣。", "contact": contact},
    )
    page = client.get(reverse("public:complaint_submitted")).content.decode()
    assert promise in page
