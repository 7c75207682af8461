"""Report pages (Art. 6): figures per agency and for every agency the user may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import excel, tables
from .forms import ReportFilterForm
from .selectors import Period, employing_agencies, report_agencies, report_agency_ids

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Report:
    form: ReportFilterForm
    period: Period | None = None
    sections: list[tables.Section] | None = None


def _report(request: HttpRequest) -> Report:
    scope = report_agencies(request.user)
    if not scope.exists():
        raise PermissionDenied(
            _("Reports are for the justice bureau, auditors and agency officers.")
        )
    form = ReportFilterForm(request.GET or None, agencies=scope)
    if form.is_bound and not form.is_valid():
        return Report(form)
    ids = report_agency_ids(scope, form.chosen_agency())
    period = form.period()
    sections = tables.build(employing_agencies(ids), ids, period, timezone.now())
    return Report(form, period, sections)


@login_required
def report_page(request: HttpRequest) -> HttpResponse:
    report = _report(request)
    context = {
        "form": report.form,
        "period": report.period,
        "sections": report.sections,
        "charts": tables.chart_payload(report.sections) if report.sections else {},
        "query": request.GET.urlencode(),
    }
    return render(request, "reports/index.html", context)


@login_required
def report_export(request: HttpRequest) -> HttpResponse:
    report = _report(request)
    if report.sections is None or report.period is None:
        errors = "; ".join(str(e) for e in report.form.errors.get("__all__", []))
        return HttpResponseBadRequest(errors or _("The report filter is not valid."))
    wanted = request.GET.get("section", "")
    sections = [s for s in report.sections if not wanted or s.key == wanted]
    if not sections:
        return HttpResponseBadRequest(_("There is no such report."))
    content = excel.workbook(sections, report.period)
    name = f"fuzhi-report-{wanted or 'all'}-{report.period.start}-{report.period.end}.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
