"""What the archive pages do, over HTTP: a member's duties (Art. 14) and grade (Art. 18),
their sign-in (Art. 12), the printable certificate (Art. 19), the agency directory, the
preference ranking (Art. 10) and finding a case by its business key or complaint receipt.

Views translate only: the rules are the same services and selectors the pages call.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from webapp.accounts.models import Agency, AgencyKind
from webapp.cases.selectors import case_by_key_for, recruitment_ranking, visible_cases
from webapp.documents.selectors import photo_bytes
from webapp.public.certificate_pdf import CertificateCard, certificate_pdf
from webapp.public.certificate_views import verify_url
from webapp.public.selectors import certificate_to_print
from webapp.security.member_access import member_password_issue
from webapp.staff.duties import duty_assign
from webapp.staff.grades import grade_set
from webapp.staff.models import Duty, DutyAssignment, GradeChange
from webapp.staff.selectors import staff_visible_to

from ..serializers import CaseDetailSerializer


class AgencyDirectorySerializer(serializers.ModelSerializer[Agency]):
    kind = serializers.ChoiceField(choices=AgencyKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    parent = serializers.IntegerField(source="parent_id", allow_null=True)  # type: ignore[assignment]
    may_employ_staff = serializers.BooleanField()

    class Meta:
        model = Agency
        fields = ["id", "code", "name", "name_en", "kind", "kind_label", "parent", "quota"]
        fields += ["may_employ_staff"]


class AgencyFilter(serializers.Serializer[Any]):
    q = serializers.CharField(required=False, max_length=50, help_text="Part of the name.")
    kind = serializers.ChoiceField(required=False, choices=AgencyKind.choices)


@extend_schema(tags=["agencies"], parameters=[AgencyFilter])
class AgencyList(generics.ListAPIView[Agency]):
    """The directory of agencies (a tree by ``parent``): which may employ auxiliary staff
    (Art. 2, 3) and each one's approved headcount (Art. 9)."""

    serializer_class = AgencyDirectorySerializer

    def get_queryset(self) -> QuerySet[Agency]:
        query = AgencyFilter(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        agencies = Agency.objects.order_by("code")
        if query.validated_data.get("q"):
            agencies = agencies.filter(name__icontains=query.validated_data["q"].strip())
        if query.validated_data.get("kind"):
            agencies = agencies.filter(kind=query.validated_data["kind"])
        return agencies


class DutySerializer(serializers.ModelSerializer[DutyAssignment]):
    duty_label = serializers.CharField(source="get_duty_display")

    class Meta:
        model = DutyAssignment
        fields = ["id", "duty", "duty_label", "scope", "officer_name", "officer_certificate"]
        fields += ["note", "assigned_at"]


class DutyRequest(serializers.Serializer[Any]):
    duty = serializers.ChoiceField(choices=Duty.choices)
    officer_name = serializers.CharField(
        max_length=50,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required for duties done only assisting an enforcement officer (Art. 14).",
    )
    officer_certificate = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


@extend_schema(
    tags=["staff"],
    methods=["GET"],
    responses=DutySerializer(many=True),
)
@extend_schema(
    tags=["staff"],
    methods=["POST"],
    request=DutyRequest,
    responses={201: DutySerializer},
)
@api_view(["GET", "POST"])
def staff_duties(request: Request, staff_id: int) -> Response:
    """The member's duties; POST assigns one, checked against the duty scope table
    (Art. 14) and the member's state and certificate (Art. 13, 19). Only the member's
    own agency (HR officer or approver) may assign."""
    member = staff_visible_to(request.user, staff_id)
    if request.method == "GET":
        return Response(DutySerializer(member.duties.all(), many=True).data)
    body = DutyRequest(data=request.data)
    body.is_valid(raise_exception=True)
    assignment = duty_assign(staff=member, user=request.user, **body.validated_data)
    return Response(DutySerializer(assignment).data, status=status.HTTP_201_CREATED)


class GradeChangeSerializer(serializers.ModelSerializer[GradeChange]):
    class Meta:
        model = GradeChange
        fields = ["id", "grade_before", "grade_after", "reason", "changed_at"]


class GradeRequest(serializers.Serializer[Any]):
    grade = serializers.CharField(max_length=20, help_text="The agency's own category and level.")
    reason = serializers.CharField(max_length=200)


@extend_schema(tags=["staff"], methods=["GET"], responses=GradeChangeSerializer(many=True))
@extend_schema(
    tags=["staff"], methods=["POST"], request=GradeRequest, responses={201: GradeChangeSerializer}
)
@api_view(["GET", "POST"])
def staff_grade(request: Request, staff_id: int) -> Response:
    """The member's grade changes (分类分级, Art. 18), newest first; POST records a new
    grade with its reason (the agency's HR officer only)."""
    member = staff_visible_to(request.user, staff_id)
    if request.method == "GET":
        return Response(GradeChangeSerializer(member.grade_changes.all(), many=True).data)
    body = GradeRequest(data=request.data)
    body.is_valid(raise_exception=True)
    change = grade_set(staff=member, user=request.user, **body.validated_data)
    return Response(GradeChangeSerializer(change).data, status=status.HTTP_201_CREATED)


class SignInSerializer(serializers.Serializer[Any]):
    username = serializers.CharField()
    password = serializers.CharField(help_text="One-time: the first sign-in must change it.")


@extend_schema(tags=["staff"], request=None, responses={201: SignInSerializer})
@api_view(["POST"])
def staff_sign_in(request: Request, staff_id: int) -> Response:
    """A one-time password for the member's own account (Art. 12), returned once; only an
    HR officer of the member's agency may issue it."""
    member = staff_visible_to(request.user, staff_id)
    issued = member_password_issue(staff=member, actor=request.user)
    response = Response(
        {"username": issued.username, "password": issued.password}, status=status.HTTP_201_CREATED
    )
    response["Cache-Control"] = "no-store"
    return response


@extend_schema(
    tags=["staff"],
    responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
)
@api_view(["GET"])
def certificate_pdf_download(request: Request, certificate_id: int) -> HttpResponse:
    """The printable certificate (Art. 19) with the QR code of its verification page; an
    HR officer of its agency, while it is valid."""
    certificate = certificate_to_print(request.user, certificate_id)
    card = CertificateCard.of(
        certificate,
        verify_url(request, certificate.number),
        photo=photo_bytes(certificate.staff),
    )
    response = HttpResponse(certificate_pdf(card), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{certificate.number}.pdf"'
    return response


class RankingQuery(serializers.Serializer[Any]):
    post = serializers.CharField(required=False, max_length=60, default="")


class RankingEntrySerializer(serializers.Serializer[Any]):
    rank = serializers.IntegerField()
    case = serializers.IntegerField()
    business_key = serializers.CharField()
    name = serializers.CharField()
    post = serializers.CharField()
    total_score = serializers.FloatField()
    preference = serializers.BooleanField(help_text="Veteran or recognised for bravery (Art. 10).")
    status = serializers.CharField()


@extend_schema(
    tags=["cases"], parameters=[RankingQuery], responses=RankingEntrySerializer(many=True)
)
@api_view(["GET"])
def recruitment_ranking_list(request: Request) -> Response:
    """Applicants with scores, best first; at equal scores veterans and people recognised
    for bravery first (Art. 10)."""
    query = RankingQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    cases = recruitment_ranking(request.user, query.validated_data["post"].strip())
    return Response(
        [
            {
                "rank": rank,
                "case": case.pk,
                "business_key": case.business_key,
                "name": case.subject.name if case.subject else "",
                "post": str(case.data.get("post") or ""),
                "total_score": float(case.data.get("total_score") or 0),
                "preference": bool(case.data.get("preference")),
                "status": case.status,
            }
            for rank, case in enumerate(cases, start=1)
        ]
    )


class LookupQuery(serializers.Serializer[Any]):
    key = serializers.CharField(required=False, max_length=40, help_text="A business key.")
    receipt = serializers.CharField(
        required=False, max_length=40, help_text="A complaint's receipt number (Art. 18)."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("key")) == bool(attrs.get("receipt")):
            raise serializers.ValidationError(_("Give a business key or a receipt number."))
        return attrs


@extend_schema(tags=["cases"], parameters=[LookupQuery], responses=CaseDetailSerializer)
@api_view(["GET"])
def case_lookup(request: Request) -> Response:
    """One case found by its business key or, for a complaint, by the receipt the
    complainant was given; only among the cases the caller may see (Art. 4)."""
    query = LookupQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    if query.validated_data.get("key"):
        case = case_by_key_for(request.user, query.validated_data["key"].strip())
    else:
        receipt = query.validated_data["receipt"].strip()
        found = visible_cases(request.user).filter(
            definition__process_id="complaint", data__receipt_number=receipt
        )
        case = case_by_key_for(
            request.user, str(found.values_list("business_key", flat=True).first() or "")
        )
    return Response(CaseDetailSerializer(case, context={"request": request}).data)
