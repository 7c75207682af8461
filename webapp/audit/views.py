"""Auditor pages: case search (saved, exported), exports, and the integrity check.

Every read goes through the visibility selectors (Art. 4); the only writes here are the
auditor's own saved searches and integrity runs.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from webapp.cases.selectors import case_for
from webapp.errors import StepRefused

from . import exports, selectors, services
from .forms import CaseSearchForm, SavedSearchForm

PAGE_SIZE = 25
EXPORT_LIMIT = 10_000


def _search(request: HttpRequest) -> tuple[CaseSearchForm, dict[str, Any], Any]:
    form = CaseSearchForm(request.GET or None, user=request.user)
    criteria = form.criteria() if form.is_bound and form.is_valid() else {}
    if form.is_bound and not form.is_valid():
        return form, criteria, selectors.case_search(request.user, {}).none()
    return form, criteria, selectors.case_search(request.user, criteria)


@login_required
def search(request: HttpRequest) -> HttpResponse:
    form, criteria, cases = _search(request)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "query": urlencode(criteria),
        "criteria": criteria,
        "saved": selectors.saved_searches_for(request.user),
        "save_form": SavedSearchForm(user=request.user),
    }
    return render(request, "audit/search.html", context, status=400 if form.errors else 200)


@login_required
def search_export(request: HttpRequest) -> HttpResponse:
    _form, _criteria, cases = _search(request)
    return _file(exports.search_xlsx(cases[:EXPORT_LIMIT]), "cases.xlsx", exports.XLSX)


@login_required
@require_POST
def saved_search_new(request: HttpRequest) -> HttpResponse:
    form = SavedSearchForm(request.POST, user=request.user)
    search_form = CaseSearchForm(request.POST, user=request.user)
    criteria = search_form.criteria() if search_form.is_valid() else {}
    if form.is_valid() and search_form.is_valid():
        try:
            saved = services.saved_search_create(
                owner=request.user,
                name=form.cleaned_data["name"],
                criteria=criteria,
                shared_role=form.cleaned_data["shared_role"],
                shared_agency=form.cleaned_data["shared_agency"],
            )
        except StepRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Search “%(name)s” saved.") % {"name": saved.name})
    else:
        messages.error(request, _("Give the search a name and valid criteria."))
    return redirect(f"{reverse('audit:search')}?{urlencode(criteria)}")


@login_required
def saved_search_run(request: HttpRequest, search_id: int) -> HttpResponse:
    saved = selectors.saved_search_for(request.user, search_id)
    return redirect(f"{reverse('audit:search')}?{urlencode(saved.params)}")


@login_required
@require_POST
def saved_search_delete(request: HttpRequest, search_id: int) -> HttpResponse:
    services.saved_search_delete(owner=request.user, search_id=search_id)
    messages.success(request, _("Saved search deleted."))
    return redirect("audit:search")


@login_required
def case_pdf(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request.user, case_id)
    return _file(exports.case_history_pdf(case), f"{case.business_key}.pdf", "application/pdf")


@login_required
def case_xlsx(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request.user, case_id)
    return _file(exports.case_history_xlsx(case), f"{case.business_key}.xlsx", exports.XLSX)


@login_required
def archive_pdf(request: HttpRequest, staff_id: int) -> HttpResponse:
    archive = selectors.archive_for(request.user, staff_id)
    body = exports.archive_pdf(
        archive.staff, archive.cases, full_personal_data=archive.full_personal_data
    )
    return _file(body, f"archive-{archive.staff.pk}.pdf", "application/pdf")


@login_required
def archive_xlsx(request: HttpRequest, staff_id: int) -> HttpResponse:
    archive = selectors.archive_for(request.user, staff_id)
    body = exports.archive_xlsx(
        archive.staff, archive.cases, full_personal_data=archive.full_personal_data
    )
    return _file(body, f"archive-{archive.staff.pk}.xlsx", exports.XLSX)


def _file(body: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def integrity(request: HttpRequest) -> HttpResponse:
    runs = selectors.integrity_runs_for(request.user)[:10]
    return render(request, "audit/integrity.html", {"runs": runs})


@login_required
@require_POST
def integrity_run(request: HttpRequest) -> HttpResponse:
    run = services.integrity_run_start(user=request.user)
    if run.in_background:
        messages.info(request, _("The verification runs in the background; reload for its result."))
    return redirect("audit:integrity")
