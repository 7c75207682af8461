"""Template context: the unread notification count and the menu shown in the header."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .roles import READ_ONLY_ROLES, Role
from .selectors import role_pairs, supervised_agencies


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": user.notifications.filter(read_at__isnull=True).count()}


def menu(request: HttpRequest) -> dict[str, Any]:
    """What the header offers: only what the user's roles may do (an approver is not
    offered a recruitment only an HR officer may open, which would answer 404)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = {role for _agency, role in role_pairs(user)}
    acting = roles - READ_ONLY_ROLES - {Role.DESIGNER}
    return {
        "menu": {
            "inbox": bool(acting),
            "cases": bool(roles - {Role.DESIGNER}),
            "hr": Role.HR_OFFICER in roles,
            "ranking": bool(roles & {Role.HR_OFFICER, Role.APPROVER}),
            # Art. 22: the justice bureau, or an approver of an organ with units below it.
            "supervise": bool(roles & {Role.JUSTICE_BUREAU, Role.APPROVER})
            and supervised_agencies(user).exists(),
        }
    }
