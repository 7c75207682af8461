"""Limits on what one client may ask of the public pages (and the public API, which
counts against the same limits), counted in the shared cache (``settings.CACHES``: the
database in the embedded default, Redis in production), so every web worker shares one
count. Per client address (``client_ip``: behind the trusted proxies, the client's, not
the proxy's), fixed window.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, connection

from webapp.security.context import client_ip


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


def client_address(request: Any) -> str:
    # Behind the proxy every client has the proxy's REMOTE_ADDR: one client would use up
    # (or lock) the whole city's allowance. client_ip reads what the trusted proxy saw.
    return client_ip(request) or "unknown"


# Milliseconds a read's count may wait for SQLite's write lock in the embedded default
# (the cache is a table of the one database file): a step holds that lock while its
# scripts run in the sandbox, up to its budget, and the public pages must not wait with it.
READ_COUNT_WAIT_MS = 200


def allow(request: Any, scope: str) -> bool:
    """Count one request of ``scope`` for this client; False once over the limit."""
    if scope == "complaint" or not _counts_in_sqlite():
        return _count(request, scope)
    try:
        with _lock_wait(READ_COUNT_WAIT_MS):
            return _count(request, scope)
    except OperationalError:
        # The database is held by a step: this read goes uncounted rather than wait.
        # (A complaint is always counted: it waits for the lock to open its case anyway.)
        return True


def _counts_in_sqlite() -> bool:
    backend = str(settings.CACHES["default"]["BACKEND"])
    return backend.endswith("DatabaseCache") and connection.vendor == "sqlite"


@contextmanager
def _lock_wait(milliseconds: int) -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {before}")


def _count(request: Any, scope: str) -> bool:
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
