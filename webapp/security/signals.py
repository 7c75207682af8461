"""Signal receivers feeding the audit log: sign-ins, permission changes, deploys."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from webapp.accounts.models import Grant, Membership
from webapp.cases.models import Definition, DefinitionState

from .context import client_ip
from .models import AuditAction
from .services import audit_record

User = get_user_model()
USER_FLAGS = ("is_active", "is_staff", "is_superuser")


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(
        user,
        AuditAction.LOGIN,
        user.get_username(),
        ip=client_ip(request),
        login_key=user.get_username().lower(),
    )


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(user, AuditAction.LOGOUT, user.get_username(), ip=client_ip(request))


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any) -> None:
    # Django has already masked the password in ``credentials``; only the name is kept.
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        None,
        AuditAction.LOGIN_FAILED,
        username,
        ip=client_ip(request),
        login_key=username.strip().lower(),
    )


def _membership_detail(instance: Membership) -> dict[str, Any]:
    return {
        "user": instance.user.get_username(),
        "agency": instance.agency.code,
        "role": instance.role,
    }


def _remember_old(sender: Any, instance: Any, fields: tuple[str, ...]) -> None:
    old = sender.objects.filter(pk=instance.pk).values(*fields).first() if instance.pk else None
    instance._audit_old = old


@receiver(pre_save, sender=Membership)
def _membership_before(sender: Any, instance: Membership, **kwargs: Any) -> None:
    _remember_old(sender, instance, ("user_id", "agency_id", "role"))


@receiver(post_save, sender=Membership)
def _membership_saved(sender: Any, instance: Membership, created: bool, **kwargs: Any) -> None:
    old = getattr(instance, "_audit_old", None)
    if created or old is None:
        audit_record(
            None, AuditAction.MEMBERSHIP_ADDED, str(instance), _membership_detail(instance)
        )
        return
    new = {"user_id": instance.user_id, "agency_id": instance.agency_id, "role": instance.role}
    if new != old:
        detail = {**_membership_detail(instance), "before": old}
        audit_record(None, AuditAction.MEMBERSHIP_CHANGED, str(instance), detail)


@receiver(post_delete, sender=Membership)
def _membership_deleted(sender: Any, instance: Membership, **kwargs: Any) -> None:
    audit_record(None, AuditAction.MEMBERSHIP_REMOVED, str(instance), _membership_detail(instance))


def _grant_detail(instance: Grant) -> dict[str, Any]:
    return {"user": instance.user.get_username(), "agency": instance.agency.code}


@receiver(pre_save, sender=Grant)
def _grant_before(sender: Any, instance: Grant, **kwargs: Any) -> None:
    _remember_old(sender, instance, ("user_id", "agency_id"))


@receiver(post_save, sender=Grant)
def _grant_saved(sender: Any, instance: Grant, created: bool, **kwargs: Any) -> None:
    old = getattr(instance, "_audit_old", None)
    if created or old is None:
        audit_record(None, AuditAction.GRANT_ADDED, str(instance), _grant_detail(instance))
    elif old != {"user_id": instance.user_id, "agency_id": instance.agency_id}:
        detail = {**_grant_detail(instance), "before": old}
        audit_record(None, AuditAction.GRANT_CHANGED, str(instance), detail)


@receiver(post_delete, sender=Grant)
def _grant_deleted(sender: Any, instance: Grant, **kwargs: Any) -> None:
    audit_record(None, AuditAction.GRANT_REMOVED, str(instance), _grant_detail(instance))


@receiver(pre_save, sender=User)
def _user_before(sender: Any, instance: Any, **kwargs: Any) -> None:
    _remember_old(sender, instance, USER_FLAGS)


@receiver(post_save, sender=User)
def _user_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    old = getattr(instance, "_audit_old", None) or dict.fromkeys(USER_FLAGS, None)
    changed = {
        flag: [old[flag], getattr(instance, flag)]
        for flag in USER_FLAGS
        if old[flag] != getattr(instance, flag)
    }
    if created:
        # A new ordinary account is not a permission change; a new staff/superuser is.
        changed = {k: v for k, v in changed.items() if k != "is_active" and v[1]}
    if changed:
        audit_record(None, AuditAction.USER_FLAGS, instance.get_username(), changed)


def _m2m_receiver(audit_action: str, field: str) -> Any:
    def receive(sender: Any, instance: Any, action: str, pk_set: Any, **kwargs: Any) -> None:
        if kwargs.get("reverse"):
            # Changed from the group/permission side: one line per affected user.
            users = User.objects.filter(pk__in=pk_set or [])
            for user in users:
                _record_m2m(user, audit_action, field, action, {instance.pk})
            return
        if action == "pre_clear":
            instance._audit_cleared = set(getattr(instance, field).values_list("pk", flat=True))
        elif action == "post_clear":
            _record_m2m(instance, audit_action, field, action, instance._audit_cleared)
        elif action in ("post_add", "post_remove"):
            _record_m2m(instance, audit_action, field, action, pk_set or set())

    return receive


def _record_m2m(user: Any, audit_action: str, field: str, action: str, pks: set[Any]) -> None:
    if not pks:
        return
    related: Any = User._meta.get_field(field).related_model
    names = sorted(str(obj) for obj in related._default_manager.filter(pk__in=pks))
    verb = {"post_add": "added", "post_remove": "removed", "post_clear": "removed"}
    audit_record(
        None, audit_action, user.get_username(), {verb.get(action, action): names, "field": field}
    )


_groups = _m2m_receiver(AuditAction.USER_GROUPS, "groups")
_perms = _m2m_receiver(AuditAction.USER_PERMISSIONS, "user_permissions")
m2m_changed.connect(_groups, sender=User.groups.through, dispatch_uid="audit_user_groups")
m2m_changed.connect(_perms, sender=User.user_permissions.through, dispatch_uid="audit_user_perms")


@receiver(pre_save, sender=Definition)
def _definition_before(sender: Any, instance: Definition, **kwargs: Any) -> None:
    _remember_old(sender, instance, ("state",))


@receiver(post_save, sender=Definition)
def _definition_saved(sender: Any, instance: Definition, **kwargs: Any) -> None:
    # Hooked on the state change rather than on definitions.py, so every way of deploying
    # (command, designer, API) is logged with no call to remember.
    old = (getattr(instance, "_audit_old", None) or {}).get("state")
    if old == instance.state:
        return
    detail = {
        "process": instance.process_id,
        "version": instance.version,
        "content_hash": instance.content_hash,
    }
    if instance.state == DefinitionState.DEPLOYED:
        audit_record(instance.deployed_by, AuditAction.DEPLOY, str(instance), detail)
    elif instance.state == DefinitionState.RETIRED:
        audit_record(None, AuditAction.RETIRE, str(instance), detail)
