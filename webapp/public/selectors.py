"""What the public may read without logging in: the registry (Art. 18) and complaint status;
and which certificate a signed-in HR officer may print for its holder to wear (Art. 19).

Art. 18 lets agencies publish each auxiliary staff member's name, unit and number and
provide a query service, nothing more: the rows built here carry exactly those, never an
ID number, a phone or an address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from webapp.accounts.models import NON_EMPLOYING_KINDS, Agency
from webapp.accounts.roles import Role
from webapp.accounts.selectors import has_role, oversight_agency_ids, visible_agency_ids
from webapp.cases.models import Case, CaseStatus
from webapp.documents.selectors import current_photo
from webapp.errors import NotPermitted, StepRefused
from webapp.records.models import ComplaintRecord
from webapp.staff.models import Certificate, CertificateState, StaffState

# Art. 18/19: a member appears while a certificate is in force; suspended members stay
# listed with their certificate shown as not valid; those who left drop out.
LISTED_STAFF_STATES = (StaffState.ON_DUTY, StaffState.SUSPENDED)
IN_FORCE = (CertificateState.ISSUED, CertificateState.SUSPENDED)
MAX_QUERY_LENGTH = 50
RECEIPT_PATTERN = re.compile(r"^TS\d{8}[0-9A-F]{6,32}$")


@dataclass(frozen=True)
class RegistryEntry:
    """One line of the public registry: exactly what Art. 18 publishes."""

    name: str
    unit: str
    certificate_number: str
    valid: bool


class CertificateStatus(StrEnum):
    VALID = "valid"
    SUSPENDED = "suspended"
    REVOKED = "revoked"  # Art. 23: withdrawn for a serious breach
    EXPIRED = "expired"  # Art. 21: handed back when the member left
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class CertificateCheck:
    """What the verification page says about a number; ``entry`` only while in force."""

    number: str
    status: CertificateStatus
    entry: RegistryEntry | None
    # While in force: the period of validity, from issue to the end of the holder's
    # contract (the card is handed back when they leave, Art. 19, 21), and whether the
    # archive holds a photo to compare with the holder.
    valid_from: date | None = None
    valid_until: date | None = None
    has_photo: bool = False


class ComplaintStage(StrEnum):
    RECEIVED = "received"  # waiting for triage
    INVESTIGATING = "investigating"
    REPLYING = "replying"  # findings made, reply being written
    REPLIED = "replied"
    NOT_ACCEPTED = "not_accepted"  # out of scope, the reason is the reply
    CLOSED = "closed"  # cancelled by the agency


@dataclass(frozen=True)
class ComplaintStatus:
    """What a receipt number shows: the stage and, once given, the reply. Nothing personal."""

    receipt: str
    unit: str
    submitted_on: date
    stage: ComplaintStage
    reply: str
    replied_on: date | None


def normalise_number(number: str) -> str:
    return number.strip().upper()[:MAX_QUERY_LENGTH]


def _listed_certificates() -> QuerySet[Certificate]:
    return Certificate.objects.filter(
        state__in=IN_FORCE, staff__state__in=LISTED_STAFF_STATES
    ).select_related("staff", "agency")


def _entry(certificate: Certificate) -> RegistryEntry:
    return RegistryEntry(
        name=certificate.staff.name,
        unit=certificate.agency.name,
        certificate_number=certificate.number,
        valid=certificate.state == CertificateState.ISSUED
        and certificate.staff.state == StaffState.ON_DUTY,
    )


def _matching(query: str) -> QuerySet[Certificate]:
    query = query.strip()[:MAX_QUERY_LENGTH]
    certificates = _listed_certificates()
    if not query:
        return certificates
    return certificates.filter(
        Q(staff__name__icontains=query)
        | Q(agency__name__icontains=query)
        | Q(agency__name_en__icontains=query)
        | Q(number__iexact=normalise_number(query))
    )


def registry_search(query: str, limit: int = 50, *, offset: int = 0) -> list[RegistryEntry]:
    """Search the registry by name, unit or certificate number; an empty query lists all.

    Ordered by unit then certificate number so pages are stable.
    """
    rows = _matching(query).order_by("agency__code", "number")[offset : offset + max(limit, 0)]
    return [_entry(c) for c in rows]


def registry_count(query: str = "") -> int:
    return _matching(query).count()


def certificate_verify(number: str) -> RegistryEntry | None:
    """The registry line of a certificate in force, or None (unknown, revoked or handed back).

    A member who left disappears: their old number gives no name (Art. 18 publishes
    serving staff only).
    """
    return certificate_check(number).entry


def certificate_check(number: str) -> CertificateCheck:
    """Valid / suspended / revoked / expired / unknown for a certificate number."""
    number = normalise_number(number)
    certificate = (
        Certificate.objects.filter(number=number).select_related("staff", "agency").first()
    )
    if certificate is None:
        return CertificateCheck(number=number, status=CertificateStatus.UNKNOWN, entry=None)
    if certificate.state == CertificateState.REVOKED:
        return CertificateCheck(number=number, status=CertificateStatus.REVOKED, entry=None)
    if certificate.state == CertificateState.RECOVERED or (
        certificate.staff.state not in LISTED_STAFF_STATES
    ):
        return CertificateCheck(number=number, status=CertificateStatus.EXPIRED, entry=None)
    entry = _entry(certificate)
    status = CertificateStatus.VALID if entry.valid else CertificateStatus.SUSPENDED
    return CertificateCheck(
        number=number,
        status=status,
        entry=entry,
        valid_from=timezone.localdate(certificate.issued_at),
        valid_until=certificate.staff.contract_end,
        has_photo=current_photo(certificate.staff) is not None,
    )


def certificate_in_force(number: str) -> Certificate | None:
    """The certificate with this number while it is shown publicly (valid or suspended)."""
    certificate = (
        _listed_certificates()
        .filter(number=normalise_number(number))
        .select_related("staff")
        .first()
    )
    return certificate


class CertificateNotPrintable(StepRefused):
    """The certificate is not in force, so no card is printed for it (HTTP 409)."""

    status = 409


def certificate_to_print(user: Any, certificate_id: int) -> Certificate:
    """The certificate, if ``user`` may print its card: an HR officer of its agency, and
    only while it is issued. Http404 when its agency is not one the user sees (Art. 4),
    ``NotPermitted`` for anyone else who sees it, ``CertificateNotPrintable`` otherwise."""
    certificate = (
        Certificate.objects.select_related("staff", "agency")
        .filter(pk=certificate_id, agency_id__in=visible_agency_ids(user))
        .first()
    )
    if certificate is None:
        raise Http404
    if not has_role(user, Role.HR_OFFICER, certificate.agency_id):
        raise NotPermitted(
            _("Only an HR officer of %(agency)s can print its certificates.")
            % {"agency": certificate.agency.name}
        )
    if certificate.state != CertificateState.ISSUED:
        # A card printed for a suspended, revoked or recovered number would mislead.
        raise CertificateNotPrintable(
            _("Certificate %(number)s is not valid, so it cannot be printed (Art. 19).")
            % {"number": certificate.number},
            article="Art. 19",
        )
    return certificate


def complaint_agencies() -> QuerySet[Agency]:
    """The units a complaint may be addressed to: those that may employ auxiliary staff,
    not the departments that oversee them (Art. 5, 22: 编办, 人社局, 司法局)."""
    return (
        Agency.objects.exclude(kind__in=NON_EMPLOYING_KINDS)
        .exclude(pk__in=oversight_agency_ids())
        .order_by("code")
    )


def _complaint_case(receipt: str) -> Case | None:
    return (
        Case.objects.filter(definition__process_id="complaint", data__receipt_number=receipt)
        .select_related("agency")
        .first()
    )


def _stage(case: Case, record: ComplaintRecord | None) -> ComplaintStage:
    data = case.data or {}
    if record is not None:
        if data.get("triage_decision") not in (None, "accept"):
            return ComplaintStage.NOT_ACCEPTED
        return ComplaintStage.REPLIED
    if case.status == CaseStatus.CANCELLED:
        return ComplaintStage.CLOSED
    if "complaint_findings" in data:
        return ComplaintStage.REPLYING
    if data.get("triage_decision") == "accept":
        return ComplaintStage.INVESTIGATING
    return ComplaintStage.RECEIVED


def complaint_status(receipt: str) -> ComplaintStatus | None:
    """The stage of the complaint with this receipt number, and its reply once recorded."""
    receipt = receipt.strip().upper()
    if not RECEIPT_PATTERN.match(receipt):
        return None
    case = _complaint_case(receipt)
    if case is None:
        return None
    record = ComplaintRecord.objects.filter(case=case).first()
    return ComplaintStatus(
        receipt=receipt,
        unit=case.agency.name,
        submitted_on=timezone.localdate(case.started_at),
        stage=_stage(case, record),
        reply=record.reply if record else "",
        replied_on=timezone.localdate(record.recorded_at) if record else None,
    )
