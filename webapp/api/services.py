"""Writes the API owns: its tokens."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from rest_framework.authtoken.models import Token

from webapp.security.services import audit_record


def token_rotate(*, user: Any) -> str:
    """Replace the user's API token with a new one and return its key (the old one stops
    working at once). A new credential is a security event: it goes into the audit log."""
    with transaction.atomic():
        replaced = Token.objects.filter(user=user).delete()[0] > 0
        token: Token = Token.objects.create(user=user)
        audit_record(user, "api_token", user.get_username(), {"replaced": replaced})
    return str(token.key)
