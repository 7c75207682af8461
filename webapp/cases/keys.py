"""Business keys: what people quote for a case (``ZP-2026-000123``)."""

from __future__ import annotations

from django.utils import timezone

from .models import Case

KEY_PREFIX = {
    "renewal": "XP",
    "recruitment": "ZP",
    "usage_plan": "JH",
    "training": "PX",
    "assessment": "KH",
    "commendation": "BZ",
    "complaint": "TS",
    "discipline": "WJ",
    "separation": "JP",
    "liability": "PC",
}


def business_key(case: Case) -> str:
    prefix = KEY_PREFIX.get(case.definition.process_id, "AJ")
    return f"{prefix}-{timezone.localdate():%Y}-{case.pk:06d}"
