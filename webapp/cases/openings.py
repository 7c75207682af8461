"""Opening cases at a person's request: about a member (from the archive), a recruitment
with its applicant, a usage plan for an agency, a complaint.

Each checks who may open it and the process's preconditions, then hands over to
``services``, which runs the first step. Cases opened by another case's step or by the
scheduler start in ``services.case_open_linked`` and ``scheduling``.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from webapp.accounts.models import Agency
from webapp.accounts.roles import Role
from webapp.accounts.selectors import has_role
from webapp.errors import NotPermitted
from webapp.records.quota import planned_headcount
from webapp.staff.models import Staff
from webapp.staff.selectors import headcount
from webapp.staff.services import applicant_create, assert_may_employ

from .definitions import latest_deployed
from .models import Case
from .services import case_start, case_start_about
from .subjects import MEMBER_FILED, staff_case_data


def _assert_hr_officer(user: Any, agency: Agency) -> None:
    if not has_role(user, Role.HR_OFFICER, agency.pk):
        raise NotPermitted(
            _("Only an HR officer of %(agency)s can do this.") % {"agency": agency.name}
        )


def case_open_for_staff(
    *, process_id: str, staff: Staff, actor: Any, data: dict[str, Any] | None = None
) -> Case:
    """A person opens a case about a member of their agency (training, assessment...)."""
    _assert_hr_officer(actor, staff.agency)
    if process_id in MEMBER_FILED:
        raise NotPermitted(
            _("Only the member can file this, about themselves (Art. 12)."), article="Art. 12"
        )
    return case_start_about(process_id=process_id, staff=staff, actor=actor, data=data or {})


def recruitment_data(
    staff: Staff, fields: dict[str, Any], today: date | None = None
) -> dict[str, Any]:
    """The recruitment process's start data (see docs/modelling.md)."""
    today = today or timezone.localdate()
    return {
        "applicant_name": staff.name,
        "id_number": staff.id_masked,
        "birth_date": staff.birth_date.isoformat(),
        "gender": staff.gender,
        "education": staff.education,
        "veteran": staff.veteran,
        "bravery": staff.bravery,
        "post": staff.post,
        "required_education": fields.get("required_education") or "college",
        "education_requirement_reason": fields.get("education_requirement_reason") or "",
        "age": staff.age_on(today),  # Art. 10(3): computed from the ID number
        **({"notice_period": fields["notice_period"]} if fields.get("notice_period") else {}),
    }


def recruitment_open(*, user: Any, fields: dict[str, Any]) -> Case:
    """An HR officer registers an applicant and opens the recruitment case (Art. 10, 11)."""
    agency: Agency = fields["agency"]
    _assert_hr_officer(user, agency)
    with transaction.atomic():
        staff = applicant_create(agency=agency, fields=fields)
        return case_start(
            definition=latest_deployed("recruitment"),
            agency=agency,
            title=_("Recruitment: %(name)s, %(post)s") % {"name": staff.name, "post": staff.post},
            data=recruitment_data(staff, fields),
            actor=user,
            subject=staff,
        )


def usage_plan_open(*, agency: Agency, actor: Any) -> Case:
    """An HR officer drafts a usage plan for their agency (Art. 8, 9)."""
    _assert_hr_officer(actor, agency)
    assert_may_employ(agency)
    definition = latest_deployed("usage_plan")
    return case_start(
        definition=definition,
        agency=agency,
        title=f"{definition.name}：{agency.name}",
        data={
            "agency_name": agency.name,
            "agency_quota": agency.quota,
            # Art. 9: approved plans together stay within the quota; the approver is
            # warned before agreeing to a plan beyond it (bpmn/usage_plan case_data.json).
            "planned_headcount": planned_headcount(agency.pk),
            "headcount_in_use": headcount(agency),
        },
        actor=actor,
    )


def complaint_open(
    *,
    agency: Agency,
    actor: Any,
    complainant_name: str,
    complainant_contact: str,
    complaint_text: str,
    staff: Staff | None = None,
) -> Case:
    """Register a complaint against the agency's auxiliary staff (Art. 18).

    ``actor`` is None when a member of the public submits it without logging in.
    """
    definition = latest_deployed("complaint")
    # 64 random bits: the receipt is the only key to a complaint's status page (Art. 18),
    # so it must not be guessable even across many addresses.
    receipt = f"TS{timezone.localdate():%Y%m%d}{secrets.token_hex(8).upper()}"
    data: dict[str, Any] = {
        "complainant_name": complainant_name,
        "complainant_contact": complainant_contact,
        "complaint_text": complaint_text,
        "receipt_number": receipt,
        "staff_known": staff is not None,
        "agency_name": agency.name,
    }
    if staff is not None:
        data.update(staff_case_data(staff))
    return case_start(
        definition=definition,
        agency=agency,
        title=f"{definition.name}：{staff.name if staff else agency.name}",
        data=data,
        actor=actor,
        subject=staff,
    )
