"""Notifications and delegations."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from webapp.errors import StepRefused

from .models import Agency, Delegation, Membership, Notification, RoutingRule, RoutingTarget
from .outbox import mail_enqueue
from .routing import DEFAULT_RULES, task_agency


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
        _delegations(agency_id, role, day)
        .select_related("delegator", "delegate")
        .order_by("-created_at")
        .first()
    )


def _delegations(agency_id: int | Any, role: str, day: date) -> QuerySet[Delegation]:
    return Delegation.objects.filter(
        agency_id=agency_id, role=role, starts_on__lte=day, ends_on__gte=day
    )


def task_route(
    case_agency: Agency, role: str, day: date
) -> tuple[Agency | None, Delegation | None]:
    """The body whose holders of ``role`` do a task of a case of ``case_agency``
    (``routing.task_agency``; None when no rule or body routes it) and the delegation
    active there on ``day``. A rule routing to the case's own agency, the usual one, is
    read with that agency's delegation in one statement; a delegation, rare, is then
    loaded with its two people."""
    at_case_agency = _delegations(case_agency.pk, role, day).order_by("-created_at")
    rule = (
        RoutingRule.objects.filter(role=role)
        .annotate(delegation_id=Subquery(at_case_agency.values("pk")[:1]))
        .values_list("target", "delegation_id")
        .first()
    )
    if rule is not None and rule[0] == RoutingTarget.CASE_AGENCY:
        delegation = None
        if rule[1] is not None:
            delegation = Delegation.objects.select_related("delegator", "delegate").get(pk=rule[1])
        return case_agency, delegation
    agency = task_agency(case_agency, role)
    # A task nobody routes waits at the case's agency, under its delegation.
    return agency, active_delegation((agency or case_agency).pk, role, day)


def routing_rules_seed() -> int:
    """Write the default routing rule of every role that has none (a fresh or flushed
    database); the rules an administrator changed stay as they are."""
    created = 0
    for role, target in DEFAULT_RULES.items():
        created += int(RoutingRule.objects.get_or_create(role=role, defaults={"target": target})[1])
    return created
