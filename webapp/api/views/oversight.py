"""The oversight pages over HTTP: integrity runs of the case histories (Art. 15(3)), the
Art. 6 report as JSON, correction orders (Art. 22) and the filing of detailed measures
(Art. 26). The same services and selectors as the pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from webapp.accounts.models import Agency
from webapp.audit.models import IntegrityRun
from webapp.audit.selectors import integrity_runs_for
from webapp.audit.services import integrity_run_start
from webapp.cases.supervision import (
    MAX_FINDINGS,
    MAX_MEASURES,
    correction_order_open,
    measures_filing_open,
)
from webapp.reports import tables
from webapp.reports.forms import ReportFilterForm
from webapp.reports.selectors import employing_agencies, report_agencies, report_agency_ids

from ..forms import checked
from ..serializers import CaseDetailSerializer, record_id


class IntegrityRunSerializer(serializers.ModelSerializer[IntegrityRun]):
    broken_keys = serializers.ListField(child=serializers.CharField())
    breaks = serializers.ListField(child=serializers.DictField())

    class Meta:
        model = IntegrityRun
        fields = ["id", "status", "in_background", "checked", "broken_keys", "breaks"]
        fields += ["error", "started_at", "finished_at"]


@extend_schema(tags=["audit"], methods=["GET"], responses=IntegrityRunSerializer(many=True))
@extend_schema(
    tags=["audit"], methods=["POST"], request=None, responses={201: IntegrityRunSerializer}
)
@api_view(["GET", "POST"])
def integrity_runs(request: Request) -> Response:
    """The caller's verifications of every case history they may see (Art. 15(3)), newest
    first; POST starts one (at once for a few hundred cases, else in the background)."""
    if request.method == "GET":
        runs = integrity_runs_for(request.user)[:20]
        return Response(IntegrityRunSerializer(runs, many=True).data)
    run = integrity_run_start(user=request.user)
    return Response(IntegrityRunSerializer(run).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["audit"], responses=IntegrityRunSerializer)
@api_view(["GET"])
def integrity_run_detail(request: Request, run_id: int) -> Response:
    run = integrity_runs_for(request.user).filter(pk=run_id).first()
    if run is None:
        raise Http404
    return Response(IntegrityRunSerializer(run).data)


class ReportQuery(serializers.Serializer[Any]):
    agency = record_id(required=False, help_text="One agency and the units below it.")
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


class ReportColumnSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    kind = serializers.ChoiceField(choices=["int", "pct", "days", "text"])


class ReportSectionSerializer(serializers.Serializer[Any]):
    key = serializers.ChoiceField(choices=tables.SECTION_KEYS)
    title = serializers.CharField()
    note = serializers.CharField()
    columns = ReportColumnSerializer(many=True)
    rows = serializers.ListField(child=serializers.DictField())
    total = serializers.DictField(allow_null=True)


class ReportSerializer(serializers.Serializer[Any]):
    start = serializers.DateField()
    end = serializers.DateField()
    sections = ReportSectionSerializer(many=True)


@extend_schema(tags=["reports"], parameters=[ReportQuery], responses=ReportSerializer)
@api_view(["GET"])
def report(request: Request) -> Response:
    """The Art. 6 figures of the reports page, per agency, for a year (default this year)
    or a date range: headcount, certification, training, grades, complaints, discipline,
    supervision, cycle and waiting times."""
    scope = report_agencies(request.user)
    if not scope.exists():
        raise PermissionDenied(
            _("Reports are for the justice bureau, auditors and agency officers.")
        )
    form = checked(
        lambda posted: ReportFilterForm(posted, agencies=scope), request.query_params.dict()
    )
    ids = report_agency_ids(scope, form.chosen_agency())
    period = form.period()
    sections = tables.build(employing_agencies(ids), ids, period, timezone.now())
    body = {
        "start": period.start,
        "end": period.end,
        "sections": [
            {
                "key": s.key,
                "title": s.title,
                "note": s.note,
                "columns": [vars(c) for c in s.columns],
                "rows": s.rows,
                "total": s.total,
            }
            for s in sections
        ],
    }
    return Response(ReportSerializer(body).data)


class CorrectionOrderRequest(serializers.Serializer[Any]):
    agency = record_id(help_text="The agency ordered to correct.")
    order_findings = serializers.CharField(max_length=MAX_FINDINGS)
    correction_deadline = serializers.DateField(help_text="After today.")


@extend_schema(
    tags=["supervision"], request=CorrectionOrderRequest, responses={201: CaseDetailSerializer}
)
@api_view(["POST"])
def correction_orders(request: Request) -> Response:
    """Order an agency to correct what it did against the Measures, by a deadline
    (Art. 22): the justice bureau for the agencies it is granted, or a superior organ's
    approver for the units below."""
    body = CorrectionOrderRequest(data=request.data)
    body.is_valid(raise_exception=True)
    case = correction_order_open(
        user=request.user,
        agency=_agency(body.validated_data["agency"]),
        findings=body.validated_data["order_findings"],
        deadline=body.validated_data["correction_deadline"],
    )
    out = CaseDetailSerializer(case, context={"request": request}).data
    return Response(out, status=status.HTTP_201_CREATED)


class MeasuresFilingRequest(serializers.Serializer[Any]):
    agency = record_id()
    measures_title = serializers.CharField(max_length=100)
    measures_text = serializers.CharField(max_length=MAX_MEASURES)
    measures_adopted_on = serializers.DateField()


@extend_schema(
    tags=["supervision"], request=MeasuresFilingRequest, responses={201: CaseDetailSerializer}
)
@api_view(["POST"])
def measures_filings(request: Request) -> Response:
    """File the agency's detailed measures with the staffing office, HR & social security
    and justice departments (Art. 26); the agency's HR officer only."""
    body = MeasuresFilingRequest(data=request.data)
    body.is_valid(raise_exception=True)
    case = measures_filing_open(
        user=request.user,
        agency=_agency(body.validated_data["agency"]),
        title=body.validated_data["measures_title"],
        text=body.validated_data["measures_text"],
        adopted_on=body.validated_data["measures_adopted_on"],
    )
    out = CaseDetailSerializer(case, context={"request": request}).data
    return Response(out, status=status.HTTP_201_CREATED)


def _agency(agency_id: int) -> Agency:
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        raise serializers.ValidationError({"agency": _("No such agency.")})
    return agency
