"""Case pages: the list of cases the user may see and one case's timeline."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from webapp.accounts.selectors import has_role

from .definitions import parsed
from .history import verify_case
from .presenters import case_facts, timeline
from .selectors import case_for, case_timeline, visible_cases


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    cases = visible_cases(request.user).select_related("definition", "agency", "subject")[:200]
    return render(request, "cases/list.html", {"cases": cases})


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request.user, case_id)
    context = {
        "case": case,
        "events": timeline(parsed(case.definition), case_timeline(case)),
        "open_tasks": case.tasks.filter(state__in=["open", "claimed"]),
        "chain_breaks": verify_case(case),
        "staff": case.subject,
        "facts": case_facts(parsed(case.definition), case.data),
        "full_personal_data": has_role(request.user, "hr_officer", case.agency_id),
    }
    return render(request, "cases/detail.html", context)
