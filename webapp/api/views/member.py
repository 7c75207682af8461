"""A member's own record and filings over HTTP (Art. 12): what ``/me/`` shows and does,
for the member only and about themselves."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from webapp.cases.member_filings import MAX_TEXT, appeal_open, suggestion_open
from webapp.cases.models import CaseStatus
from webapp.member import selectors
from webapp.staff.accounts import member_of

from ..serializers import CertificateSerializer, record_id


class OwnCaseSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    business_key = serializers.CharField()
    process = serializers.CharField(source="definition.process_id")
    process_name = serializers.CharField(source="definition.name")
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class AppealableSerializer(serializers.Serializer[Any]):
    case = serializers.IntegerField(source="case.pk")
    kind = serializers.ChoiceField(choices=["assessment", "discipline"])
    summary = serializers.CharField()
    decided_on = serializers.DateField()
    appeal = serializers.CharField(source="appeal.business_key", allow_null=True, default=None)


class OwnRecordSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(source="staff.name")
    agency = serializers.CharField(source="staff.agency.name")
    post = serializers.CharField(source="staff.post")
    state = serializers.CharField(source="staff.state")
    grade = serializers.CharField(source="staff.grade")
    contract_start = serializers.DateField(source="staff.contract_start", allow_null=True)
    contract_end = serializers.DateField(source="staff.contract_end", allow_null=True)
    certificate = CertificateSerializer(allow_null=True)
    assessments = serializers.SerializerMethodField()
    duties = serializers.SerializerMethodField()
    cases = OwnCaseSerializer(many=True)
    appealable = AppealableSerializer(many=True)

    def get_assessments(self, record: Any) -> list[dict[str, Any]]:
        return [{"year": a.year, "grade": a.grade} for a in record.staff.assessments.all()]

    def get_duties(self, record: Any) -> list[dict[str, Any]]:
        return [
            {"duty": d.duty, "officer_name": d.officer_name, "assigned_at": d.assigned_at}
            for d in record.staff.duties.all()
        ]


def _member(request: Request) -> Any:
    staff = member_of(request.user)
    if staff is None:
        raise Http404
    return staff


@extend_schema(tags=["member"], responses=OwnRecordSerializer)
@api_view(["GET"])
def me(request: Request) -> Response:
    """The signed-in member's own record: certificate, grade, assessments, duties, the
    cases about them and the decisions they may appeal (Art. 12, 18)."""
    record = selectors.own_record(_member(request))
    return Response(OwnRecordSerializer(record).data)


class AppealRequest(serializers.Serializer[Any]):
    decision = record_id(help_text="The case of the grade or decision appealed (`appealable`).")
    reason = serializers.CharField(max_length=MAX_TEXT)


@extend_schema(tags=["member"], request=AppealRequest, responses={201: OwnCaseSerializer})
@api_view(["POST"])
def appeals(request: Request) -> Response:
    """Appeal a yearly grade or a disciplinary decision about oneself (Art. 12), within
    the period the appeal model sets."""
    _member(request)
    body = AppealRequest(data=request.data)
    body.is_valid(raise_exception=True)
    case = appeal_open(
        user=request.user,
        decision_case_id=body.validated_data["decision"],
        reason=body.validated_data["reason"],
    )
    return Response(OwnCaseSerializer(case).data, status=status.HTTP_201_CREATED)


class SuggestionRequest(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=MAX_TEXT)


@extend_schema(tags=["member"], request=SuggestionRequest, responses={201: OwnCaseSerializer})
@api_view(["POST"])
def suggestions(request: Request) -> Response:
    """Make a suggestion to one's agency (Art. 12); the reply comes back on the case."""
    _member(request)
    body = SuggestionRequest(data=request.data)
    body.is_valid(raise_exception=True)
    case = suggestion_open(user=request.user, text=body.validated_data["text"])
    return Response(OwnCaseSerializer(case).data, status=status.HTTP_201_CREATED)
