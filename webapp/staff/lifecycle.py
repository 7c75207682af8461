"""Certificates and marks move with the member's state (Art. 19, 21, 23).

Called only by operators inside a case step, under the step's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from processes.errors import OperatorRefused
from webapp.accounts.models import Agency

from .models import Certificate, CertificateSequence, CertificateState, Mark, Staff

IN_FORCE = (CertificateState.ISSUED, CertificateState.SUSPENDED)


def certificate_number(agency: Agency, year: int, serial: int) -> str:
    """Art. 19 unified numbering: ``LA-<agency>-<year>-<serial>``, unique city-wide."""
    tail = agency.code[3:] if agency.code.startswith("LA-") else agency.code
    return f"LA-{tail}-{year}-{serial:04d}"


def _next_serial(agency: Agency, year: int) -> int:
    # The sequence row is locked until the step commits, so parallel issuers of the
    # same agency and year queue here instead of drawing the same serial.
    try:
        with transaction.atomic():
            sequence, _ = CertificateSequence.objects.select_for_update().get_or_create(
                agency=agency, year=year
            )
    except IntegrityError:
        sequence = CertificateSequence.objects.select_for_update().get(agency=agency, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last


def certificate_issue(staff: Staff) -> Certificate:
    """Art. 19: only a member who passed pre-job training (state hired) gets a certificate."""
    if staff.certificates.filter(state__in=IN_FORCE).exists():
        raise OperatorRefused(
            _("%(name)s already holds a certificate in force (Art. 19).") % {"name": staff.name}
        )
    now = timezone.now()
    year = timezone.localdate().year
    serial = _next_serial(staff.agency, year)
    return Certificate.objects.create(
        staff=staff,
        agency=staff.agency,
        number=certificate_number(staff.agency, year, serial),
        year=year,
        serial=serial,
        issued_at=now,
    )


def certificate_in_force(staff: Staff) -> Certificate | None:
    return staff.certificates.filter(state__in=IN_FORCE).first()


def marks_issue(staff: Staff, kinds: list[str]) -> list[Mark]:
    now = timezone.now()
    return [Mark.objects.create(staff=staff, kind=kind, issued_at=now) for kind in kinds]


@dataclass(frozen=True)
class Recovery:
    complete: bool
    missing: list[str]


def recovery_record(staff: Staff, *, certificate: bool, badge: bool, armband: bool) -> Recovery:
    """Art. 21: record what was handed back; report what is still out."""
    now = timezone.now()
    returned = {"badge": badge, "armband": armband}
    for mark in staff.marks.filter(recovered_at__isnull=True):
        if returned.get(mark.kind):
            mark.recovered_at = now
            mark.save(update_fields=["recovered_at"])
    held = certificate_in_force(staff)
    if held is not None and certificate and held.returned_at is None:
        held.returned_at = now
        held.save(update_fields=["returned_at"])
    return outstanding(staff)


def outstanding(staff: Staff) -> Recovery:
    missing = sorted(
        set(staff.marks.filter(recovered_at__isnull=True).values_list("kind", flat=True))
    )
    held = certificate_in_force(staff)
    if held is not None and held.returned_at is None:
        missing.insert(0, "certificate")
    return Recovery(complete=not missing, missing=missing)


def assert_recovered(staff: Staff) -> None:
    """Art. 21: nobody leaves while the certificate or a mark is still out."""
    recovery = outstanding(staff)
    if not recovery.complete:
        raise OperatorRefused(
            _("%(name)s has not handed back: %(items)s. Record the recovery first (Art. 21).")
            % {"name": staff.name, "items": item_labels(recovery.missing)}
        )


def item_labels(items: list[str]) -> str:
    """What is still out, in words: "certificate, badge"."""
    names = {"certificate": _("certificate"), "badge": _("badge"), "armband": _("armband")}
    return _(", ").join(str(names.get(item, item)) for item in items)


def close_certificate(staff: Staff, *, revoke: bool) -> Certificate | None:
    held = certificate_in_force(staff)
    if held is None:
        return None
    held.revoke() if revoke else held.recover()
    held.closed_at = timezone.now()
    held.save()
    return held
