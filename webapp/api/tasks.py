"""Thin Celery tasks of the API app."""

from __future__ import annotations

from celery import shared_task

from .idempotency import idempotency_keys_expire


@shared_task(acks_late=True)
def expire_idempotency_keys() -> int:
    """Beat, hourly: answers kept for Idempotency-Key retries past their time."""
    return idempotency_keys_expire()
