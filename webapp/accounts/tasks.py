"""Thin Celery tasks of the accounts app: the mail outbox (``outbox.py``)."""

from __future__ import annotations

from celery import shared_task

from . import outbox


@shared_task(
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=outbox.MAX_ATTEMPTS,
)
def deliver_mail(mail_id: int) -> str:
    """Send one queued e-mail after its step committed; retried with backoff, idempotent."""
    return outbox.mail_deliver(mail_id=mail_id)


@shared_task(acks_late=True)
def deliver_due_mail() -> dict[str, int]:
    """Beat, every minute: whatever is still pending (the broker was down, a retry is due,
    a worker died mid-send)."""
    return outbox.mail_deliver_due()
