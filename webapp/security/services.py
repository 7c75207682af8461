"""Writing the audit log, what each signal records in it, and the sign-in throttle that
reads it. The receivers in ``signals.py`` only call the ``audit_*`` functions here."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max
from django.utils import timezone

from webapp.accounts.models import Grant, Membership
from webapp.accounts.names import full_name
from webapp.cases import keyring
from webapp.cases.models import Definition, DefinitionState

from . import audit_chain, checkpoints
from .context import client_ip, current
from .models import AuditAction, AuditEntry

USER_FLAGS = ("is_active", "is_staff", "is_superuser")
# A user's many-to-many fields whose changes are permission changes, and their line.
USER_RELATIONS = {
    "groups": AuditAction.USER_GROUPS,
    "user_permissions": AuditAction.USER_PERMISSIONS,
}
M2M_VERBS = {"post_add": "added", "post_remove": "removed", "post_clear": "removed"}


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
    return audit_chain.append(entry)


# ---------------------------------------------------------------- sign-in and sign-out


def audit_logged_in(*, user: Any, request: Any) -> None:
    name = user.get_username()
    audit_record(user, AuditAction.LOGIN, name, ip=client_ip(request), login_key=name.lower())


def audit_logged_out(*, user: Any, request: Any) -> None:
    if user is not None:
        audit_record(user, AuditAction.LOGOUT, user.get_username(), ip=client_ip(request))


def audit_login_failed(*, credentials: dict[str, Any], request: Any) -> None:
    # Django has already masked the password in ``credentials``; only the name is kept.
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        None,
        AuditAction.LOGIN_FAILED,
        username,
        ip=client_ip(request),
        login_key=username.strip().lower(),
    )


def audit_login_locked(*, username: str, ip: str | None) -> None:
    """A sign-in refused by the throttle; at most one line a minute per name and address."""
    if not recently_locked(username, ip):
        audit_record(None, AuditAction.LOGIN_LOCKED, username, ip=ip, login_key=username.lower())


# ------------------------------------------------------------------ permission changes


def audit_remember_old(*, model: Any, instance: Any, fields: tuple[str, ...]) -> None:
    """Before a save: keep the row's stored values on the instance, so the line written
    after the save can say what changed (nothing is kept for a new row)."""
    old = model.objects.filter(pk=instance.pk).values(*fields).first() if instance.pk else None
    instance._audit_old = old


def _membership_detail(membership: Membership) -> dict[str, Any]:
    return {
        "user": membership.user.get_username(),
        "agency": membership.agency.code,
        "role": membership.role,
    }


def audit_membership_saved(*, membership: Membership, created: bool) -> None:
    old = getattr(membership, "_audit_old", None)
    target = str(membership)
    if created or old is None:
        audit_record(None, AuditAction.MEMBERSHIP_ADDED, target, _membership_detail(membership))
        return
    new = {
        "user_id": membership.user_id,
        "agency_id": membership.agency_id,
        "role": membership.role,
    }
    if new != old:
        detail = {**_membership_detail(membership), "before": old}
        audit_record(None, AuditAction.MEMBERSHIP_CHANGED, target, detail)


def audit_membership_removed(*, membership: Membership) -> None:
    detail = _membership_detail(membership)
    audit_record(None, AuditAction.MEMBERSHIP_REMOVED, str(membership), detail)


def _grant_detail(grant: Grant) -> dict[str, Any]:
    return {"user": grant.user.get_username(), "agency": grant.agency.code}


def audit_grant_saved(*, grant: Grant, created: bool) -> None:
    old = getattr(grant, "_audit_old", None)
    if created or old is None:
        audit_record(None, AuditAction.GRANT_ADDED, str(grant), _grant_detail(grant))
    elif old != {"user_id": grant.user_id, "agency_id": grant.agency_id}:
        detail = {**_grant_detail(grant), "before": old}
        audit_record(None, AuditAction.GRANT_CHANGED, str(grant), detail)


def audit_grant_removed(*, grant: Grant) -> None:
    audit_record(None, AuditAction.GRANT_REMOVED, str(grant), _grant_detail(grant))


def audit_user_flags_saved(*, user: Any, created: bool) -> None:
    old = getattr(user, "_audit_old", None) or dict.fromkeys(USER_FLAGS, None)
    changed = {
        flag: [old[flag], getattr(user, flag)]
        for flag in USER_FLAGS
        if old[flag] != getattr(user, flag)
    }
    if created:
        # A new ordinary account is not a permission change; a new staff/superuser is.
        changed = {k: v for k, v in changed.items() if k != "is_active" and v[1]}
    if changed:
        audit_record(None, AuditAction.USER_FLAGS, user.get_username(), changed)


def audit_user_relations_changed(
    *, field: str, instance: Any, action: str, pk_set: Any, reverse: bool
) -> None:
    """A user's groups or permissions changed (``field``), from either side."""
    if reverse:
        # Changed from the group/permission side: one line per affected user.
        for user in get_user_model().objects.filter(pk__in=pk_set or []):
            _record_relations(user, field, action, {instance.pk})
        return
    if action == "pre_clear":
        instance._audit_cleared = set(getattr(instance, field).values_list("pk", flat=True))
    elif action == "post_clear":
        _record_relations(instance, field, action, instance._audit_cleared)
    elif action in ("post_add", "post_remove"):
        _record_relations(instance, field, action, pk_set or set())


def _record_relations(user: Any, field: str, action: str, pks: set[Any]) -> None:
    if not pks:
        return
    related: Any = get_user_model()._meta.get_field(field).related_model
    names = sorted(str(obj) for obj in related._default_manager.filter(pk__in=pks))
    detail = {M2M_VERBS.get(action, action): names, "field": field}
    audit_record(None, USER_RELATIONS[field], user.get_username(), detail)


# ------------------------------------------------------------------------- deployments


def audit_definition_saved(*, definition: Definition) -> None:
    """A process version deployed or retired (any other save writes no line)."""
    old = (getattr(definition, "_audit_old", None) or {}).get("state")
    if old == definition.state:
        return
    detail = {
        "process": definition.process_id,
        "version": definition.version,
        "content_hash": definition.content_hash,
    }
    if definition.state == DefinitionState.DEPLOYED:
        audit_record(definition.deployed_by, AuditAction.DEPLOY, str(definition), detail)
    elif definition.state == DefinitionState.RETIRED:
        audit_record(None, AuditAction.RETIRE, str(definition), detail)


# ------------------------------------------------------- history keys and checkpoints


def history_checkpoint(*, rebase: str = "") -> checkpoints.Written:
    """Art. 15(3): append a signed checkpoint of every history head (``checkpoints``).
    A rebase (after restoring an older backup) is written to the audit log first, so the
    checkpoint that accepts the restored heads also holds the line saying why."""
    if rebase:
        audit_record(None, AuditAction.CHECKPOINT, "rebase", {"reason": rebase[:500]})
    return checkpoints.write(rebase=rebase[:500])


def history_key_rotate() -> str:
    """A new current history key, its id in the audit log; the old keys stay in the key
    file to verify what they signed, and each event names the key that signed it."""
    key_id = keyring.rotate()
    audit_record(None, AuditAction.HISTORY_KEY, key_id, {"key_id": key_id})
    return key_id


# ----------------------------------------------------------------------- the throttle

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
