"""API throttles whose rates are read per request from ``settings.FUZHI_API_RATES``.

DRF's own throttles copy their rates once at import, so a rate set by the environment
or a test would not take effect; these read it each time. Every throttle knows a caller
by ``webapp.security.context.client_ip`` (the trusted proxies the pages trust) and
counts in the shared cache (``settings.CACHES``). The public endpoints count against the
public pages' own limits and counters: one budget per client, through a page or the API.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, BaseThrottle, UserRateThrottle

from webapp.public.throttle import allow, limit
from webapp.security.context import client_ip


def _rate(scope: str | None) -> str | None:
    rates: dict[str, str] = getattr(settings, "FUZHI_API_RATES", {})
    return rates.get(scope or "")


class UserThrottle(UserRateThrottle):
    def get_rate(self) -> str | None:
        return _rate(self.scope)

    def get_ident(self, request: Request) -> str:
        return client_ip(request) or "unknown"


class AnonThrottle(AnonRateThrottle):
    """Anonymous callers (the public endpoints) get a stricter rate than users."""

    def get_rate(self) -> str | None:
        return _rate(self.scope)

    def get_ident(self, request: Request) -> str:
        return client_ip(request) or "unknown"


class PublicLimit(BaseThrottle):
    """The public pages' limit of ``scope`` (``FUZHI_PUBLIC_LIMITS``), same counter: a
    client that used its complaints on the form has none left on the API."""

    scope = ""

    def allow_request(self, request: Request, view: Any) -> bool:
        return allow(request, self.scope)

    def wait(self) -> float:
        return float(limit(self.scope).window)


class PublicComplaintLimit(PublicLimit):
    scope = "complaint"


class PublicReceiptLimit(PublicLimit):
    scope = "receipt"


class PublicReadLimit(PublicLimit):
    scope = "read"
