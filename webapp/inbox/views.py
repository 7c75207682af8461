"""The approver's inbox: one list, one task screen, claim / release / complete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from webapp.cases import services
from webapp.cases.definitions import parsed
from webapp.cases.models import HumanTask
from webapp.cases.presenters import case_facts, case_warnings, task_facts, timeline
from webapp.cases.selectors import case_timeline, inbox_tasks, task_for
from webapp.errors import FormInvalid, StepRefused
from webapp.staff.selectors import sees_personal_data

from .forms import SchemaForm
from .selectors import overdue_count, task_form_initial, task_form_schema

INBOX_PAGE_SIZE = 50


@login_required
def index(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    queue = inbox_tasks(request.user, search)
    # Overdue tasks sort first, so the first page is the urgent one; 50 rows keep the
    # page's rendering time small (docs/performance.md).
    page = Paginator(queue, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "tasks": list(page.object_list),
        "page": page,
        "total": page.paginator.count,
        "search": search,
        "overdue": overdue_count(queue),
    }
    return render(request, "inbox/index.html", context)


def _form_for(task: HumanTask, data: Any = None) -> SchemaForm:
    definition, schema = task_form_schema(task)
    initial = task_form_initial(task, definition, schema) if data is None else {}
    return SchemaForm(
        schema, data, definition=definition, form_name=task.form_name, initial=initial
    )


@login_required
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    task = task_for(request.user, task_id)
    status = 200
    form = _form_for(task, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_complete(
                task_id=task.pk, user=request.user, data=form.task_data(), comment=form.comment
            )
        except FormInvalid as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
            status = 400
        except StepRefused as exc:
            if _wants_json(request):
                return JsonResponse(
                    {"error": exc.message, "article": exc.article}, status=exc.status
                )
            messages.error(request, exc.message)
            status = exc.status
            task = task_for(request.user, task_id)
        else:
            messages.success(request, _("“%(task)s” completed.") % {"task": task.name})
            return redirect("inbox:index")
    elif request.method == "POST":
        status = 400
    return _task_page(request, task, form, status)


def _task_page(
    request: HttpRequest, task: HumanTask, form: SchemaForm, status: int
) -> HttpResponse:
    case = task.case
    definition = parsed(case.definition)
    context = {
        "task": task,
        "case": case,
        "form": form,
        "events": timeline(definition, case_timeline(case)),
        "staff": case.subject,
        # What the model says this decision rests on, above the form; all the case's
        # labelled data beside it.
        "task_facts": task_facts(definition, task.bpmn_id, case.data),
        "warnings": case_warnings(definition, case.data) if task.is_active else [],
        "facts": case_facts(definition, case.data),
        # Art. 15(4): personal data in full for the case agency's HR officers only.
        "full_personal_data": sees_personal_data(request.user, case.agency_id),
    }
    return render(request, "inbox/task.html", context, status=status)


def _back(request: HttpRequest) -> str:
    """Where to go after claiming or releasing: ``next`` if it is an address of this
    site, else the inbox (never another site's address a crafted form names)."""
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("inbox:index")


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def claim(request: HttpRequest, task_id: int) -> HttpResponse:
    task = task_for(request.user, task_id)
    try:
        services.task_claim(task_id=task.pk, user=request.user)
    except StepRefused as exc:
        messages.error(request, exc.message)
    return redirect(_back(request))


@login_required
@require_POST
def release(request: HttpRequest, task_id: int) -> HttpResponse:
    task = task_for(request.user, task_id)
    try:
        services.task_release(task_id=task.pk, user=request.user)
    except StepRefused as exc:
        messages.error(request, exc.message)
    return redirect(_back(request))
