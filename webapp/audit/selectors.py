"""Reads for auditors: case search, saved searches and archives, always through visibility."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from webapp.accounts.models import Agency, Grant
from webapp.accounts.selectors import agency_subtree_ids, role_pairs, visible_agency_ids
from webapp.cases.models import Case, Definition, HumanTask, TaskState
from webapp.cases.selectors import visible_cases
from webapp.staff.models import Staff
from webapp.staff.selectors import sees_personal_data, staff_visible_to

from .models import IntegrityRun, SavedSearch


def overdue_tasks() -> QuerySet[HumanTask]:
    return HumanTask.objects.filter(
        state__in=[TaskState.OPEN, TaskState.CLAIMED], due_at__lt=timezone.now()
    )


def case_search(user: Any, criteria: dict[str, Any]) -> QuerySet[Case]:
    """Cases the user may see (Art. 4) that match every given criterion, newest first."""
    cases = visible_cases(user).select_related("definition", "agency", "subject")
    text = (criteria.get("q") or "").strip()
    if text:
        cases = cases.filter(
            Q(business_key__icontains=text)
            | Q(title__icontains=text)
            | Q(subject__name__icontains=text)
            | Q(subject__id_number=text.upper())
        )
    if criteria.get("process"):
        cases = cases.filter(definition__process_id=criteria["process"])
    if criteria.get("status"):
        cases = cases.filter(status=criteria["status"])
    if criteria.get("agency"):
        cases = cases.filter(agency_id=criteria["agency"])
    if criteria.get("started_from"):
        cases = cases.filter(started_at__gte=_day_start(criteria["started_from"]))
    if criteria.get("started_to"):
        cases = cases.filter(started_at__lt=_day_start(criteria["started_to"], plus_days=1))
    if criteria.get("overdue"):
        cases = cases.filter(Exists(overdue_tasks().filter(case=OuterRef("pk"))))
    return cases.order_by("-started_at", "-pk")


def _day_start(day: date | str, plus_days: int = 0) -> datetime:
    if isinstance(day, str):
        day = date.fromisoformat(day)  # a saved search keeps dates as ISO strings
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start + timedelta(days=plus_days)


def process_choices() -> list[tuple[str, str]]:
    """(process id, name) of every process that has a version, newest name wins."""
    names: dict[str, str] = {}
    for process_id, name in Definition.objects.order_by("process_id", "version").values_list(
        "process_id", "name"
    ):
        names[process_id] = name
    return sorted(names.items())


def visible_agencies(user: Any) -> QuerySet[Agency]:
    return Agency.objects.filter(pk__in=visible_agency_ids(user)).order_by("code")


def saved_searches_for(user: Any) -> QuerySet[SavedSearch]:
    """The user's own searches, and those shared with a role the user holds in the agency
    it was shared within, or holds anywhere while a read grant covers that agency (Art. 4:
    a shared search's criteria may name a member of that agency)."""
    pairs = role_pairs(user)
    shared = Q(pk__in=[])
    for agency_id, role in pairs:
        shared |= Q(shared_role=role, shared_agency_id=agency_id)
    granted = set(Grant.objects.filter(user_id=user.pk).values_list("agency_id", flat=True))
    if granted and pairs:
        shared |= Q(
            shared_role__in={role for _agency, role in pairs},
            shared_agency_id__in=agency_subtree_ids(granted),
        )
    return (
        SavedSearch.objects.filter(Q(owner_id=user.pk) | shared)
        .select_related("owner", "shared_agency")
        .order_by("name", "pk")
    )


def saved_search_for(user: Any, search_id: int) -> SavedSearch:
    try:
        return saved_searches_for(user).get(pk=search_id)
    except SavedSearch.DoesNotExist:
        raise Http404 from None


def staff_cases(user: Any, staff: Staff) -> list[Case]:
    """The cases about a member that the user may see, oldest first (a case about them may
    belong to an agency the user does not see)."""
    return list(
        visible_cases(user)
        .filter(subject=staff)
        .select_related("definition", "agency", "subject")
        .order_by("started_at", "pk")
    )


@dataclass(frozen=True)
class Archive:
    """A member's archive (一人一档) as one reader may export it."""

    staff: Staff
    cases: list[Case]
    full_personal_data: bool


def archive_for(user: Any, staff_id: int) -> Archive:
    """The member (404 unless the user sees their agency), the cases about them the user
    sees, and whether ID number, phone and address show in full: only for an HR officer
    of the member's agency (Art. 15(4))."""
    staff = staff_visible_to(user, staff_id)
    full = sees_personal_data(user, staff.agency_id)
    return Archive(staff, staff_cases(user, staff), full)


def integrity_runs_for(user: Any) -> QuerySet[IntegrityRun]:
    return IntegrityRun.objects.filter(requested_by_id=user.pk)
