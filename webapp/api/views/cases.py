"""Cases over HTTP: list, open one about a staff member, read, history with its hashes."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from webapp.accounts.models import Agency
from webapp.cases.history import verify_case
from webapp.cases.models import Case, CaseStatus
from webapp.cases.openings import recruitment_open, usage_plan_open
from webapp.cases.selectors import case_for, case_timeline
from webapp.staff.forms import ApplicationForm
from webapp.staff.models import Education
from webapp.staff.selectors import staff_visible_to

from .. import selectors, services
from ..forms import checked
from ..serializers import (
    CaseDetailSerializer,
    CaseSerializer,
    CaseStartSerializer,
    EventSerializer,
    record_id,
)


class CaseFilter(serializers.Serializer[Any]):
    q = serializers.CharField(
        required=False, max_length=100, help_text=gettext_lazy("Business key or title.")
    )
    process = serializers.CharField(required=False, max_length=64)
    status = serializers.ChoiceField(required=False, choices=CaseStatus.values)
    staff = record_id(required=False)


@extend_schema_view(get=extend_schema(tags=["cases"], parameters=[CaseFilter]))
class CaseList(generics.ListCreateAPIView[Case]):
    """Cases of the agencies the caller may see (Art. 4), newest first; POST opens one."""

    serializer_class = CaseSerializer

    def get_queryset(self) -> QuerySet[Case]:
        query = CaseFilter(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.case_list(self.request.user, **query.validated_data)

    @extend_schema(
        tags=["cases"],
        request=CaseStartSerializer,
        responses={201: CaseDetailSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Open a case about a staff member on one of the processes their state allows
        (training, assessment, commendation, discipline, separation, liability, renewal);
        only an HR officer of the member's agency may."""
        selectors.hr_agencies(request.user)
        body = CaseStartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        staff = staff_visible_to(request.user, body.validated_data["staff"])
        try:
            case = services.case_open_about_staff(
                user=request.user, staff=staff, process_id=body.validated_data["process"]
            )
        except services.ProcessNotStartable as exc:
            raise ValidationError({"process": exc.message}) from None
        body_out = CaseDetailSerializer(case, context={"request": request}).data
        return Response(body_out, status=status.HTTP_201_CREATED)


@extend_schema(tags=["cases"], responses=CaseDetailSerializer)
@api_view(["GET"])
def case_detail(request: Request, case_id: int) -> Response:
    """One case: its process, state, data and open tasks."""
    case = case_for(request.user, case_id)
    return Response(CaseDetailSerializer(case, context={"request": request}).data)


@extend_schema(
    tags=["cases"],
    responses=inline_serializer(
        "CaseHistory",
        {
            "business_key": serializers.CharField(),
            "intact": serializers.BooleanField(),
            "breaks": serializers.ListField(child=serializers.CharField()),
            "head_hash": serializers.CharField(),
            "events": EventSerializer(many=True),
        },
    ),
)
@api_view(["GET"])
def case_history(request: Request, case_id: int) -> Response:
    """The case's hash-chained history (Art. 15(3)): every event with its article and hash,
    and whether the chain is intact."""
    case = case_for(request.user, case_id)
    breaks = verify_case(case)
    return Response(
        {
            "business_key": case.business_key,
            "intact": not breaks,
            "breaks": [str(b.label) for b in breaks],
            "head_hash": case.head_hash,
            "events": EventSerializer(case_timeline(case), many=True).data,
        }
    )


class RecruitmentSerializer(serializers.Serializer[Any]):
    """The application form's fields (`webapp/staff/forms.py` ApplicationForm)."""

    agency = record_id()
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=20)
    education = serializers.ChoiceField(choices=Education.choices)
    post = serializers.CharField(max_length=60)
    required_education = serializers.ChoiceField(
        choices=Education.choices, required=False, default=Education.COLLEGE
    )
    education_requirement_reason = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )
    veteran = serializers.BooleanField(required=False, default=False)
    bravery = serializers.BooleanField(required=False, default=False)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


@extend_schema(tags=["cases"], request=RecruitmentSerializer, responses={201: CaseDetailSerializer})
@api_view(["POST"])
def recruitment_start(request: Request) -> Response:
    """Register an applicant and open their recruitment case (Art. 10, 11), as the
    application form does; only an HR officer of the agency may."""
    agencies = selectors.recruiting_agencies(request.user)
    body = RecruitmentSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    # The serializer's defaults (a post requires junior college unless it says otherwise,
    # Art. 10(4)) are what the schema documents, so the form sees them filled in.
    values = {**dict(request.data), **body.validated_data}
    form = checked(lambda posted: ApplicationForm(posted, agencies=agencies), values)
    case = recruitment_open(user=request.user, fields=form.cleaned_data)
    body_out = CaseDetailSerializer(case, context={"request": request}).data
    return Response(body_out, status=status.HTTP_201_CREATED)


class UsagePlanSerializer(serializers.Serializer[Any]):
    agency = record_id()


@extend_schema(tags=["cases"], request=UsagePlanSerializer, responses={201: CaseDetailSerializer})
@api_view(["POST"])
def usage_plan_start(request: Request) -> Response:
    """Draft a usage plan for one of the caller's agencies (Art. 8, 9)."""
    selectors.hr_agencies(request.user)
    body = UsagePlanSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    try:
        agency = Agency.objects.get(pk=body.validated_data["agency"])
    except Agency.DoesNotExist:
        raise ValidationError({"agency": _("Choose one of your agencies.")}) from None
    case = usage_plan_open(agency=agency, actor=request.user)
    body_out = CaseDetailSerializer(case, context={"request": request}).data
    return Response(body_out, status=status.HTTP_201_CREATED)
