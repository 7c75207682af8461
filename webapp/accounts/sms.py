"""Text messages (SMS) through a pluggable backend, like Django's e-mail backends.

``FUZHI_SMS_BACKEND`` names the backend class: the console (the embedded default, prints
each message), an HTTP gateway (``HttpGatewayBackend``, configured from the environment:
``FUZHI_SMS_URL``, ``FUZHI_SMS_TOKEN``, ``FUZHI_SMS_SIGN``), or the in-memory one the
tests read (``LocmemBackend``, the gateway being the world outside). Messages are never
sent from a step: the outbox (``outbox.py``) delivers them after the step commits.

Which channel a contact is: ``contact_channel`` reads what a complainant typed as an
e-mail address, a mainland mobile number (SMS), or neither, so a receipt promises only a
channel the reply can really take (Art. 18).
"""

from __future__ import annotations

import json
import re
import sys
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MOBILE = re.compile(r"^1[3-9]\d{9}$")  # a mainland mobile number, the only kind SMS reaches
SMS_MAX = 300  # characters of one message; a longer reply points to the status page
GATEWAY_TIMEOUT = 10  # seconds; the outbox retries a gateway that does not answer


@dataclass(frozen=True)
class TextMessage:
    to: str
    body: str
    # The outbox row's id: a gateway that keeps it drops a message sent twice.
    reference: str = ""


def mobile_number(contact: str) -> str:
    """The contact as a mobile number (spaces, dashes and +86 dropped), or ''."""
    digits = re.sub(r"[\s\-()]", "", contact or "")
    digits = re.sub(r"^(\+?86)", "", digits) if len(digits) > 11 else digits
    return digits if MOBILE.match(digits) else ""


def contact_channel(contact: str) -> str:
    """'email', 'sms' or '' (a contact no reply can be sent to)."""
    text = (contact or "").strip()
    if EMAIL.match(text):
        return "email"
    return "sms" if mobile_number(text) else ""


def shortened(text: str, limit: int = SMS_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ConsoleBackend:
    """Prints each message (the embedded default, as e-mail's console backend does)."""

    def send(self, message: TextMessage) -> None:
        sys.stdout.write(f"SMS to {message.to} [{message.reference}]: {message.body}\n")
        sys.stdout.flush()


class LocmemBackend:
    """Keeps messages in ``LocmemBackend.outbox`` (tests: the gateway is the outside)."""

    outbox: list[TextMessage] = []

    def send(self, message: TextMessage) -> None:
        LocmemBackend.outbox.append(message)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


class HttpGatewayBackend:
    """POSTs ``{"to", "text", "sign", "reference"}`` as JSON to ``FUZHI_SMS_URL`` with
    ``Authorization: Bearer FUZHI_SMS_TOKEN``; any answer but 2xx is a failure the outbox
    records and retries. Providers with another shape sit behind a small adapter."""

    def send(self, message: TextMessage) -> None:
        payload = {
            "to": message.to,
            "text": message.body,
            "sign": settings.FUZHI_SMS_SIGN,
            "reference": message.reference,
        }
        url = str(settings.FUZHI_SMS_URL)
        if not url.startswith(("https://", "http://")):
            raise OSError("FUZHI_SMS_URL must be an http(s) address")
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
            url,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {settings.FUZHI_SMS_TOKEN}",
            },
            method="POST",
        )
        # Any status from 300 up raises HTTPError: a redirect is not followed, so the token
        # never goes to another address than the configured one.
        with _OPENER.open(request, timeout=GATEWAY_TIMEOUT) as answer:
            if not 200 <= answer.status < 300:
                raise OSError(f"SMS gateway answered {answer.status}")


def backend() -> Any:
    return import_string(settings.FUZHI_SMS_BACKEND)()


def send_text(message: TextMessage) -> None:
    backend().send(message)
