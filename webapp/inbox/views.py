"""The approver's inbox: a filtered list, one task screen, claim / release / assign / urge /
complete, and completing many tasks of one kind at once."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from webapp.accounts.models import Agency
from webapp.accounts.selectors import acting_agency_ids, has_role
from webapp.cases import handling, services
from webapp.cases.definitions import parsed
from webapp.cases.history import step_events
from webapp.cases.models import Case, HumanTask
from webapp.cases.presenters import case_facts, case_warnings, task_facts, timeline
from webapp.cases.selectors import (
    assignable_colleagues,
    case_timeline,
    inbox_tasks,
    may_urge,
    step_outcome,
    task_for,
    task_visible,
)
from webapp.documents.services import task_complete_with_files
from webapp.documents.views import panel_context
from webapp.errors import FormInvalid, StepRefused
from webapp.staff.selectors import sees_personal_data

from . import services as inbox_services
from .forms import InboxFilterForm, SchemaForm, confirmations
from .presenters import due_hint, row_links
from .selectors import (
    inbox_facets,
    inbox_filtered,
    queue_counts,
    saved_filters_for,
    task_form_initial,
    task_form_schema,
)

INBOX_PAGE_SIZE = 50


def _filter_form(request: HttpRequest) -> InboxFilterForm:
    facets = inbox_facets(request.user)
    return InboxFilterForm(request.GET or None, **facets)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    filter_form = _filter_form(request)
    filters = filter_form.filters()
    queue = inbox_filtered(request.user, filters)
    # Overdue tasks sort first, so the first page is the urgent one; 50 rows keep the
    # page's rendering time small (docs/performance.md).
    counts = queue_counts(queue)
    paginator = Paginator(queue, INBOX_PAGE_SIZE)
    paginator.count = counts["total"]  # counted with the overdue ones, in one query
    page = paginator.get_page(request.GET.get("page"))
    tasks = list(page.object_list)
    now = timezone.now()
    links = row_links()
    for task in tasks:
        task.due_hint = due_hint(task.due_at, now)  # type: ignore[attr-defined]
        task.links = {k: v.format(task.pk) for k, v in links.items()}  # type: ignore[attr-defined]
        task.links["case"] = links["case"].format(task.case_id)  # type: ignore[attr-defined]
    context = {
        "tasks": tasks,
        "page": page,
        "total": counts["total"],
        "filter_form": filter_form,
        "query": urlencode([(k, str(v)) for k, v in request.GET.items() if k != "page"]),
        "overdue": counts["overdue"],
        # One kind of task chosen: its form completes the selected ones together.
        "bulk_form": _form_for(tasks[0]) if filters.get("kind") and tasks else None,
        "saved": saved_filters_for(request.user),
        "share_agencies": Agency.objects.filter(pk__in=acting_agency_ids(request.user)),
        # Every row's claim or release form carries the same token: made once.
        "csrf_input": csrf_input(request),
    }
    return render(request, "inbox/index.html", context)


def _form_for(task: HumanTask, data: Any = None, files: Any = None) -> SchemaForm:
    definition, schema = task_form_schema(task)
    initial = task_form_initial(task, definition, schema) if data is None else {}
    return SchemaForm(
        schema, data, files, definition=definition, form_name=task.form_name, initial=initial
    )


class _NotTaken(Exception):
    """The posted form is not complete or asks for a confirmation: nothing is written."""


@login_required
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    if request.method == "POST":
        return _complete(request, task_id)
    task = task_for(request.user, task_id)
    return _task_page(request, task, _form_for(task), 200)


def _complete(request: HttpRequest, task_id: int) -> HttpResponse:
    """Complete the task with the posted form: the step loads and locks the task once and
    hands it here to read the form (docs/performance.md)."""
    if request.FILES:
        return _complete_with_files(request, task_id)
    page: dict[str, Any] = {"confirm": []}

    def read_input(task: HumanTask) -> tuple[dict[str, Any], str]:
        if not task_visible(request.user, task):
            raise Http404
        form = page["form"] = _form_for(task, request.POST, request.FILES)
        if not form.is_valid():
            raise _NotTaken
        page["confirm"] = [] if request.POST.get("_confirmed") else confirmations(form)
        if page["confirm"]:
            raise _NotTaken
        return form.task_data(), form.comment

    status = 400
    try:
        case = services.task_complete(task_id=task_id, user=request.user, read_input=read_input)
    except _NotTaken:
        status = 400 if "form" in page and not page["form"].is_valid() else 200
    except FormInvalid as exc:
        for field, message in exc.errors.items():
            form = page["form"]
            form.add_error(field if field in form.fields else None, message)
    except StepRefused as exc:
        if "form" not in page:
            raise Http404 from None  # no such task
        if _wants_json(request):
            return JsonResponse(
                {"error": exc.message, "article": exc.article, "field": exc.field},
                status=exc.status,
            )
        form = page["form"]
        if exc.field in form.fields:
            form.add_error(exc.field, exc.message)  # shown on the field it is about
        else:
            messages.error(request, exc.message)
        status = exc.status
    else:
        return _after_completion(request, task_id, case)
    task = task_for(request.user, task_id)
    return _task_page(request, task, page["form"], status, page["confirm"])


def _complete_with_files(request: HttpRequest, task_id: int) -> HttpResponse:
    """Complete a task whose form carries files: they are checked, stored and recorded in
    the same step (webapp/documents), a refused step keeps none."""
    task = task_for(request.user, task_id)
    form = _form_for(task, request.POST, request.FILES)
    if not form.is_valid():
        return _task_page(request, task, form, 400)
    confirm = [] if request.POST.get("_confirmed") else confirmations(form)
    if confirm:
        return _task_page(request, task, form, 200, confirm)
    status = 400
    try:
        case = task_complete_with_files(
            task_id=task.pk,
            user=request.user,
            data=form.task_data(),
            comment=form.comment,
            uploaded=form.files_by_field(),
        )
    except FormInvalid as exc:
        for field, message in exc.errors.items():
            form.add_error(field if field in form.fields else None, message)
    except StepRefused as exc:
        if _wants_json(request):
            return JsonResponse(
                {"error": exc.message, "article": exc.article, "field": exc.field},
                status=exc.status,
            )
        if exc.field in form.fields:
            form.add_error(exc.field, exc.message)  # shown on the field it is about
        else:
            messages.error(request, exc.message)
        status = exc.status
    else:
        return _after_completion(request, task_id, case)
    return _task_page(request, task_for(request.user, task_id), form, status)


def _after_completion(request: HttpRequest, task_id: int, case: Case) -> HttpResponse:
    """Say what the engine made of the step, then open the next task or the inbox."""
    done = next(
        (
            e.task
            for e in step_events(case) or []
            if e.kind == "task_completed" and e.task_id == task_id
        ),
        None,
    ) or HumanTask.objects.get(pk=task_id)
    outcome = step_outcome(case, done)
    text = _("“%(task)s” completed.") % {"task": done.name}
    messages.success(request, f"{text} {outcome}".strip(), extra_tags="outcome")
    if request.POST.get("then") == "next":
        following = inbox_tasks(request.user).exclude(pk=task_id).first()
        if following is not None:
            return redirect("inbox:task", task_id=following.pk)
        messages.info(request, _("Nothing else is waiting for you."))
    return redirect("inbox:index")


def _task_page(
    request: HttpRequest,
    task: HumanTask,
    form: SchemaForm,
    status: int,
    confirm: list[str] | None = None,
) -> HttpResponse:
    case = task.case
    definition = parsed(case.definition)
    user = request.user
    acts = task.assignee_id == user.pk or has_role(user, task.role, task.agency_id)
    context = {
        "task": task,
        "case": case,
        "form": form,
        "confirm": confirm or [],
        "events": timeline(definition, case_timeline(case)),
        "staff": case.subject,
        # What the model says this decision rests on, above the form; all the case's
        # labelled data beside it.
        "task_facts": task_facts(definition, task.bpmn_id, case.data),
        "warnings": case_warnings(definition, case.data) if task.is_active else [],
        "facts": case_facts(definition, case.data),
        "due_hint": due_hint(task.due_at, timezone.now()) if task.is_active else "",
        "acts": acts,
        "may_urge": task.is_active and not acts and may_urge(task, user),
        "colleagues": assignable_colleagues(task, user) if task.is_active else [],
        # Art. 15(4): personal data in full for the case agency's HR officers only.
        "full_personal_data": sees_personal_data(user, case.agency_id),
        # The case's files (each with its SHA-256) and its thread, beside the decision.
        **panel_context(request, case),
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


@login_required
@require_POST
def assign(request: HttpRequest, task_id: int) -> HttpResponse:
    task = task_for(request.user, task_id)
    assignee = get_user_model().objects.filter(pk=request.POST.get("assignee") or 0).first()
    try:
        if assignee is None:
            raise StepRefused(_("Choose the colleague to give the task to."))
        handling.task_assign(task_id=task.pk, user=request.user, assignee=assignee)
    except StepRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Task assigned."))
    return redirect(_back(request))


@login_required
@require_POST
def urge(request: HttpRequest, task_id: int) -> HttpResponse:
    task = task_for(request.user, task_id)
    try:
        handling.task_urge(task_id=task.pk, user=request.user, note=request.POST.get("note", ""))
    except StepRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Urged; it is recorded in the case history."))
    return redirect(_back(request))


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Complete the selected tasks of one kind with one decision and one comment."""
    ids = [int(v) for v in request.POST.getlist("task") if v.isdigit()]
    tasks = list(inbox_tasks(request.user).filter(pk__in=ids).select_related("case__definition"))
    back = reverse("inbox:index") + "?" + urlencode({"kind": request.POST.get("kind", "")})
    if not tasks:
        messages.error(request, _("Select the tasks to complete."))
        return redirect(back)
    form = _form_for(tasks[0], request.POST)
    if not form.is_valid():
        messages.error(
            request, _("The decision is incomplete: %(errors)s") % {"errors": _errors(form)}
        )
        return redirect(back)
    confirm = [] if request.POST.get("_confirmed") else confirmations(form)
    if confirm:
        return render(
            request,
            "inbox/bulk_confirm.html",
            {"tasks": tasks, "confirm": confirm, "posted": request.POST.lists(), "back": back},
        )
    try:
        results = handling.tasks_complete_bulk(
            tasks=tasks, user=request.user, data=form.task_data(), comment=form.comment
        )
    except StepRefused as exc:
        messages.error(request, exc.message)
        return redirect(back)
    return render(request, "inbox/bulk_done.html", {"results": results, "back": back})


def _errors(form: SchemaForm) -> str:
    """The form's errors in one line: "审批意见 这个字段是必填项。"."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.append(f"{label} {' '.join(map(str, errors))}".strip())
    return "；".join(parts)


@login_required
@require_POST
def filter_save(request: HttpRequest) -> HttpResponse:
    """Keep the current filters under a name, for oneself or one's agency."""
    query = request.POST.get("query", "")
    agency = Agency.objects.filter(pk=request.POST.get("share") or 0).first()
    try:
        inbox_services.saved_filter_create(
            owner=request.user, name=request.POST.get("name", ""), query=query, agency=agency
        )
    except StepRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Filter saved."))
    return redirect(reverse("inbox:index") + (f"?{query}" if query else ""))


@login_required
@require_POST
def filter_delete(request: HttpRequest, filter_id: int) -> HttpResponse:
    try:
        inbox_services.saved_filter_delete(owner=request.user, filter_id=filter_id)
    except StepRefused as exc:
        messages.error(request, exc.message)
    return redirect("inbox:index")
