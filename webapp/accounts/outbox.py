"""The mail outbox: e-mail written in the step's transaction, delivered after it commits.

``mail_enqueue`` writes a row and, once the surrounding transaction commits, asks a
Celery task to deliver it (``webapp.accounts.tasks``). A step that rolls back leaves no
row and sends nothing; no row lock is held while SMTP answers. Delivery claims the row
under a lock, so two deliveries of one message (a redelivered task, the sweeper) never
send it twice at once; each message carries a Message-ID made from its row, so a mail
server can drop a copy sent again after a worker died mid-send. Each attempt, its error
and the time it was sent stay on the row.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from celery import current_app
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import OutboundMail

log = logging.getLogger(__name__)

DELIVER_TASK = "webapp.accounts.tasks.deliver_mail"
MAX_ATTEMPTS = 8
# A delivery claimed this long ago and never finished died with its worker: retry it.
CLAIM_TIMEOUT = timedelta(minutes=10)


def mail_enqueue(*, to: list[str], subject: str, body: str, source: str = "") -> OutboundMail:
    """Write an e-mail to the outbox; it is sent only if the current transaction commits."""
    mail = OutboundMail.objects.create(
        to=[address for address in to if address], subject=subject[:300], body=body, source=source
    )
    transaction.on_commit(lambda: _dispatch(mail.pk))
    return mail


def _dispatch(mail_id: int) -> None:
    # By name: the task module imports this one. A broker that is down loses nothing:
    # the beat sweeper (mail_deliver_due) sends what is still pending.
    try:
        current_app.send_task(DELIVER_TASK, args=[mail_id])
    except Exception:  # the row is the record; the sweeper sends it later
        log.warning("could not queue mail %s; the sweeper will send it", mail_id, exc_info=True)


def _claim(mail_id: int) -> OutboundMail | None:
    """Mark the message as being sent, or None if it is sent, failed for good, or being
    sent by someone else right now."""
    with transaction.atomic():
        mail = OutboundMail.objects.select_for_update().filter(pk=mail_id).first()
        if mail is None or mail.status in ("sent", "failed"):
            return None
        now = timezone.now()
        if mail.status == "sending" and mail.claimed_at and now - mail.claimed_at < CLAIM_TIMEOUT:
            return None
        mail.status, mail.claimed_at, mail.attempts = "sending", now, mail.attempts + 1
        mail.save(update_fields=["status", "claimed_at", "attempts"])
        return mail


def mail_deliver(*, mail_id: int) -> str:
    """Send one message (idempotent); a failure is recorded on the row and re-raised."""
    mail = _claim(mail_id)
    if mail is None:
        return "nothing to send"
    message = EmailMessage(
        mail.subject, mail.body, None, mail.to, headers={"Message-ID": _message_id(mail)}
    )
    try:
        message.send()
    except Exception as exc:
        _failed(mail, exc)
        raise
    OutboundMail.objects.filter(pk=mail.pk).update(status="sent", sent_at=timezone.now(), error="")
    return "sent"


def _message_id(mail: OutboundMail) -> str:
    return f"<fuzhi-outbox-{mail.pk}-{mail.created_at:%Y%m%d%H%M%S}@fuzhi>"


def _failed(mail: OutboundMail, exc: Exception) -> None:
    final = mail.attempts >= MAX_ATTEMPTS
    backoff = timedelta(minutes=2 ** min(mail.attempts, 8))
    OutboundMail.objects.filter(pk=mail.pk).update(
        status="failed" if final else "pending",
        error=f"{type(exc).__name__}: {exc}"[:2000],
        next_attempt_at=timezone.now() + backoff,
    )


def mail_deliver_due(now: Any = None) -> dict[str, int]:
    """Beat: send what is due (never queued, failed before, or abandoned mid-send)."""
    now = now or timezone.now()
    due = OutboundMail.objects.filter(
        Q(status="pending", next_attempt_at__lte=now)
        | Q(status="sending", claimed_at__lt=now - CLAIM_TIMEOUT)
    ).order_by("pk")
    counts = {"sent": 0, "failed": 0}
    for mail_id in due.values_list("pk", flat=True)[:500]:
        try:
            counts["sent"] += mail_deliver(mail_id=mail_id) == "sent"
        except Exception:  # recorded on the row; the next mail goes on
            counts["failed"] += 1
    return counts
