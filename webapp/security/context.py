"""Who is acting in this request, for audit lines written by signals (which get no request)."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class RequestActor:
    user: Any
    ip: str | None


_current: ContextVar[RequestActor | None] = ContextVar("fuzhi_request_actor", default=None)


def current() -> RequestActor | None:
    return _current.get()


def client_ip(request: HttpRequest | None) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy
    # rewrites it, and a throttle keyed on it could be dodged by sending another value.
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


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
