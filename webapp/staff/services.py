"""Writes about staff members that are not a case step's own transitions."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from processes.errors import OperatorRefused
from webapp.accounts.models import Agency, AgencyKind
from webapp.errors import StepRefused

from .idcard import InvalidResidentId, ResidentId, parse_resident_id
from .models import Staff, StaffState

HEADCOUNT_STATES = (StaffState.HIRED, StaffState.ON_DUTY, StaffState.SUSPENDED)


def headcount(agency: Agency) -> int:
    count: int = Staff.objects.filter(agency=agency, state__in=HEADCOUNT_STATES).count()
    return count


def assert_within_quota(agency: Agency) -> None:
    """Art. 8, 9: hires stay within the approved usage plans and the approved quota."""
    from webapp.records.operators import planned_headcount

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


def assert_may_employ(agency: Agency) -> None:
    """Art. 2: police auxiliary staff are outside the Measures; Art. 3: only enforcement
    agencies employ auxiliary staff (a people's government only groups them)."""
    if agency.kind == AgencyKind.POLICE:
        raise StepRefused(
            _(
                "%(agency)s is a public security organ: police auxiliary staff are outside "
                "these Measures and cannot be registered here (Art. 2)."
            )
            % {"agency": agency.name},
            article="Art. 2",
        )
    if not agency.may_employ_staff:
        raise StepRefused(
            _(
                "%(agency)s is not an administrative enforcement agency and cannot employ "
                "auxiliary staff (Art. 3)."
            )
            % {"agency": agency.name},
            article="Art. 3",
        )


def resident_id_or_refuse(value: str) -> ResidentId:
    try:
        return parse_resident_id(value)
    except InvalidResidentId as exc:
        english = (translation.get_language() or "zh-hans").startswith("en")
        raise StepRefused(exc.message_en if english else exc.message_zh) from None


def applicant_create(*, agency: Agency, fields: dict[str, Any]) -> Staff:
    """A new applicant record (state ``applicant``) for a recruitment case."""
    assert_may_employ(agency)
    resident = resident_id_or_refuse(fields["id_number"])
    existing = Staff.objects.filter(id_number=resident.number).first()
    if existing is not None and existing.agency_id == agency.pk:
        raise StepRefused(
            _("A person with this ID number is already registered here (%(name)s, %(state)s).")
            % {"name": existing.name, "state": existing.get_state_display()}
        )
    if existing is not None:
        # Art. 4 and 15(4): another agency's record is not shown, only that it exists.
        raise StepRefused(
            _("A person with this ID number is already registered by another agency.")
        )
    staff: Staff = Staff.objects.create(
        name=fields["name"],
        id_number=resident.number,
        gender=resident.gender,
        birth_date=resident.birth_date,
        education=fields["education"],
        veteran=bool(fields.get("veteran")),
        bravery=bool(fields.get("bravery")),
        phone=fields.get("phone", ""),
        address=fields.get("address", ""),
        agency=agency,
        post=fields["post"],
    )
    return staff


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


def recruitment_open(*, user: Any, fields: dict[str, Any]) -> Any:
    """An HR officer registers an applicant and opens the recruitment case (Art. 10, 11)."""
    from django.db import transaction

    from webapp.accounts.roles import Role
    from webapp.accounts.selectors import has_role
    from webapp.cases.definitions import latest_deployed
    from webapp.cases.services import case_start
    from webapp.errors import NotPermitted

    agency: Agency = fields["agency"]
    if not has_role(user, Role.HR_OFFICER, agency.pk):
        raise NotPermitted(
            _("Only an HR officer of %(agency)s can do this.") % {"agency": agency.name}
        )
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
