"""Reads of the staff register."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from webapp.accounts.models import Agency
from webapp.accounts.roles import Role
from webapp.accounts.selectors import has_role, visible_agency_ids

from .models import Staff, StaffState

# The members who count against an agency's approved headcount (Art. 9).
HEADCOUNT_STATES = (StaffState.HIRED, StaffState.ON_DUTY, StaffState.SUSPENDED)


def staff_visible_to(user: Any, staff_id: int) -> Staff:
    """The member if the user may see their agency (Art. 4); 404 for anyone else's."""
    try:
        member: Staff = Staff.objects.select_related("agency").get(
            pk=staff_id, agency_id__in=visible_agency_ids(user)
        )
    except Staff.DoesNotExist:
        raise Http404 from None
    return member


def headcount(agency: Agency) -> int:
    """How many of the agency's approved places are taken (Art. 9)."""
    count: int = Staff.objects.filter(agency=agency, state__in=HEADCOUNT_STATES).count()
    return count


def sees_personal_data(user: Any, agency_id: int) -> bool:
    """Art. 15(4): a member's ID number, phone and address show in full only to an HR
    officer of the agency that employs them; everyone else sees them masked."""
    return has_role(user, Role.HR_OFFICER, agency_id)
