"""Case pages: the list of cases the user may see and one case's timeline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from webapp.accounts.models import Agency
from webapp.accounts.roles import Role
from webapp.accounts.selectors import agencies_acting_as_or_404
from webapp.errors import StepRefused
from webapp.staff.selectors import sees_personal_data

from . import handling, openings
from .definitions import parsed
from .forms import ComplaintForm
from .history import verify_case
from .panels import case_panels
from .presenters import case_facts, diagram_marks, lanes_named, main_bpmn, timeline
from .selectors import case_for, case_timeline, may_terminate, may_withdraw, visible_cases


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
        "may_withdraw": may_withdraw(case, request.user),
        "may_terminate": may_terminate(case, request.user),
        "panels": case_panels(request, case),
    }
    return render(request, "cases/detail.html", context)


@login_required
@require_POST
def case_withdraw(request: HttpRequest, case_id: int) -> HttpResponse:
    return _stop_case(request, case_id, handling.case_withdraw, _("The case was withdrawn."))


@login_required
@require_POST
def case_terminate(request: HttpRequest, case_id: int) -> HttpResponse:
    return _stop_case(request, case_id, handling.case_terminate, _("The case was terminated."))


def _stop_case(
    request: HttpRequest, case_id: int, stop: Callable[..., Any], done: str
) -> HttpResponse:
    """Withdraw or terminate (Art. 4), confirmed first, with the person's reason."""
    case = case_for(request.user, case_id)
    try:
        _confirmed(request)
        stop(case_id=case.pk, user=request.user, reason=request.POST.get("reason", "")[:500])
    except StepRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done, extra_tags="outcome")
    return redirect("cases:detail", case_id=case.pk)


def _confirmed(request: HttpRequest) -> None:
    """Stopping a case cannot be undone: the form asks the person to tick that they mean it."""
    if request.POST.get("confirm") != "1":
        raise StepRefused(_("Tick the box to confirm; a stopped case cannot be resumed."))


@login_required
def case_print(request: HttpRequest, case_id: int) -> HttpResponse:
    """审批单: the case's steps, decisions, names and times on one printable page."""
    case = case_for(request.user, case_id)
    steps = [
        (event, changes)
        for event, changes in timeline(parsed(case.definition), case_timeline(case))
        if event.kind in PRINTED_KINDS
    ]
    context = {"case": case, "steps": steps, "printed_at": timezone.now()}
    return render(request, "cases/print.html", context)


# What a paper file keeps of the history: people's decisions and how the case ended.
PRINTED_KINDS = frozenset(
    {
        "case_started",
        "task_completed",
        "task_assigned",
        "staff_state",
        "record",
        "case_linked",
        "case_completed",
        "case_withdrawn",
        "case_terminated",
    }
)


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
