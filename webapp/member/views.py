"""The member's own pages (Art. 12): views translate HTTP to the selectors of their record
and the services that file an appeal or a suggestion."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from webapp.cases.member_filings import appeal_open, suggestion_open
from webapp.errors import StepRefused
from webapp.security.member_access import member_password_changed
from webapp.staff.accounts import member_of

from . import selectors
from .forms import AppealForm, SuggestionForm
from .qr import qr_svg

FIRST_SIGN_IN = "member_must_change_password"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    staff = member_of(request.user)
    if staff is None:
        return redirect("inbox:index")  # an agency's officer, not a member
    record = selectors.own_record(staff)
    return render(request, "member/home.html", {"record": record, "staff": staff})


def _verify_url(request: HttpRequest, number: str) -> str:
    # The address printed on the card (webapp/public/certificate_views.py does the same).
    path = reverse("public:verify", kwargs={"number": number})
    base = str(getattr(settings, "FUZHI_PUBLIC_BASE_URL", "") or "").rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


@login_required
@require_GET
def certificate_qr(request: HttpRequest) -> HttpResponse:
    staff = selectors.member_or_404(request.user)
    certificate = selectors.own_record(staff).certificate
    if certificate is None:
        raise Http404
    svg = qr_svg(_verify_url(request, certificate.number))
    return HttpResponse(svg, content_type="image/svg+xml")


@login_required
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    staff = selectors.member_or_404(request.user)
    case = selectors.own_case(staff, case_id)
    context = {
        "case": case,
        "facts": selectors.own_facts(case),
        "events": selectors.own_events(case),
    }
    return render(request, "member/case.html", context)


def _filing_page(request: HttpRequest, template: str, form: Any, submit: Any) -> HttpResponse:
    """Render a filing form; on a valid POST open the case, or show the refusal on the
    field it is about."""
    if request.method == "POST" and form.is_valid():
        try:
            case = submit(form.cleaned_data)
        except StepRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Filed as %(key)s.") % {"key": case.business_key})
            return redirect("member:case", case_id=case.pk)
    status = 400 if form.errors else 200
    return render(request, template, {"form": form}, status=status)


@login_required
def appeal_new(request: HttpRequest) -> HttpResponse:
    staff = selectors.member_or_404(request.user)
    decisions = selectors.own_record(staff).appealable
    form = AppealForm(request.POST or None, decisions=decisions)
    return _filing_page(
        request,
        "member/appeal_new.html",
        form,
        lambda data: appeal_open(
            user=request.user, decision_case_id=data["decision"], reason=data["reason"]
        ),
    )


@login_required
def suggestion_new(request: HttpRequest) -> HttpResponse:
    selectors.member_or_404(request.user)
    form = SuggestionForm(request.POST or None)
    return _filing_page(
        request,
        "member/suggestion_new.html",
        form,
        lambda data: suggestion_open(user=request.user, text=data["text"]),
    )


class PasswordChange(PasswordChangeView):
    """Any signed-in user changes their password; a member's first sign-in must."""

    template_name = "member/password.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        member_password_changed(user=self.request.user)
        self.request.session.pop(FIRST_SIGN_IN, None)
        messages.success(self.request, _("Your password has been changed."))
        return response
