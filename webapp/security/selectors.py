"""Reading the audit log: who may, and the filtered list."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from webapp.accounts.roles import Role
from webapp.accounts.selectors import has_role

from .models import AuditEntry


def may_read_audit_log(user: Any) -> bool:
    """Auditors and superusers; nobody else (the log names every account's sign-ins)."""
    if not user.is_authenticated:
        return False
    return bool(user.is_superuser) or has_role(user, Role.AUDITOR)


def audit_entries(
    *,
    action: str = "",
    who: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.select_related("actor")
    if action:
        entries = entries.filter(action=action)
    if who:
        entries = entries.filter(
            Q(actor_name__icontains=who) | Q(login_key__icontains=who) | Q(target__icontains=who)
        )
    if since:
        entries = entries.filter(at__date__gte=since)
    if until:
        entries = entries.filter(at__date__lte=until)
    return entries
