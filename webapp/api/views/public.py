"""The public's endpoints, no login: registry search and certificate verification
(Art. 18, 19), complaint submission and its receipt lookup (Art. 18).

They call the public site's own selectors and services, so the API shows exactly what
the public pages show: name, unit and certificate number, never personal data.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from webapp.public import selectors, services
from webapp.public.selectors import CertificateStatus, ComplaintStage

from ..serializers import record_id
from ..throttles import (
    AnonThrottle,
    PublicComplaintLimit,
    PublicReadLimit,
    PublicReceiptLimit,
    UserThrottle,
)


class RegistryQuery(serializers.Serializer[Any]):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=selectors.MAX_QUERY_LENGTH,
        help_text="Name, unit or certificate number; empty lists everyone.",
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=50)
    offset = serializers.IntegerField(required=False, min_value=0, max_value=100_000, default=0)


class RegistryEntrySerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    unit = serializers.CharField()
    certificate_number = serializers.CharField()
    valid = serializers.BooleanField()


class RegistryPageSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    results = RegistryEntrySerializer(many=True)


class CertificateCheckSerializer(serializers.Serializer[Any]):
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=[s.value for s in CertificateStatus])
    entry = RegistryEntrySerializer(allow_null=True)


class ComplaintSerializer(serializers.Serializer[Any]):
    agency = record_id(
        required=False,
        allow_null=True,
        help_text="The unit complained about (its id). Required unless certificate_number "
        "names a serving member (Art. 18).",
    )
    description = serializers.CharField(max_length=services.MAX_DESCRIPTION)
    certificate_number = serializers.CharField(
        required=False, allow_blank=True, max_length=40, default=""
    )
    staff_hint = serializers.CharField(
        required=False, allow_blank=True, max_length=services.MAX_STAFF_HINT, default=""
    )
    contact = serializers.CharField(
        required=False, allow_blank=True, max_length=services.MAX_CONTACT, default=""
    )
    name = serializers.CharField(
        required=False, allow_blank=True, max_length=services.MAX_NAME, default=""
    )


class ReceiptSerializer(serializers.Serializer[Any]):
    receipt = serializers.CharField()


class ComplaintStatusSerializer(serializers.Serializer[Any]):
    receipt = serializers.CharField()
    unit = serializers.CharField()
    submitted_on = serializers.DateField()
    stage = serializers.ChoiceField(choices=[s.value for s in ComplaintStage])
    reply = serializers.CharField(allow_blank=True)
    replied_on = serializers.DateField(allow_null=True)


def public(view: Any) -> Any:
    """No login, no session (so no CSRF token needed), the anonymous rate."""
    view = authentication_classes([])(view)
    view = permission_classes([AllowAny])(view)
    return view


@extend_schema(tags=["public"], parameters=[RegistryQuery], responses=RegistryPageSerializer)
@api_view(["GET"])
@public
@throttle_classes([AnonThrottle, PublicReadLimit])
def registry(request: Request) -> Response:
    """Search the public registry of serving auxiliary staff (Art. 18)."""
    query = RegistryQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    q, limit, offset = (query.validated_data[k] for k in ("q", "limit", "offset"))
    rows = selectors.registry_search(q, limit, offset=offset)
    return Response({"count": selectors.registry_count(q), "results": [asdict(r) for r in rows]})


@extend_schema(tags=["public"], responses=CertificateCheckSerializer)
@api_view(["GET"])
@public
@throttle_classes([AnonThrottle, PublicReadLimit])
def certificate_check(request: Request, number: str) -> Response:
    """Is this certificate valid? valid / suspended / revoked / expired / unknown (Art. 19);
    the holder's name and unit only while it is in force."""
    if not number.isprintable():
        # Control characters (a NUL above all, which PostgreSQL refuses) are never in a number.
        raise ValidationError({"number": _("This is not a certificate number.")})
    check = selectors.certificate_check(number)
    entry = asdict(check.entry) if check.entry else None
    return Response({"number": check.number, "status": check.status.value, "entry": entry})


@extend_schema(tags=["public"], request=ComplaintSerializer, responses={201: ReceiptSerializer})
@api_view(["POST"])
@public
@throttle_classes([AnonThrottle, UserThrottle, PublicComplaintLimit])
def complaint_submit(request: Request) -> Response:
    """Submit a complaint about a unit, or about the member holding a certificate number;
    answers with the receipt number to follow it up (Art. 18)."""
    body = ComplaintSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    fields = dict(body.validated_data)
    agency_id = fields.pop("agency", None)
    agency = None
    if agency_id is not None:
        agency = selectors.complaint_agencies().filter(pk=agency_id).first()
        if agency is None:
            raise ValidationError(
                {"agency": _("Choose the unit the complaint is about (Art. 18).")}
            )
    receipt = services.complaint_submit(agency=agency, **fields)
    return Response({"receipt": receipt}, status=status.HTTP_201_CREATED)


@extend_schema(tags=["public"], responses=ComplaintStatusSerializer)
@api_view(["GET"])
@public
@throttle_classes([AnonThrottle, PublicReceiptLimit])
def complaint_status(request: Request, receipt: str) -> Response:
    """Where the complaint with this receipt number stands, and the reply once given."""
    found = services.complaint_status(receipt[:64])
    if found is None:
        raise Http404
    body = asdict(found)
    body["stage"] = found.stage.value
    return Response(body)
