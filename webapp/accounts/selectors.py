"""Who may see what. Every query of cases, tasks and staff filters through here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.http import Http404

from .models import NON_EMPLOYING_KINDS, Agency, Grant, Membership
from .roles import OVERSIGHT_ROLES, READ_ONLY_ROLES, Role

User = Any  # request.user: a user or AnonymousUser
T = TypeVar("T")


def agency_subtree_ids(root_ids: set[int]) -> set[int]:
    """The agencies under the given roots, roots included (the tree is small)."""
    children: dict[int | None, list[int]] = {}
    for agency_id, parent_id in Agency.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(agency_id)
    seen: set[int] = set()
    stack = list(root_ids)
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        stack.extend(children.get(current, []))
    return seen


def visible_agency_ids(user: User) -> set[int]:
    """Art. 4: an agency's people see their own agency; grants open read access below."""
    if not user.is_authenticated:
        return set()
    own = set(Membership.objects.filter(user=user).values_list("agency_id", flat=True))
    granted = set(Grant.objects.filter(user=user).values_list("agency_id", flat=True))
    return own | (agency_subtree_ids(granted) if granted else set())


def acting_agency_ids(user: User, role: str | None = None) -> set[int]:
    """Agencies where the user holds a role that acts (not the read-only ones)."""
    if not user.is_authenticated:
        return set()
    if getattr(user, "request_memo", None) is not None:
        return {
            a for a, r in role_pairs(user) if r not in READ_ONLY_ROLES and role in (None, "", r)
        }
    memberships = Membership.objects.filter(user=user).exclude(role__in=READ_ONLY_ROLES)
    if role:
        memberships = memberships.filter(role=role)
    return set(memberships.values_list("agency_id", flat=True))


def agencies_acting_as(user: User, role: str) -> QuerySet[Agency]:
    """The agencies where the user acts in ``role`` (e.g. where they may recruit)."""
    return Agency.objects.filter(pk__in=acting_agency_ids(user, role))


def agencies_acting_as_or_404(user: User, role: str) -> QuerySet[Agency]:
    """The same, for a page only someone acting in ``role`` somewhere may open."""
    agencies = agencies_acting_as(user, role)
    if not agencies.exists():
        raise Http404
    return agencies


def oversight_agency_ids() -> QuerySet[Membership, Any]:
    """The agencies that seat an oversight department's role (staffing office, HR & social
    security, justice bureau: Art. 5, 22, 26), as a lazy subquery of agency ids."""
    return Membership.objects.filter(role__in=OVERSIGHT_ROLES).values("agency_id")


def request_memo(user: User, key: str, compute: Callable[[], T]) -> T:
    """``compute()``, once per request for the request's user: a page asks who the user
    is a dozen times (its menu, its checks, its queries), and the answer cannot change
    between the questions of one request. A user outside a request (a service called by
    a task, a test) has no memo and asks the database every time."""
    memo: dict[str, Any] | None = getattr(user, "request_memo", None)
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]  # type: ignore[no-any-return]


def role_pairs(user: User) -> set[tuple[int, str]]:
    """(agency id, role) for every role the user holds."""
    if not user.is_authenticated:
        return set()
    pairs = request_memo(
        user,
        "role_pairs",
        lambda: frozenset(Membership.objects.filter(user=user).values_list("agency_id", "role")),
    )
    return set(pairs)


def has_role(user: User, role: str, agency_id: int | None = None) -> bool:
    if not user.is_authenticated:
        return False
    if getattr(user, "request_memo", None) is not None:
        return any(r == role and agency_id in (None, a) for a, r in role_pairs(user))
    memberships = Membership.objects.filter(user=user, role=role)
    if agency_id is not None:
        memberships = memberships.filter(agency_id=agency_id)
    return memberships.exists()


def supervised_agencies(user: Any) -> QuerySet[Agency]:
    """The agencies ``user`` may order to correct (Art. 22): as the justice bureau, every
    employing agency it is granted; as an approver of a superior organ, the units below."""
    ids: set[int] = set()
    if has_role(user, Role.JUSTICE_BUREAU):
        ids |= visible_agency_ids(user)
    superiors = Membership.objects.filter(user=user, role=Role.APPROVER).values_list(
        "agency_id", flat=True
    )
    for superior in superiors:
        ids |= agency_subtree_ids({superior}) - {superior}
    return Agency.objects.filter(pk__in=ids).exclude(kind__in=NON_EMPLOYING_KINDS)
