"""A member's own account (Art. 12: the right to see their record, to make suggestions and
to appeal): made when they are hired, with no usable password until their agency's HR
officer issues a one-time one (``webapp.security.member_access``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from webapp.accounts.selectors import request_memo

from .models import MemberAccount, Staff

USERNAME_PREFIX = "fz"


def member_username(staff: Staff) -> str:
    """A sign-in name that says nothing personal (no ID number in any log)."""
    return f"{USERNAME_PREFIX}{staff.pk:06d}"


def member_account_ensure(staff: Staff) -> MemberAccount:
    """The member's account, made now if they have none (idempotent: hiring makes it;
    members hired before accounts existed get theirs when a password is first issued)."""
    with transaction.atomic():
        existing = MemberAccount.objects.select_related("user").filter(staff=staff).first()
        if existing is not None:
            return existing
        user = get_user_model()(username=member_username(staff), last_name=staff.name)
        user.set_unusable_password()
        user.save()
        account: MemberAccount = MemberAccount.objects.create(staff=staff, user=user)
        return account


def member_of(user: Any) -> Staff | None:
    """The staff member whose own account ``user`` is, if it is one."""
    if not getattr(user, "is_authenticated", False):
        return None
    account = request_memo(
        user,
        "member_account",
        lambda: MemberAccount.objects.select_related("staff__agency").filter(user=user).first(),
    )
    return account.staff if account is not None else None
