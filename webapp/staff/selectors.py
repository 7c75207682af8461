"""Reads of the staff register."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from webapp.accounts.selectors import visible_agency_ids

from .models import Staff


def staff_visible_to(user: Any, staff_id: int) -> Staff:
    """The member if the user may see their agency (Art. 4); 404 for anyone else's."""
    try:
        member: Staff = Staff.objects.select_related("agency").get(
            pk=staff_id, agency_id__in=visible_agency_ids(user)
        )
    except Staff.DoesNotExist:
        raise Http404 from None
    return member
