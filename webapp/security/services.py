"""Writing the audit log and the sign-in throttle that reads it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from webapp.accounts.names import full_name

from .context import current
from .models import AuditAction, AuditEntry


def _name(user: Any) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    full = full_name(user)
    return f"{full} ({user.get_username()})" if full else str(user.get_username())


def audit_record(
    actor: Any,
    action: str,
    target: str = "",
    detail: dict[str, Any] | None = None,
    *,
    ip: str | None = None,
    login_key: str = "",
) -> AuditEntry:
    """Append one audit line. ``actor`` None means: whoever is acting in this request."""
    acting = current()
    if actor is None and acting is not None:
        actor = acting.user
    if ip is None and acting is not None:
        ip = acting.ip
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    entry = AuditEntry(
        actor=actor if authenticated else None,
        actor_name=_name(actor),
        action=action,
        target=str(target)[:300],
        detail=detail or {},
        ip=ip,
        login_key=login_key[:150],
    )
    entry.save()
    return entry


# The throttle counts the failures the audit log already holds: one place of truth,
# shared by every web worker process (a per-process memory cache would let an attacker
# multiply the allowance by the number of workers), and it survives restarts.


def _window() -> timedelta:
    return timedelta(seconds=getattr(settings, "FUZHI_LOGIN_WINDOW_SECONDS", 900))


def _failures_since_success(key: str, since: Any) -> int:
    base = AuditEntry.objects.filter(login_key=key, at__gte=since)
    last_ok = base.filter(action=AuditAction.LOGIN).aggregate(at=Max("at"))["at"]
    failures = base.filter(action=AuditAction.LOGIN_FAILED)
    if last_ok is not None:
        failures = failures.filter(at__gt=last_ok)
    return failures.count()


def login_blocked(username: str, ip: str | None) -> bool:
    """True when this sign-in name, or this address, failed too often in the window."""
    since = timezone.now() - _window()
    per_user = getattr(settings, "FUZHI_LOGIN_MAX_FAILURES", 5)
    per_ip = getattr(settings, "FUZHI_LOGIN_MAX_FAILURES_PER_IP", 20)
    key = username.strip().lower()
    if key and _failures_since_success(key, since) >= per_user:
        return True
    if not ip:
        return False
    # By address, a success does not reset the count: one valid account must not let a
    # guesser go on trying other people's names from the same address.
    recent = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, ip=ip, at__gte=since)
    return recent.count() >= per_ip


def lockout_minutes() -> int:
    return max(1, int(_window().total_seconds() // 60))


def recently_locked(username: str, ip: str | None) -> bool:
    """A refusal for this name and address was logged in the last minute: one line per
    minute is enough, so a guesser hammering a locked account cannot flood the log."""
    return AuditEntry.objects.filter(
        action=AuditAction.LOGIN_LOCKED,
        login_key=username.strip().lower(),
        ip=ip,
        at__gte=timezone.now() - timedelta(minutes=1),
    ).exists()
