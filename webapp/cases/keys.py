"""Business keys: what people quote for a case (``ZP-2026-000123``)."""

from __future__ import annotations

from django.utils import timezone

from .definitions import parsed
from .models import Case


def business_key(case: Case) -> str:
    """The process's prefix (its model's ``businessKeyPrefix``), the year, the case number."""
    prefix = parsed(case.definition).key_prefix
    return f"{prefix}-{timezone.localdate():%Y}-{case.pk:06d}"
