"""Printing a certificate: signed-in HR officers of the holder's agency only."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from webapp.accounts.roles import Role
from webapp.accounts.selectors import has_role, visible_agency_ids
from webapp.staff.models import Certificate, CertificateState

from .certificate_pdf import CertificateCard, certificate_pdf

TEXT = "text/plain; charset=utf-8"  # the refusal is read, never rendered as markup


def verify_url(request: HttpRequest, number: str) -> str:
    """The absolute address printed on the card: FUZHI_PUBLIC_BASE_URL, else this host."""
    path = reverse("public:verify", kwargs={"number": number})
    base = str(getattr(settings, "FUZHI_PUBLIC_BASE_URL", "") or "").rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


@login_required
@require_GET
def certificate_pdf_view(request: HttpRequest, certificate_id: int) -> HttpResponse:
    certificate = (
        Certificate.objects.select_related("staff", "agency")
        .filter(pk=certificate_id, agency_id__in=visible_agency_ids(request.user))
        .first()
    )
    if certificate is None:
        raise Http404
    if not has_role(request.user, Role.HR_OFFICER, certificate.agency_id):
        return HttpResponse(
            _("Only an HR officer of %(agency)s can print its certificates.")
            % {"agency": certificate.agency.name},
            status=403,
            content_type=TEXT,
        )
    if certificate.state != CertificateState.ISSUED:
        # A card printed for a suspended, revoked or recovered number would mislead.
        return HttpResponse(
            _("Certificate %(number)s is not valid, so it cannot be printed (Art. 19).")
            % {"number": certificate.number},
            status=409,
            content_type=TEXT,
        )
    card = CertificateCard(
        name=certificate.staff.name,
        unit=certificate.agency.name,
        number=certificate.number,
        post=certificate.staff.post,
        issued_on=timezone.localdate(certificate.issued_at),
        verify_url=verify_url(request, certificate.number),
    )
    response = HttpResponse(certificate_pdf(card), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{certificate.number}.pdf"'
    return response
