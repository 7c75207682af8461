"""Opening the supervision of an agency (Art. 22, Art. 26): a correction order from the
justice bureau or the agency's superior organ, and the filing of the agency's detailed
measures with the staffing office, HR & social security and justice departments.

The justice bureau reads and changes nothing of an agency's own business (Art. 27); a
correction order is its own act under Art. 22, so it is the one thing it opens here.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from webapp.accounts.models import Agency, Membership
from webapp.accounts.roles import Role
from webapp.accounts.selectors import agency_subtree_ids, has_role, supervised_agencies
from webapp.errors import NotPermitted, StepRefused

from .definitions import latest_deployed
from .models import Case
from .services import case_start

MAX_FINDINGS = 5000
MAX_CORRECTION_DAYS = 366
MAX_MEASURES = 20000


def _ordering_body(user: Any, agency: Agency) -> str:
    """The name of the body that orders the correction: the user's justice bureau, else
    the superior organ they lead."""
    roles = Membership.objects.filter(user=user).select_related("agency")
    bureau = roles.filter(role=Role.JUSTICE_BUREAU).first()
    if bureau is not None:
        return bureau.agency.name
    above = agency_subtree_ids({agency.pk})
    for membership in roles.filter(role=Role.APPROVER).exclude(agency_id__in=above):
        if agency.pk in agency_subtree_ids({membership.agency_id}):
            return membership.agency.name
    return ""


def correction_order_open(
    *, user: Any, agency: Agency, findings: str, deadline: date, today: date | None = None
) -> Case:
    """Order ``agency`` to correct what it did against the Measures (Art. 22), by a day."""
    if not supervised_agencies(user).filter(pk=agency.pk).exists():
        raise NotPermitted(
            _(
                "Only the justice bureau or a superior organ of %(agency)s can order it to "
                "correct (Art. 22)."
            )
            % {"agency": agency.name},
            article="Art. 22",
        )
    findings = _text(findings, "order_findings", MAX_FINDINGS, "Art. 22")
    today = today or timezone.localdate()
    if deadline <= today:
        raise StepRefused(
            _("The deadline for correcting must be after today (Art. 22)."),
            article="Art. 22",
            field="correction_deadline",
        )
    if deadline > today + timedelta(days=MAX_CORRECTION_DAYS):
        # Art. 22 sets no period; a year is far beyond any real order, and a date decades
        # ahead is a typing slip the deadline timer would refuse in engine terms.
        raise StepRefused(
            _("The deadline for correcting can be at most one year after today (Art. 22)."),
            article="Art. 22",
            field="correction_deadline",
        )
    definition = latest_deployed("correction_order")
    return case_start(
        definition=definition,
        agency=agency,
        title=f"{definition.name}：{agency.name}",
        data={
            "agency_name": agency.name,
            "ordered_by": _ordering_body(user, agency),
            "order_findings": findings,
            "correction_deadline": deadline.isoformat(),
            # The deadline as the timer reads it: days from now to the end of that day.
            "correction_period": f"P{(deadline - today).days + 1}D",
        },
        actor=user,
    )


def measures_filing_open(
    *, user: Any, agency: Agency, title: str, text: str, adopted_on: date
) -> Case:
    """The agency's HR officer files its detailed measures with the staffing office,
    HR & social security and justice departments (Art. 26)."""
    if not has_role(user, Role.HR_OFFICER, agency.pk):
        raise NotPermitted(
            _("Only an HR officer of %(agency)s can file its detailed measures (Art. 26).")
            % {"agency": agency.name},
            article="Art. 26",
        )
    definition = latest_deployed("measures_filing")
    return case_start(
        definition=definition,
        agency=agency,
        title=f"{definition.name}：{agency.name}",
        data={
            "agency_name": agency.name,
            "measures_title": _text(title, "measures_title", 100, "Art. 26"),
            "measures_text": _text(text, "measures_text", MAX_MEASURES, "Art. 26"),
            "measures_adopted_on": adopted_on.isoformat(),
        },
        actor=user,
    )


def _text(value: str, field: str, limit: int, article: str) -> str:
    value = (value or "").strip()
    if not value:
        raise StepRefused(_("This field is required."), article=article, field=field)
    if len(value) > limit:
        raise StepRefused(
            _("Enter at most %(limit)s characters.") % {"limit": limit},
            article=article,
            field=field,
        )
    return value
