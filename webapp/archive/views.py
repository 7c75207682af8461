"""Staff pages: the register, one person's archive (一人一档), and a new application."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from webapp.accounts.roles import Role
from webapp.accounts.selectors import (
    agencies_acting_as_or_404,
    has_role,
    visible_agency_ids,
)
from webapp.cases import selectors
from webapp.cases.openings import case_open_for_staff
from webapp.cases.subjects import startable_processes
from webapp.documents.selectors import current_photo
from webapp.documents.services import recruitment_open_with_documents
from webapp.errors import StepRefused
from webapp.security.member_access import member_password_issue
from webapp.staff.duties import duty_assign
from webapp.staff.forms import DutyForm, GradeForm
from webapp.staff.grades import grade_set
from webapp.staff.models import Staff
from webapp.staff.selectors import sees_personal_data, staff_visible_to

from .forms import ApplicationWithDocumentsForm


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
    member = staff_visible_to(request.user, staff_id)
    is_hr = has_role(request.user, Role.HR_OFFICER, member.agency_id)
    context = {
        "staff": member,
        "cases": member.cases.select_related("definition").order_by("-started_at"),
        "certificates": member.certificates.all(),
        "marks": member.marks.all(),
        "duties": member.duties.select_related("assigned_by")[:20],
        "assessments": member.assessments.all(),
        "commendations": member.commendations.all(),
        "discipline": member.discipline.all(),
        "full_personal_data": sees_personal_data(request.user, member.agency_id),
        "processes": startable_processes(member) if is_hr else [],
        "may_assign": is_hr or has_role(request.user, Role.APPROVER, member.agency_id),
        "duty_form": DutyForm(),
        "grade_changes": member.grade_changes.select_related("changed_by")[:20],
        "grade_form": GradeForm() if is_hr else None,
        "may_issue_sign_in": is_hr,
        "photo": current_photo(member),
        "may_change_photo": is_hr,
    }
    return render(request, "staff/detail.html", context)


@login_required
@require_POST
def case_new(request: HttpRequest, staff_id: int) -> HttpResponse:
    member = staff_visible_to(request.user, staff_id)
    try:
        case = case_open_for_staff(
            process_id=request.POST.get("process", ""), staff=member, actor=request.user
        )
    except StepRefused as exc:
        messages.error(request, exc.message)
        return redirect("staff:detail", staff_id=member.pk)
    messages.success(request, _("Case %(key)s opened.") % {"key": case.business_key})
    return redirect("cases:detail", case_id=case.pk)


@login_required
@require_POST
def duty_new(request: HttpRequest, staff_id: int) -> HttpResponse:
    member = staff_visible_to(request.user, staff_id)
    form = DutyForm(request.POST)
    if form.is_valid():
        try:
            duty_assign(staff=member, user=request.user, **form.cleaned_data)
        except StepRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Duty assigned."))
    else:
        messages.error(request, _("The duty form is incomplete."))
    return redirect("staff:detail", staff_id=member.pk)


@login_required
@require_POST
def grade_new(request: HttpRequest, staff_id: int) -> HttpResponse:
    member = staff_visible_to(request.user, staff_id)
    form = GradeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the new grade and the reason for it."))
        return redirect("staff:detail", staff_id=member.pk)
    try:
        grade_set(staff=member, user=request.user, **form.cleaned_data)
    except StepRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Grade recorded."))
    return redirect("staff:detail", staff_id=member.pk)


@login_required
@require_POST
def sign_in_issue(request: HttpRequest, staff_id: int) -> HttpResponse:
    """The HR officer hands the member a one-time password, shown on this page once
    (Art. 12); the member must replace it at the first sign-in."""
    member = staff_visible_to(request.user, staff_id)
    try:
        issued = member_password_issue(staff=member, actor=request.user)
    except StepRefused as exc:
        messages.error(request, exc.message)
        return redirect("staff:detail", staff_id=member.pk)
    response = render(request, "staff/sign_in_issued.html", {"staff": member, "issued": issued})
    response["Cache-Control"] = "no-store"  # the password is never kept by a browser cache
    return response


@login_required
def recruitment_new(request: HttpRequest) -> HttpResponse:
    agencies = agencies_acting_as_or_404(request.user, Role.HR_OFFICER)
    posted = request.method == "POST"
    form = ApplicationWithDocumentsForm(
        request.POST if posted else None, request.FILES if posted else None, agencies=agencies
    )
    if posted and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "documents"}
        try:
            case = recruitment_open_with_documents(
                user=request.user, fields=fields, uploaded=form.cleaned_data["documents"]
            )
        except StepRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request, _("Recruitment case %(key)s opened.") % {"key": case.business_key}
            )
            return redirect("cases:detail", case_id=case.pk)
    return render(
        request, "staff/recruitment_new.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def recruitment_ranking(request: HttpRequest) -> HttpResponse:
    post = request.GET.get("post", "").strip()[:60]
    cases = selectors.recruitment_ranking(request.user, post)
    return render(request, "staff/ranking.html", {"cases": cases, "post": post})
