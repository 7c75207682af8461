"""Staff and certificates over HTTP, read-only, scoped to the agencies the caller may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from webapp.accounts.selectors import visible_agency_ids
from webapp.staff.models import Certificate, CertificateState, Staff, StaffState
from webapp.staff.selectors import staff_visible_to

from ..serializers import (
    CertificateSerializer,
    StaffDetailSerializer,
    StaffSerializer,
    record_id,
)


class StaffFilter(serializers.Serializer[Any]):
    q = serializers.CharField(required=False, max_length=50, help_text=_("Part of the name."))
    state = serializers.ChoiceField(required=False, choices=StaffState.values)
    agency = record_id(required=False)


@extend_schema(tags=["staff"], parameters=[StaffFilter])
class StaffList(generics.ListAPIView[Staff]):
    """The register of the agencies the caller may see; personal data masked (Art. 15(4))
    unless the caller is an HR officer of the member's agency."""

    serializer_class = StaffSerializer

    def get_queryset(self) -> QuerySet[Staff]:
        query = StaffFilter(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data
        staff: QuerySet[Staff] = Staff.objects.filter(
            agency_id__in=visible_agency_ids(self.request.user)
        )
        if wanted.get("q"):
            staff = staff.filter(name__icontains=wanted["q"].strip())
        if wanted.get("state"):
            staff = staff.filter(state=wanted["state"])
        if wanted.get("agency"):
            staff = staff.filter(agency_id=wanted["agency"])
        return staff.select_related("agency").order_by("agency__code", "name", "pk")


@extend_schema(tags=["staff"])
class StaffDetail(generics.RetrieveAPIView[Staff]):
    """One member's record with their certificates and the cases that may be opened."""

    serializer_class = StaffDetailSerializer

    def get_object(self) -> Staff:
        return staff_visible_to(self.request.user, int(self.kwargs["staff_id"]))


class CertificateFilter(serializers.Serializer[Any]):
    number = serializers.CharField(required=False, max_length=40)
    state = serializers.ChoiceField(required=False, choices=CertificateState.values)
    staff = record_id(required=False)


def _certificates(user: Any) -> QuerySet[Certificate]:
    visible = visible_agency_ids(user)
    return Certificate.objects.filter(staff__agency_id__in=visible).select_related(
        "staff", "agency"
    )


@extend_schema(tags=["staff"], parameters=[CertificateFilter])
class CertificateList(generics.ListAPIView[Certificate]):
    """Certificates (Art. 19) of the members the caller may see."""

    serializer_class = CertificateSerializer

    def get_queryset(self) -> QuerySet[Certificate]:
        query = CertificateFilter(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data
        certificates = _certificates(self.request.user)
        if wanted.get("number"):
            certificates = certificates.filter(number__icontains=wanted["number"].strip())
        if wanted.get("state"):
            certificates = certificates.filter(state=wanted["state"])
        if wanted.get("staff"):
            certificates = certificates.filter(staff_id=wanted["staff"])
        return certificates.order_by("-issued_at", "pk")


@extend_schema(tags=["staff"])
class CertificateDetail(generics.RetrieveAPIView[Certificate]):
    serializer_class = CertificateSerializer

    def get_object(self) -> Certificate:
        try:
            return _certificates(self.request.user).get(pk=int(self.kwargs["certificate_id"]))
        except Certificate.DoesNotExist:
            raise Http404 from None
