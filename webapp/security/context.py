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
    """The caller's address: REMOTE_ADDR, or behind our proxy the address it appended.

    Only the last X-Forwarded-For entry is trusted (our proxy wrote it); earlier ones come
    from the client, and a throttle keyed on them could be dodged by sending another value.
    """
    if request is None:
        return None
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        last = _address(forwarded.rsplit(",", 1)[-1])
        if last:
            return last
    return _address(str(request.META.get("REMOTE_ADDR", "")))


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
