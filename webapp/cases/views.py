"""Case pages: the list of cases the user may see and one case's timeline."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from webapp.accounts.models import Agency
from webapp.accounts.roles import Role
from webapp.accounts.selectors import agencies_acting_as_or_404
from webapp.errors import StepRefused
from webapp.staff.selectors import sees_personal_data

from . import openings
from .definitions import parsed
from .forms import ComplaintForm
from .history import verify_case
from .presenters import case_facts, diagram_marks, lanes_named, main_bpmn, timeline
from .selectors import case_for, case_timeline, visible_cases


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    cases = visible_cases(request.user).select_related("definition", "agency", "subject")[:200]
    return render(request, "cases/list.html", {"cases": cases})


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request.user, case_id)
    events = list(case_timeline(case))
    open_tasks = list(case.tasks.filter(state__in=["open", "claimed"]).select_related("assignee"))
    context = {
        "case": case,
        "events": timeline(parsed(case.definition), events),
        "open_tasks": open_tasks,
        "marks": diagram_marks(events, [task.bpmn_id for task in open_tasks]),
        "chain_breaks": verify_case(case),
        "staff": case.subject,
        "facts": case_facts(parsed(case.definition), case.data),
        "full_personal_data": sees_personal_data(request.user, case.agency_id),
    }
    return render(request, "cases/detail.html", context)


@login_required
def case_diagram(request: HttpRequest, case_id: int) -> HttpResponse:
    """The BPMN of the version this case runs on, for whoever may see the case."""
    case = case_for(request.user, case_id)
    files = {f.name: bytes(f.content) for f in case.definition.files.all()}
    try:
        xml = main_bpmn(files, case.definition.process_id)
    except LookupError:
        raise Http404 from None
    xml = lanes_named(xml, {str(code): str(label) for code, label in Role.choices})
    return HttpResponse(xml, content_type="application/xml; charset=utf-8")


@login_required
def usage_plan_new(request: HttpRequest) -> HttpResponse:
    agencies = agencies_acting_as_or_404(request.user, Role.HR_OFFICER)
    if request.method == "POST":
        try:
            agency = agencies.get(pk=request.POST.get("agency", ""))
            case = openings.usage_plan_open(agency=agency, actor=request.user)
        except (Agency.DoesNotExist, ValueError):
            messages.error(request, _("Choose one of your agencies."))
        except StepRefused as exc:
            messages.error(request, exc.message)
        else:
            return redirect("cases:detail", case_id=case.pk)
    return render(request, "cases/usage_plan_new.html", {"agencies": agencies})


@login_required
def complaint_new(request: HttpRequest) -> HttpResponse:
    agencies = agencies_acting_as_or_404(request.user, Role.HR_OFFICER)
    form = ComplaintForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = openings.complaint_open(
                agency=data["agency"],
                actor=request.user,
                staff=data.get("staff"),
                complainant_name=data["complainant_name"],
                complainant_contact=data["complainant_contact"],
                complaint_text=data["complaint_text"],
            )
        except StepRefused as exc:
            messages.error(request, exc.message)
        else:
            return redirect("cases:detail", case_id=case.pk)
    return render(request, "cases/complaint_new.html", {"form": form})
