"""Staff and certificates over HTTP, read-only, scoped to the agencies the caller may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from webapp.staff.models import Certificate, CertificateState, Staff, StaffState
from webapp.staff.selectors import staff_visible_to

from .. import selectors
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
        return selectors.staff_list(self.request.user, **query.validated_data)


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


@extend_schema(tags=["staff"], parameters=[CertificateFilter])
class CertificateList(generics.ListAPIView[Certificate]):
    """Certificates (Art. 19) of the members the caller may see."""

    serializer_class = CertificateSerializer

    def get_queryset(self) -> QuerySet[Certificate]:
        query = CertificateFilter(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.certificate_list(self.request.user, **query.validated_data)


@extend_schema(tags=["staff"])
class CertificateDetail(generics.RetrieveAPIView[Certificate]):
    serializer_class = CertificateSerializer

    def get_object(self) -> Certificate:
        try:
            return selectors.certificates_visible(self.request.user).get(
                pk=int(self.kwargs["certificate_id"])
            )
        except Certificate.DoesNotExist:
            raise Http404 from None
