"""How a person is named on pages, in the API, in histories and in the audit log.

Chinese order, family name first and no space (刘晓梅); the sign-in name when the account
has no name. Imports nothing from webapp, so every layer may use it.
"""

from __future__ import annotations

from typing import Any


def full_name(user: Any) -> str:
    """Family name then given name, or "" when the account has neither."""
    return f"{user.last_name}{user.first_name}".strip()


def display_name(user: Any) -> str:
    """The person's full name, else their sign-in name."""
    return full_name(user) or str(user.get_username())
