"""Cases over HTTP: list, open one about a staff member, read, history with its hashes."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from webapp.accounts.models import Agency
from webapp.accounts.roles import Role
from webapp.accounts.selectors import acting_agency_ids
from webapp.cases.history import verify_case
from webapp.cases.models import Case, CaseStatus
from webapp.cases.openings import case_open_for_staff, recruitment_open, usage_plan_open
from webapp.cases.selectors import case_for, case_timeline, visible_cases
from webapp.cases.subjects import startable_processes
from webapp.errors import NotPermitted
from webapp.staff.forms import ApplicationForm
from webapp.staff.models import Education
from webapp.staff.selectors import staff_visible_to

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
        wanted = query.validated_data
        cases = visible_cases(self.request.user).select_related(
            "definition", "agency", "subject", "started_by"
        )
        if wanted.get("q"):
            term = wanted["q"].strip()
            cases = cases.filter(Q(business_key__icontains=term) | Q(title__icontains=term))
        if wanted.get("process"):
            cases = cases.filter(definition__process_id=wanted["process"])
        if wanted.get("status"):
            cases = cases.filter(status=wanted["status"])
        if wanted.get("staff"):
            cases = cases.filter(subject_id=wanted["staff"])
        return cases.order_by("-started_at", "-pk")

    @extend_schema(
        tags=["cases"],
        request=CaseStartSerializer,
        responses={201: CaseDetailSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Open a case about a staff member on one of the processes their state allows
        (training, assessment, commendation, discipline, separation, liability, renewal);
        only an HR officer of the member's agency may."""
        body = CaseStartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        staff = staff_visible_to(request.user, body.validated_data["staff"])
        process = body.validated_data["process"]
        allowed = [process_id for process_id, _name in startable_processes(staff)]
        if process not in allowed:
            raise ValidationError(
                {
                    "process": _(
                        "No case on this process can be opened about %(name)s now; "
                        "possible: %(allowed)s."
                    )
                    % {"name": staff.name, "allowed": ", ".join(allowed) or "—"}
                }
            )
        case = case_open_for_staff(process_id=process, staff=staff, actor=request.user)
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
    agencies = Agency.objects.filter(pk__in=acting_agency_ids(request.user, Role.HR_OFFICER))
    if not agencies.exists():
        raise NotPermitted(_("Only an HR officer can open a recruitment case."))
    body = RecruitmentSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    form = checked(lambda posted: ApplicationForm(posted, agencies=agencies), dict(request.data))
    case = recruitment_open(user=request.user, fields=form.cleaned_data)
    body_out = CaseDetailSerializer(case, context={"request": request}).data
    return Response(body_out, status=status.HTTP_201_CREATED)


class UsagePlanSerializer(serializers.Serializer[Any]):
    agency = record_id()


@extend_schema(tags=["cases"], request=UsagePlanSerializer, responses={201: CaseDetailSerializer})
@api_view(["POST"])
def usage_plan_start(request: Request) -> Response:
    """Draft a usage plan for one of the caller's agencies (Art. 8, 9)."""
    body = UsagePlanSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    try:
        agency = Agency.objects.get(pk=body.validated_data["agency"])
    except Agency.DoesNotExist:
        raise ValidationError({"agency": _("Choose one of your agencies.")}) from None
    case = usage_plan_open(agency=agency, actor=request.user)
    body_out = CaseDetailSerializer(case, context={"request": request}).data
    return Response(body_out, status=status.HTTP_201_CREATED)
