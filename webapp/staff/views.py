"""Staff pages: the register, one person's archive (一人一档), and a new application."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from webapp.accounts.models import Agency
from webapp.accounts.roles import Role
from webapp.accounts.selectors import acting_agency_ids, has_role, visible_agency_ids
from webapp.cases.errors import StepRefused

from .forms import ApplicationForm
from .models import Staff
from .services import recruitment_open


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    staff = (
        Staff.objects.filter(agency_id__in=visible_agency_ids(request.user))
        .select_related("agency")
        .order_by("agency__code", "name")
    )
    return render(request, "staff/list.html", {"staff": staff})


@login_required
def staff_detail(request: HttpRequest, staff_id: int) -> HttpResponse:
    try:
        member = Staff.objects.select_related("agency").get(
            pk=staff_id, agency_id__in=visible_agency_ids(request.user)
        )
    except Staff.DoesNotExist:
        raise Http404 from None
    context = {
        "staff": member,
        "cases": member.cases.select_related("definition").order_by("-started_at"),
        "full_personal_data": has_role(request.user, Role.HR_OFFICER, member.agency_id),
    }
    return render(request, "staff/detail.html", context)


@login_required
def recruitment_new(request: HttpRequest) -> HttpResponse:
    agencies = Agency.objects.filter(pk__in=acting_agency_ids(request.user, Role.HR_OFFICER))
    if not agencies.exists():
        raise Http404
    form = ApplicationForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        try:
            case = recruitment_open(user=request.user, fields=form.cleaned_data)
        except StepRefused as exc:
            form.add_error(
                "id_number" if "ID" in exc.message or "身份证" in exc.message else None, exc.message
            )
        else:
            messages.success(
                request, _("Recruitment case %(key)s opened.") % {"key": case.business_key}
            )
            return redirect("cases:detail", case_id=case.pk)
    return render(
        request, "staff/recruitment_new.html", {"form": form}, status=400 if form.errors else 200
    )
