"""Writes the API owns: its tokens."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from rest_framework.authtoken.models import Token


def token_rotate(*, user: Any) -> str:
    """Replace the user's API token with a new one and return its key (the old one stops
    working at once)."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        token: Token = Token.objects.create(user=user)
    return str(token.key)
