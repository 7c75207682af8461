"""Reads the API's lists make: the site's own visibility selectors, narrowed by the
caller's filters. Tenancy is never decided here, only inherited (Art. 4)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from webapp.accounts.models import Agency
from webapp.accounts.roles import Role
from webapp.accounts.selectors import agencies_acting_as, visible_agency_ids
from webapp.cases.models import Case, HumanTask
from webapp.cases.selectors import inbox_tasks, visible_cases
from webapp.errors import NotPermitted
from webapp.staff.models import Certificate, Staff


def task_list(
    user: Any, *, q: str = "", role: str = "", state: str = "", overdue: bool | None = None
) -> QuerySet[HumanTask]:
    """The caller's inbox (``inbox_tasks``), overdue first, narrowed by the filters."""
    tasks = inbox_tasks(user, q.strip())
    if role:
        tasks = tasks.filter(role=role)
    if state:
        tasks = tasks.filter(state=state)
    if overdue is not None:
        tasks = tasks.filter(overdue=overdue)  # type: ignore[misc]
    return tasks


def case_list(
    user: Any, *, q: str = "", process: str = "", status: str = "", staff: int | None = None
) -> QuerySet[Case]:
    """Cases the caller may see, newest first; ``q`` matches business key or title."""
    cases = visible_cases(user).select_related("definition", "agency", "subject", "started_by")
    if q:
        term = q.strip()
        cases = cases.filter(Q(business_key__icontains=term) | Q(title__icontains=term))
    if process:
        cases = cases.filter(definition__process_id=process)
    if status:
        cases = cases.filter(status=status)
    if staff:
        cases = cases.filter(subject_id=staff)
    return cases.order_by("-started_at", "-pk")


def staff_list(
    user: Any, *, q: str = "", state: str = "", agency: int | None = None
) -> QuerySet[Staff]:
    """Members of the agencies the caller may see; ``q`` is part of the name."""
    staff: QuerySet[Staff] = Staff.objects.filter(agency_id__in=visible_agency_ids(user))
    if q:
        staff = staff.filter(name__icontains=q.strip())
    if state:
        staff = staff.filter(state=state)
    if agency:
        staff = staff.filter(agency_id=agency)
    return staff.select_related("agency").order_by("agency__code", "name", "pk")


def certificates_visible(user: Any) -> QuerySet[Certificate]:
    """Certificates of the members the caller may see (by the holder's agency)."""
    visible = visible_agency_ids(user)
    return Certificate.objects.filter(staff__agency_id__in=visible).select_related(
        "staff", "agency"
    )


def certificate_list(
    user: Any, *, number: str = "", state: str = "", staff: int | None = None
) -> QuerySet[Certificate]:
    certificates = certificates_visible(user)
    if number:
        certificates = certificates.filter(number__icontains=number.strip())
    if state:
        certificates = certificates.filter(state=state)
    if staff:
        certificates = certificates.filter(staff_id=staff)
    return certificates.order_by("-issued_at", "pk")


def recruiting_agencies(user: Any) -> QuerySet[Agency]:
    """The agencies the caller recruits for as HR officer; refused if there is none."""
    agencies = agencies_acting_as(user, Role.HR_OFFICER)
    if not agencies.exists():
        raise NotPermitted(_("Only an HR officer can open a recruitment case."))
    return agencies


def hr_agencies(user: Any) -> QuerySet[Agency]:
    """The agencies the caller acts in as HR officer; refused if there is none. Checked
    before a case-opening body is read, so a reader's request costs nothing to parse."""
    agencies = agencies_acting_as(user, Role.HR_OFFICER)
    if not agencies.exists():
        raise NotPermitted(_("Only an HR officer can open a case."))
    return agencies


def has_token(user: Any) -> bool:
    return Token.objects.filter(user__username=user.get_username()).exists()
