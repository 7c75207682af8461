"""Who is acting in this request, for audit lines written by signals (which get no request)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class RequestActor:
    user: Any
    ip: str | None


_current: ContextVar[RequestActor | None] = ContextVar("fuzhi_request_actor", default=None)


def current() -> RequestActor | None:
    return _current.get()


def client_ip(request: HttpRequest | None) -> str | None:
    """The caller's address: REMOTE_ADDR, or behind ``FUZHI_TRUSTED_PROXIES`` proxies the
    address the outermost of them appended to X-Forwarded-For.

    Each trusted proxy appends the address it received from, so with N proxies the N-th
    entry from the right is the client as our outermost proxy saw it; entries further
    left come from the client, and a throttle keyed on them could be dodged by sending
    another value. One function for every address the app reads: the sign-in throttle,
    the audit log, the public pages' limits and the API's throttles.
    """
    if request is None:
        return None
    proxies = trusted_proxies()
    if proxies:
        forwarded = [e for e in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
        if len(forwarded) >= proxies:
            found = _address(forwarded[-proxies])
            if found:
                return found
    return _address(str(request.META.get("REMOTE_ADDR", "")))


def trusted_proxies() -> int:
    return max(0, int(getattr(settings, "FUZHI_TRUSTED_PROXIES", 0) or 0))


def _address(text: str) -> str | None:
    # Stored in an inet column on PostgreSQL: anything else would fail the insert.
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


class AuditContextMiddleware:
    """Remember the request's user and address while the view runs (after authentication)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current.set(RequestActor(getattr(request, "user", None), client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
