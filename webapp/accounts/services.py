"""Notifications and delegations."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from webapp.errors import StepRefused

from .models import Agency, Delegation, Membership, Notification, RoutingRule
from .outbox import mail_enqueue
from .routing import DEFAULT_RULES


def notify_user(user: Any, *, title: str, body: str = "", url: str = "") -> Notification:
    """An in-app notice, and an e-mail through the outbox when the user has an address:
    sent after the surrounding transaction commits, never if it rolls back."""
    notice = Notification.objects.create(user=user, title=title[:200], body=body, url=url)
    if user.email:
        mail_enqueue(
            to=[user.email], subject=title, body=f"{body}\n{url}".strip(), source="notification"
        )
    return notice


def notifications_mark_read(*, user: Any) -> int:
    """The user has seen their notices: the header's count of unread ones goes to zero."""
    count: int = Notification.objects.filter(user_id=user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return count


def role_holders(agency_id: int, role: str) -> list[Any]:
    user_ids = Membership.objects.filter(agency_id=agency_id, role=role).values_list(
        "user_id", flat=True
    )
    return list(get_user_model().objects.filter(pk__in=user_ids, is_active=True))


def delegation_create(
    *, delegator: Any, delegate: Any, agency: Agency, role: str, starts_on: date, ends_on: date
) -> Delegation:
    """Delegate one's tasks of ``role`` in ``agency`` to a colleague of the same role."""
    if delegate.pk == delegator.pk:
        raise StepRefused(_("Choose a colleague other than yourself."))
    if ends_on < starts_on:
        raise StepRefused(_("The delegation must end on or after the day it starts."))
    for user in (delegator, delegate):
        if not Membership.objects.filter(user=user, agency=agency, role=role).exists():
            raise StepRefused(
                _(
                    "%(user)s does not hold this role in %(agency)s; a delegation stays within "
                    "the same role and agency."
                )
                % {"user": user.get_username(), "agency": agency}
            )
    return Delegation.objects.create(
        delegator=delegator,
        delegate=delegate,
        agency=agency,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
    )


def active_delegation(agency_id: int, role: str, day: date) -> Delegation | None:
    return (
        Delegation.objects.filter(
            agency_id=agency_id, role=role, starts_on__lte=day, ends_on__gte=day
        )
        .select_related("delegator", "delegate")
        .order_by("-created_at")
        .first()
    )


def routing_rules_seed() -> int:
    """Write the default routing rule of every role that has none (a fresh or flushed
    database); the rules an administrator changed stay as they are."""
    created = 0
    for role, target in DEFAULT_RULES.items():
        created += int(RoutingRule.objects.get_or_create(role=role, defaults={"target": target})[1])
    return created
