"""Handing a member their sign-in (Art. 12): the agency's HR officer issues a one-time
password, shown once; the member must replace it at the first sign-in. Both are security
events, kept in the audit log."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from webapp.accounts.roles import Role
from webapp.accounts.selectors import has_role
from webapp.errors import NotPermitted, StepRefused
from webapp.staff.accounts import member_account_ensure
from webapp.staff.models import MemberAccount, Staff, StaffState

from .services import audit_record

# No 0/O, 1/l/I: read aloud or copied from a slip of paper.
ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LENGTH = 12
# Members who may still sign in: at work, or gone but within reach of an appeal (Art. 12).
SIGN_IN_STATES = frozenset(
    {
        StaffState.HIRED,
        StaffState.ON_DUTY,
        StaffState.SUSPENDED,
        StaffState.SEPARATED,
        StaffState.DISMISSED,
    }
)


@dataclass(frozen=True)
class IssuedSignIn:
    username: str
    password: str


def member_password_issue(*, staff: Staff, actor: Any) -> IssuedSignIn:
    """A new one-time password for the member's account (made now if missing); only an HR
    officer of the member's agency may, and the password is never stored in clear."""
    if not has_role(actor, Role.HR_OFFICER, staff.agency_id):
        raise NotPermitted(
            _("Only an HR officer of %(agency)s can issue its members' sign-in (Art. 12).")
            % {"agency": staff.agency.name},
            article="Art. 12",
        )
    if staff.state not in SIGN_IN_STATES:
        raise StepRefused(
            _("%(name)s is %(state)s and has no account to sign in with (Art. 12).")
            % {"name": staff.name, "state": staff.get_state_display()},
            article="Art. 12",
        )
    password = "".join(secrets.choice(ALPHABET) for _i in range(LENGTH))
    with transaction.atomic():
        account = member_account_ensure(staff)
        user = account.user
        # A new password does not unlock an account an administrator locked.
        user.set_password(password)
        user.save()
        MemberAccount.objects.filter(pk=account.pk).update(must_change_password=True)
        audit_record(actor, "member_sign_in_issued", user.get_username(), {"staff": staff.pk})
    return IssuedSignIn(username=user.get_username(), password=password)


def member_password_changed(*, user: Any) -> None:
    """The member chose their own password: the first-sign-in change is done."""
    changed = MemberAccount.objects.filter(user=user).update(must_change_password=False)
    if changed:
        audit_record(user, "member_password_changed", user.get_username())


def must_change_password(user: Any) -> bool:
    """A member signed in with a one-time password they have not replaced yet."""
    if not getattr(user, "is_authenticated", False):
        return False
    return MemberAccount.objects.filter(user=user, must_change_password=True).exists()
