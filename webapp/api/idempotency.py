"""API writes accept an ``Idempotency-Key`` header (issue 19).

A client whose connection dropped after sending a step cannot tell whether it landed:
sent again, it would get "already completed by X" for its own step. With a key, the
write and the record of its answer commit in one transaction; a retry with the same key
(from the same token, session or address) gets the first answer back, marked
``Idempotent-Replayed: true``, and never takes a second step. Two copies sent at once
wait for each other on the key's unique index. Only successful answers are kept: a
refused or failed write changed nothing, so its retry simply runs again. The same key
with another method, path or body is refused (422). Keys are kept for
``FUZHI_IDEMPOTENCY_HOURS`` (24).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from webapp.security.context import client_ip

from .errors import error_body
from .models import IdempotentRequest

HEADER = "Idempotency-Key"
WRITES = ("POST", "PUT", "PATCH", "DELETE")
MAX_KEY = 200


def _digest(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part + b"\0")
    return digest.hexdigest()


def _scope(request: HttpRequest) -> str:
    """The caller, by the credential it sends (never stored as such), and its key."""
    credential = request.headers.get("Authorization", "")
    if credential:
        who = b"auth:" + credential.encode()
    elif request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        who = b"session:" + request.COOKIES[settings.SESSION_COOKIE_NAME].encode()
    else:
        who = b"ip:" + (client_ip(request) or "unknown").encode()
    return _digest(who)


def _hours() -> int:
    return int(getattr(settings, "FUZHI_IDEMPOTENCY_HOURS", 24))


def _refused(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse(error_body(code, message, fields={HEADER: message}), status=status)


def _replay(record: IdempotentRequest, fingerprint: str) -> HttpResponse:
    if record.fingerprint != fingerprint:
        return _refused(
            "idempotency_key_reused",
            _("This Idempotency-Key was already used for another request."),
            422,
        )
    response = HttpResponse(
        bytes(record.content), status=record.status or 200, content_type=record.content_type
    )
    response["Idempotent-Replayed"] = "true"
    return response


def _claim(scope: str, key: str, fingerprint: str) -> IdempotentRequest | None:
    """The record of this key for this request, new; None if the key was used before."""
    IdempotentRequest.objects.filter(
        scope=scope, key=key, created_at__lt=timezone.now() - timedelta(hours=_hours())
    ).delete()
    try:
        with transaction.atomic():
            return IdempotentRequest.objects.create(scope=scope, key=key, fingerprint=fingerprint)
    except IntegrityError:
        return None


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if key is None or request.method not in WRITES or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not (0 < len(key) <= MAX_KEY and key.isascii() and key.isprintable()):
            message = _("An Idempotency-Key is 1 to 200 printable ASCII characters.")
            return _refused("invalid", message, 400)
        return self._once(request, key)

    def _once(self, request: HttpRequest, key: str) -> HttpResponse:
        scope = _scope(request)
        fingerprint = _digest(str(request.method).encode(), request.path.encode(), request.body)
        with transaction.atomic():
            record = _claim(scope, key, fingerprint)
            if record is None:
                return _replay(IdempotentRequest.objects.get(scope=scope, key=key), fingerprint)
            response = self.get_response(request)
            if not 200 <= response.status_code < 300:
                # Nothing to keep: the write was refused or failed, and changed nothing.
                transaction.set_rollback(True)
                return response
            record.status = response.status_code
            record.content = bytes(response.content)
            record.content_type = str(response.get("Content-Type", ""))
            record.save(update_fields=["status", "content", "content_type"])
        return response


def idempotency_keys_expire() -> int:
    """Forget answers older than FUZHI_IDEMPOTENCY_HOURS (beat)."""
    cutoff = timezone.now() - timedelta(hours=_hours())
    deleted, _rows = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
