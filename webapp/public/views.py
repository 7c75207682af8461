"""Public pages, no login (Art. 18): the registry, certificate verification, complaints.

Their addresses are printed on certificates and notices (see urls.py): keep them stable.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from webapp.accounts.sms import contact_channel
from webapp.documents.limits import is_multipart, upload_body_limit
from webapp.documents.responses import file_response
from webapp.documents.selectors import photo_bytes
from webapp.errors import StepRefused

from . import services
from .forms import ComplaintForm, ReceiptForm
from .selectors import (
    CertificateStatus,
    ComplaintStage,
    certificate_check,
    certificate_in_force,
    normalise_number,
    registry_count,
    registry_search,
)
from .throttle import allow, limit

PAGE_SIZE = 50
SUBMITTED_KEY = "public_complaint_submitted"
CERTIFICATE_STATUS_LABELS = {
    CertificateStatus.VALID: gettext_lazy("Valid"),
    CertificateStatus.SUSPENDED: gettext_lazy("Suspended: not valid at present"),
    CertificateStatus.REVOKED: gettext_lazy("Revoked (Art. 23): not valid"),
    CertificateStatus.EXPIRED: gettext_lazy("No longer valid: the holder has left (Art. 21)"),
    CertificateStatus.UNKNOWN: gettext_lazy("Unknown: no certificate has this number"),
}
STAGE_LABELS = {
    ComplaintStage.RECEIVED: gettext_lazy("Received, being reviewed"),
    ComplaintStage.INVESTIGATING: gettext_lazy("Accepted, under investigation"),
    ComplaintStage.REPLYING: gettext_lazy("Investigated, reply being prepared"),
    ComplaintStage.REPLIED: gettext_lazy("Replied"),
    ComplaintStage.NOT_ACCEPTED: gettext_lazy("Not accepted: outside the scope of Art. 18"),
    ComplaintStage.CLOSED: gettext_lazy("Closed by the unit"),
}


def _too_many(request: HttpRequest, scope: str) -> HttpResponse:
    response = render(
        request, "public/too_many.html", {"window_minutes": limit(scope).window // 60}, status=429
    )
    response["Retry-After"] = str(limit(scope).window)
    return response


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 10_000))
    except ValueError:
        return 1


@require_GET
def registry(request: HttpRequest) -> HttpResponse:
    if not allow(request, "read"):
        return _too_many(request, "read")
    query = request.GET.get("q", "").strip()[:50]
    page = _page_number(request)
    total = registry_count(query)
    entries = registry_search(query, PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    context: dict[str, Any] = {
        "query": query,
        "entries": entries,
        "total": total,
        "page": page,
        "previous_page": page - 1 if page > 1 else None,
        "next_page": page + 1 if page * PAGE_SIZE < total else None,
    }
    return render(request, "public/registry.html", context)


@require_GET
def verify_lookup(request: HttpRequest) -> HttpResponse:
    """The registry page's "verify a number" box lands on the stable verify address."""
    number = normalise_number(request.GET.get("number", ""))
    if not number:
        return redirect("public:registry")
    return redirect("public:verify", number=number)


@require_GET
def verify(request: HttpRequest, number: str) -> HttpResponse:
    if not allow(request, "read"):
        return _too_many(request, "read")
    check = certificate_check(number)
    context = {"check": check, "label": CERTIFICATE_STATUS_LABELS[check.status]}
    return render(request, "public/verify.html", context)


@require_GET
def verify_photo(request: HttpRequest, number: str) -> HttpResponse:
    """The holder's photo beside the verification (Art. 18, 19): only while the
    certificate is shown publicly, so a former member's photo is not published."""
    if not allow(request, "read"):
        return _too_many(request, "read")
    certificate = certificate_in_force(number)
    data = photo_bytes(certificate.staff) if certificate is not None else None
    if certificate is None or data is None:
        return HttpResponse(status=404)
    name = f"{certificate.number}.jpg"
    return file_response(data, name=name, content_type="image/jpeg", inline=True)


def _body_too_large(request: HttpRequest) -> bool:
    # A form with evidence files has its own, larger bound (FUZHI_PUBLIC_UPLOAD_MAX_BODY).
    limit_bytes = int(getattr(settings, "FUZHI_PUBLIC_MAX_BODY", 16_384))
    if is_multipart(request.content_type or ""):
        limit_bytes = upload_body_limit(request.path) or limit_bytes
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > limit_bytes
    except ValueError:
        return True


@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        # The verification page links here with the certificate filled in.
        initial = {"certificate_number": normalise_number(request.GET.get("certificate", ""))}
        return render(
            request, "public/complaint_new.html", {"form": ComplaintForm(initial=initial)}
        )
    if _body_too_large(request):
        return render(request, "public/too_large.html", status=413)
    if not allow(request, "complaint"):
        return _too_many(request, "complaint")
    form = ComplaintForm(request.POST, request.FILES)
    if form.is_bot:
        # Nothing is opened; a person whose browser filled the hidden field keeps their text.
        form.is_valid()
        form.add_error(None, _("The complaint could not be accepted. Please send it again."))
        return render(request, "public/complaint_new.html", {"form": form}, status=400)
    if form.is_valid() and _submitted(request, form):
        return redirect("public:complaint_submitted")
    return render(request, "public/complaint_new.html", {"form": form}, status=400)


def _submitted(request: HttpRequest, form: ComplaintForm) -> bool:
    """Submit the complaint and keep its receipt in the session; a refusal goes on the form."""
    data = form.cleaned_data
    try:
        receipt = services.complaint_submit(
            agency=data["agency"],
            certificate_number=data["certificate_number"],
            staff_hint=data["staff_hint"],
            description=data["description"],
            name=data["name"],
            contact=data["contact"],
            evidence=data["evidence"],
        )
    except StepRefused as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return False
    request.session[SUBMITTED_KEY] = {
        "receipt": receipt,
        "description": data["description"],
        # Art. 18: the receipt promises the reply only on a channel it can take.
        "has_contact": bool(data["contact"]),
        "contact": data["contact"],
        "reply_channel": contact_channel(data["contact"]),
        "evidence": [f.name for f in data["evidence"]],
    }
    return True


@require_GET
def complaint_submitted(request: HttpRequest) -> HttpResponse:
    submitted = request.session.get(SUBMITTED_KEY)
    if not submitted:
        return redirect("public:complaint_new")
    status = services.complaint_status(submitted["receipt"])
    context = {
        "submitted": submitted,
        "status": status,
        "stage_label": STAGE_LABELS[status.stage] if status else "",
    }
    return render(request, "public/complaint_submitted.html", context)


@require_http_methods(["GET", "POST"])
def complaint_status(request: HttpRequest) -> HttpResponse:
    """Look a complaint up by receipt number (POST: the number stays out of addresses/logs)."""
    if request.method == "GET":
        return render(request, "public/complaint_status.html", {"form": ReceiptForm()})
    if not allow(request, "receipt"):
        return _too_many(request, "receipt")
    form = ReceiptForm(request.POST)
    status = services.complaint_status(form.data.get("receipt", "")) if form.is_valid() else None
    if form.is_valid() and status is None:
        form.add_error(
            "receipt",
            _("No complaint has this receipt number. Check it against your receipt (Art. 18)."),
        )
    context = {
        "form": form,
        "status": status,
        "stage_label": STAGE_LABELS[status.stage] if status else "",
    }
    code = 200 if status is not None else 400
    return render(request, "public/complaint_status.html", context, status=code)
