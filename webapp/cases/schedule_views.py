"""The operator's view of the scheduler: due next, fired, failed (with why), retry."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from webapp.accounts.roles import Role
from webapp.accounts.selectors import has_role

from . import tasks
from .models import JobRun
from .selectors import schedule_overview


def _operator_only(request: HttpRequest) -> None:
    if not (request.user.is_staff or has_role(request.user, Role.DESIGNER)):
        raise Http404


@login_required
def schedule(request: HttpRequest) -> HttpResponse:
    _operator_only(request)
    return render(request, "cases/schedule.html", schedule_overview(timezone.now()))


@login_required
@require_POST
def schedule_retry(request: HttpRequest, run_id: int) -> HttpResponse:
    _operator_only(request)
    try:
        tasks.retry(run_id)
    except JobRun.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("The job was sent again."))
    return redirect("schedule")
