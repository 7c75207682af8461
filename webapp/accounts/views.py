"""Sign-in and the home page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from webapp.errors import StepRefused

from .forms import DelegationForm
from .models import Delegation, Notification
from .roles import READ_ONLY_ROLES, Role
from .selectors import role_pairs
from .services import delegation_create, notifications_mark_read


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each user lands where their work is: auditors and the justice bureau read cases
    (they have no tasks, Art. 6, 27), designers edit models, everyone else clears tasks."""
    roles = {role for _agency, role in role_pairs(request.user)}
    if not roles:
        # A member of staff holds no role: their own record (Art. 12); the page sends
        # anyone else to the inbox.
        return redirect("member:home")
    if roles <= READ_ONLY_ROLES:
        return redirect("audit:search")
    if roles == {Role.DESIGNER}:
        return redirect("designer:index")
    return redirect("inbox:index")


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    notices = Notification.objects.filter(user_id=request.user.pk or 0)[:100]
    return render(request, "accounts/notifications.html", {"notices": notices})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    notifications_mark_read(user=request.user)
    return redirect("notifications")


@login_required
def delegations(request: HttpRequest) -> HttpResponse:
    form = DelegationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            delegation_create(delegator=request.user, **form.cleaned_data)
        except StepRefused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Delegation saved."))
            return redirect("delegations")
    given = Delegation.objects.filter(delegator_id=request.user.pk).select_related(
        "delegate", "agency"
    )
    received = Delegation.objects.filter(delegate_id=request.user.pk).select_related(
        "delegator", "agency"
    )
    return render(
        request,
        "accounts/delegations.html",
        {"form": form, "given": given, "received": received},
        status=400 if form.errors else 200,
    )
