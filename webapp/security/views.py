"""Sign-in (throttled) and the read-only audit log page."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .forms import AuditFilterForm, ThrottledAuthenticationForm
from .selectors import audit_entries, may_read_audit_log


class LoginView(auth_views.LoginView):
    authentication_form = ThrottledAuthenticationForm


@require_GET
@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not may_read_audit_log(request.user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = audit_entries(**{k: v for k, v in filters.items() if v})
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "security/audit_log.html",
        {"form": form, "page": page, "query": query.urlencode()},
        status=400 if form.errors else 200,
    )
