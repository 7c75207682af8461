"""What the public may write: a complaint about a unit or one of its staff (Art. 18).

The complaint opens a case on the deployed ``complaint`` process through
``webapp.cases.openings.complaint_open``; the receipt number it returns is the only
handle the complainant gets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from processes.attachments import AttachmentSpec
from webapp.accounts.models import Agency
from webapp.cases.models import Definition
from webapp.cases.openings import complaint_open
from webapp.documents.files import FileRefused
from webapp.documents.services import Incoming, evidence_attach, inspected, kept_only_on_success
from webapp.errors import StepRefused
from webapp.staff.models import Certificate, StaffState

from .selectors import (
    IN_FORCE,
    ComplaintStatus,
    complaint_agencies,
    normalise_number,
)
from .selectors import complaint_status as _complaint_status

# Field limits: a complaint is a few paragraphs, a contact one line.
MAX_DESCRIPTION = 2000
MIN_DESCRIPTION = 5
MAX_CONTACT = 100
MAX_NAME = 50
MAX_STAFF_HINT = 50
# Art. 18 evidence: a few photos or one PDF, each small enough that the public endpoint
# stays cheap to serve (the body's own limit is FUZHI_PUBLIC_UPLOAD_MAX_BODY).
EVIDENCE_SPEC = AttachmentSpec(accept=("jpeg", "png", "pdf"), max_files=3, max_size=4 * 2**20)

__all__ = ["complaint_status", "complaint_submit"]


def _clean(value: str, limit: int, label: str, field: str) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise StepRefused(
            _("%(field)s is too long: at most %(limit)d characters (Art. 18).")
            % {"field": label, "limit": limit},
            article="Art. 18",
            field=field,
        )
    return value


def _staff_by_certificate(number: str, agency: Agency | None) -> Certificate | None:
    if not number:
        return None
    certificate = (
        Certificate.objects.filter(
            number=normalise_number(number),
            state__in=IN_FORCE,
            staff__state__in=(StaffState.ON_DUTY, StaffState.SUSPENDED),
        )
        .select_related("staff", "agency")
        .first()
    )
    if certificate is None:
        raise StepRefused(
            _(
                "No serving auxiliary staff member holds the certificate number %(number)s. "
                "Check the number, or leave it empty to complain about the unit (Art. 18)."
            )
            % {"number": normalise_number(number)},
            article="Art. 18",
            field="certificate_number",
        )
    if agency is not None and certificate.agency_id != agency.pk:
        raise StepRefused(
            _("The certificate %(number)s belongs to %(unit)s, not to %(chosen)s (Art. 18).")
            % {"number": certificate.number, "unit": certificate.agency.name, "chosen": agency},
            article="Art. 18",
            field="certificate_number",
        )
    return certificate


def complaint_submit(
    *,
    agency: Agency | None,
    description: str,
    certificate_number: str = "",
    staff_hint: str = "",
    contact: str = "",
    name: str = "",
    evidence: Sequence[Any] = (),
) -> str:
    """Open a complaint case for a member of the public and return its receipt number.

    The subject is the unit (``agency``) or, when a certificate number is given, the
    serving member who holds it (the unit is then taken from the certificate). Evidence
    files are kept with the case and recorded in its history. Bad input raises
    ``StepRefused`` with a message in the user's language and opens nothing.
    """
    description = _description(description)
    files = _evidence(evidence)
    contact = _clean(contact, MAX_CONTACT, _("Contact"), "contact")
    name = _clean(name, MAX_NAME, _("Your name"), "name")
    staff_hint = _clean(staff_hint, MAX_STAFF_HINT, _("Staff member"), "staff_hint")
    number = _clean(certificate_number, 40, _("Certificate"), "certificate_number")
    certificate = _staff_by_certificate(number, agency)
    unit = certificate.agency if certificate else agency
    if unit is None or not complaint_agencies().filter(pk=unit.pk).exists():
        raise StepRefused(
            _("Choose the unit the complaint is about (Art. 18)."),
            article="Art. 18",
            field="agency",
        )
    if staff_hint and certificate is None:
        # A name without a certificate cannot identify one person: it goes in the text.
        description = f"{description}\n\n{_('Staff member named by the complainant')}: {staff_hint}"
    try:
        with kept_only_on_success() as saved, transaction.atomic():
            case = complaint_open(
                agency=unit,
                actor=None,
                complainant_name=name,
                complainant_contact=contact,
                complaint_text=description,
                staff=certificate.staff if certificate else None,
            )
            if files:
                evidence_attach(case, files, saved)
    except Definition.DoesNotExist:
        raise StepRefused(
            _("Complaints cannot be received at the moment. Please try again later.")
        ) from None
    return str(case.data["receipt_number"])


def _evidence(uploaded: Sequence[Any]) -> list[Incoming]:
    """Up to three photos, or one PDF on its own (Art. 18)."""
    files = inspected(list(uploaded), EVIDENCE_SPEC, "evidence")
    if len(files) > 1 and any(item.upload.kind == "pdf" for item in files):
        raise FileRefused(
            _("Send either up to 3 photos or one PDF, not both (Art. 18)."),
            article="Art. 18",
            field="evidence",
        )
    return files


def _description(text: str) -> str:
    description = _clean(text, MAX_DESCRIPTION, _("Description"), "description")
    if len(description) < MIN_DESCRIPTION:
        raise StepRefused(
            _("Describe what happened in at least %(n)d characters (Art. 18).")
            % {"n": MIN_DESCRIPTION},
            article="Art. 18",
            field="description",
        )
    return description


def complaint_status(receipt: str) -> ComplaintStatus | None:
    """The stage of a complaint and its reply once recorded (nothing personal)."""
    return _complaint_status(receipt)
