"""An administrator's writes without a browser: users, their roles in agencies
(memberships), read grants, and API tokens. Only superusers; every change lands in the
audit log (memberships, grants and account flags through the signal receivers, tokens
here)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from webapp.accounts.models import Agency, Grant, Membership
from webapp.accounts.roles import Role
from webapp.errors import NotPermitted, StepRefused, TaskConflict

from .services import audit_record


def assert_administrator(actor: Any) -> None:
    if not (getattr(actor, "is_authenticated", False) and actor.is_superuser):
        raise NotPermitted(_("Only an administrator can manage users, roles and tokens."))


def user_create(
    *, actor: Any, username: str, last_name: str = "", first_name: str = "", email: str = ""
) -> Any:
    """A user with no password (they sign in once one is set, or use a token)."""
    assert_administrator(actor)
    model = get_user_model()
    if model.objects.filter(username=username).exists():
        raise TaskConflict(
            _("A user named %(name)s already exists.") % {"name": username}, field="username"
        )
    user = model(username=username, last_name=last_name, first_name=first_name, email=email)
    user.set_unusable_password()
    user.save()
    audit_record(actor, "user_created", username)
    return user


def user_update(*, actor: Any, user: Any, **changes: Any) -> Any:
    """Names, e-mail and whether the account may sign in (``is_active``)."""
    assert_administrator(actor)
    if user.pk == actor.pk and changes.get("is_active") is False:
        raise StepRefused(_("You cannot lock your own account."), field="is_active")
    for name in ("last_name", "first_name", "email", "is_active"):
        if name in changes:
            setattr(user, name, changes[name])
    user.save()
    return user


def membership_add(*, actor: Any, user: Any, agency: Agency, role: str) -> Membership:
    assert_administrator(actor)
    if role not in Role.values:
        raise StepRefused(_("Choose one of the roles offered."), field="role")
    try:
        with transaction.atomic():
            membership: Membership = Membership.objects.create(user=user, agency=agency, role=role)
    except IntegrityError:
        raise TaskConflict(
            _("%(user)s already holds this role in %(agency)s.")
            % {"user": user.get_username(), "agency": agency.name}
        ) from None
    return membership


def membership_remove(*, actor: Any, membership: Membership) -> None:
    assert_administrator(actor)
    membership.delete()


def grant_add(*, actor: Any, user: Any, agency: Agency) -> Grant:
    assert_administrator(actor)
    grant, _created = Grant.objects.get_or_create(user=user, agency=agency)
    return grant


def grant_remove(*, actor: Any, grant: Grant) -> None:
    assert_administrator(actor)
    grant.delete()


def token_issue(*, actor: Any, user: Any) -> str:
    """A new API token for ``user`` (the old one stops working), returned once."""
    assert_administrator(actor)
    with transaction.atomic():
        replaced = Token.objects.filter(user=user).delete()[0] > 0
        token: Token = Token.objects.create(user=user)
        audit_record(actor, "api_token", user.get_username(), {"replaced": replaced})
    return str(token.key)


def token_revoke(*, actor: Any, user: Any) -> bool:
    """Revoke the user's API token at once; False if they had none."""
    assert_administrator(actor)
    revoked = Token.objects.filter(user=user).delete()[0] > 0
    if revoked:
        audit_record(actor, "api_token_revoked", user.get_username())
    return revoked
