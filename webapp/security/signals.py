"""Signal receivers feeding the audit log: sign-ins, permission changes, deploys.

Each receiver only hands its arguments to an ``audit_*`` service (``services.py``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from webapp.accounts.models import Grant, Membership
from webapp.cases.models import Definition

from . import services

User = get_user_model()
MEMBERSHIP_FIELDS = ("user_id", "agency_id", "role")
GRANT_FIELDS = ("user_id", "agency_id")


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    services.audit_logged_in(user=user, request=request)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    services.audit_logged_out(user=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any) -> None:
    services.audit_login_failed(credentials=credentials, request=request)


@receiver(pre_save, sender=Membership)
def _membership_before(sender: Any, instance: Membership, **kwargs: Any) -> None:
    services.audit_remember_old(model=sender, instance=instance, fields=MEMBERSHIP_FIELDS)


@receiver(post_save, sender=Membership)
def _membership_saved(sender: Any, instance: Membership, created: bool, **kwargs: Any) -> None:
    services.audit_membership_saved(membership=instance, created=created)


@receiver(post_delete, sender=Membership)
def _membership_deleted(sender: Any, instance: Membership, **kwargs: Any) -> None:
    services.audit_membership_removed(membership=instance)


@receiver(pre_save, sender=Grant)
def _grant_before(sender: Any, instance: Grant, **kwargs: Any) -> None:
    services.audit_remember_old(model=sender, instance=instance, fields=GRANT_FIELDS)


@receiver(post_save, sender=Grant)
def _grant_saved(sender: Any, instance: Grant, created: bool, **kwargs: Any) -> None:
    services.audit_grant_saved(grant=instance, created=created)


@receiver(post_delete, sender=Grant)
def _grant_deleted(sender: Any, instance: Grant, **kwargs: Any) -> None:
    services.audit_grant_removed(grant=instance)


@receiver(pre_save, sender=User)
def _user_before(sender: Any, instance: Any, **kwargs: Any) -> None:
    services.audit_remember_old(model=sender, instance=instance, fields=services.USER_FLAGS)


@receiver(post_save, sender=User)
def _user_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    services.audit_user_flags_saved(user=instance, created=created)


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="audit_user_groups")
def _groups(sender: Any, instance: Any, action: str, pk_set: Any, **kwargs: Any) -> None:
    services.audit_user_relations_changed(
        field="groups",
        instance=instance,
        action=action,
        pk_set=pk_set,
        reverse=bool(kwargs.get("reverse")),
    )


@receiver(m2m_changed, sender=User.user_permissions.through, dispatch_uid="audit_user_perms")
def _perms(sender: Any, instance: Any, action: str, pk_set: Any, **kwargs: Any) -> None:
    services.audit_user_relations_changed(
        field="user_permissions",
        instance=instance,
        action=action,
        pk_set=pk_set,
        reverse=bool(kwargs.get("reverse")),
    )


@receiver(pre_save, sender=Definition)
def _definition_before(sender: Any, instance: Definition, **kwargs: Any) -> None:
    services.audit_remember_old(model=sender, instance=instance, fields=("state",))


@receiver(post_save, sender=Definition)
def _definition_saved(sender: Any, instance: Definition, **kwargs: Any) -> None:
    # Hooked on the state change rather than on definitions.py, so every way of deploying
    # (command, designer, API) is logged with no call to remember.
    services.audit_definition_saved(definition=instance)
