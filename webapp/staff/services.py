"""Writes about staff members that are not a case step's own transitions."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from webapp.accounts.models import Agency, AgencyKind
from webapp.errors import StepRefused

from .idcard import InvalidResidentId, ResidentId, parse_resident_id
from .models import Staff


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
        # Art. 10(2), (3): the resident ID shows PRC nationality and gives the age.
        raise StepRefused(
            exc.message_en if english else exc.message_zh, article="Art. 10", field="id_number"
        ) from None


def applicant_create(*, agency: Agency, fields: dict[str, Any]) -> Staff:
    """A new applicant record (state ``applicant``) for a recruitment case."""
    assert_may_employ(agency)
    resident = resident_id_or_refuse(fields["id_number"])
    existing = Staff.objects.filter(id_number=resident.number).first()
    if existing is not None and existing.agency_id == agency.pk:
        raise StepRefused(
            _("A person with this ID number is already registered here (%(name)s, %(state)s).")
            % {"name": existing.name, "state": existing.get_state_display()},
            field="id_number",
        )
    if existing is not None:
        # Art. 4 and 15(4): another agency's record is not shown, only that it exists.
        raise StepRefused(
            _("A person with this ID number is already registered by another agency."),
            field="id_number",
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
