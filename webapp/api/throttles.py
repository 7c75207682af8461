"""API throttles whose rates are read per request from ``settings.FUZHI_API_RATES``.

DRF's own throttles copy their rates once at import, so a rate set by the environment
or a test would not take effect; these read it each time.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle


def _rate(scope: str | None) -> str | None:
    rates: dict[str, str] = getattr(settings, "FUZHI_API_RATES", {})
    return rates.get(scope or "")


class UserThrottle(UserRateThrottle):
    def get_rate(self) -> str | None:
        return _rate(self.scope)


class AnonThrottle(AnonRateThrottle):
    """Anonymous callers (the public endpoints) get a stricter rate than users."""

    def get_rate(self) -> str | None:
        return _rate(self.scope)


class PublicWriteThrottle(SimpleRateThrottle):
    """Complaint submission: a few per minute per address, whoever calls, so nobody
    floods an agency with cases."""

    scope = "public_write"

    def get_rate(self) -> str | None:
        return _rate(self.scope)

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
