"""The approved headcount of an agency (Art. 8, 9): its quota, its approved usage plans,
and the places its members take.

Below ``cases``: the operators of a case step call these inside the step's transaction.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from processes.errors import OperatorRefused
from webapp.accounts.models import Agency
from webapp.staff.selectors import headcount

from .models import UsagePlan


def planned_headcount(agency_id: int) -> int:
    total = UsagePlan.objects.filter(agency_id=agency_id, approved=True).aggregate(
        n=Sum("headcount")
    )["n"]
    return int(total or 0)


def quota_check(agency: Agency, requested: int) -> dict[str, Any]:
    """Art. 9: approved plans together may not exceed the agency's approved quota."""
    planned = planned_headcount(agency.pk)
    return {
        "within_quota": planned + requested <= agency.quota,
        "quota": agency.quota,
        "in_use": headcount(agency),
        "planned": planned,
        "available": max(agency.quota - planned, 0),
    }


def assert_within_quota(agency: Agency) -> None:
    """Art. 8, 9: hires stay within the approved usage plans and the approved quota."""
    used = headcount(agency)
    if used >= agency.quota:
        raise OperatorRefused(
            _(
                "%(agency)s has used %(used)d of its approved headcount of %(quota)d; "
                "no further hire is allowed (Art. 9)."
            )
            % {"agency": agency.name, "used": used, "quota": agency.quota}
        )
    planned = planned_headcount(agency.pk)
    if used >= planned:
        raise OperatorRefused(
            _(
                "%(agency)s has hired %(used)d against approved usage plans for %(planned)d; "
                "a further hire needs an approved usage plan (Art. 8, Art. 9)."
            )
            % {"agency": agency.name, "used": used, "planned": planned}
        )
