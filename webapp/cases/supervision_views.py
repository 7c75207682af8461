"""Pages that open the supervision of an agency: a correction order (Art. 22), the filing
of detailed measures (Art. 26)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from webapp.accounts.roles import Role
from webapp.accounts.selectors import agencies_acting_as_or_404, supervised_agencies
from webapp.errors import StepRefused

from .supervision import correction_order_open, measures_filing_open
from .supervision_forms import CorrectionOrderForm, MeasuresFilingForm


def _opening_page(request: HttpRequest, template: str, form: Any, open_case: Any) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            case = open_case(form.cleaned_data)
        except StepRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Case %(key)s opened.") % {"key": case.business_key})
            return redirect("cases:detail", case_id=case.pk)
    return render(request, template, {"form": form}, status=400 if form.errors else 200)


@login_required
def correction_order_new(request: HttpRequest) -> HttpResponse:
    agencies = supervised_agencies(request.user).order_by("code")
    if not agencies.exists():
        raise Http404
    form = CorrectionOrderForm(request.POST or None, agencies=agencies)
    return _opening_page(
        request,
        "cases/correction_order_new.html",
        form,
        lambda data: correction_order_open(
            user=request.user,
            agency=data["agency"],
            findings=data["order_findings"],
            deadline=data["correction_deadline"],
        ),
    )


@login_required
def measures_filing_new(request: HttpRequest) -> HttpResponse:
    agencies = agencies_acting_as_or_404(request.user, Role.HR_OFFICER)
    form = MeasuresFilingForm(request.POST or None, agencies=agencies)
    return _opening_page(
        request,
        "cases/measures_filing_new.html",
        form,
        lambda data: measures_filing_open(
            user=request.user,
            agency=data["agency"],
            title=data["measures_title"],
            text=data["measures_text"],
            adopted_on=data["measures_adopted_on"],
        ),
    )
