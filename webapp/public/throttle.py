"""Limits on what one client may ask of the public pages, counted in Django's cache.

The counts are per client address and fixed window; with the default in-process cache
each web worker counts on its own, so a shared cache (Redis) makes the limit exact.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int
    window: int  # seconds


def limit(scope: str) -> Limit:
    """The limit for ``scope`` from settings (``FUZHI_PUBLIC_LIMITS``), tunable per install."""
    count, window = getattr(settings, "FUZHI_PUBLIC_LIMITS", {}).get(scope, DEFAULTS[scope])
    return Limit(scope=scope, count=int(count), window=int(window))


DEFAULTS: dict[str, tuple[int, int]] = {
    "complaint": (10, 3600),  # complaint submissions (attempts) per hour
    "receipt": (30, 600),  # receipt lookups per 10 minutes: enumeration stays hopeless
    "read": (300, 600),  # registry searches and verifications per 10 minutes
}


def client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is written by the client unless a trusted proxy
    # replaces it, and the production proxy is expected to set REMOTE_ADDR.
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def allow(request: HttpRequest, scope: str) -> bool:
    """Count one request of ``scope`` for this client; False once over the limit."""
    rule = limit(scope)
    digest = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    key = f"fuzhi:public:{scope}:{digest}"
    cache.add(key, 0, timeout=rule.window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=rule.window)
        count = 1
    return count <= rule.count
