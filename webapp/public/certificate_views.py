"""Printing a certificate: who may print which is ``selectors.certificate_to_print``."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from webapp.documents.selectors import photo_bytes
from webapp.errors import StepRefused

from .certificate_pdf import CertificateCard, certificate_pdf
from .selectors import certificate_to_print

TEXT = "text/plain; charset=utf-8"  # the refusal is read, never rendered as markup


def verify_url(request: HttpRequest, number: str) -> str:
    """The absolute address printed on the card: FUZHI_PUBLIC_BASE_URL, else this host."""
    path = reverse("public:verify", kwargs={"number": number})
    base = str(getattr(settings, "FUZHI_PUBLIC_BASE_URL", "") or "").rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


@login_required
@require_GET
def certificate_pdf_view(request: HttpRequest, certificate_id: int) -> HttpResponse:
    try:
        certificate = certificate_to_print(request.user, certificate_id)
    except StepRefused as exc:
        return HttpResponse(exc.message, status=exc.status, content_type=TEXT)
    card = CertificateCard.of(
        certificate,
        verify_url(request, certificate.number),
        photo=photo_bytes(certificate.staff),
    )
    response = HttpResponse(certificate_pdf(card), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{certificate.number}.pdf"'
    return response
