"""Administration without a browser: users, roles in agencies, read grants and API tokens
(superusers only; the changes are in the audit log, ``webapp/security/administration.py``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from webapp.accounts.models import Agency, Grant, Membership
from webapp.accounts.roles import Role
from webapp.security import administration

from ..serializers import record_id

User = get_user_model()


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["id", "user", "agency", "role"]


class GrantSerializer(serializers.ModelSerializer[Grant]):
    class Meta:
        model = Grant
        fields = ["id", "user", "agency"]


class UserSerializer(serializers.ModelSerializer[Any]):
    memberships = MembershipSerializer(many=True, read_only=True)
    grants = GrantSerializer(many=True, read_only=True)
    has_token = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "last_name", "first_name", "email", "is_active"]
        fields += ["last_login", "memberships", "grants", "has_token"]

    def get_has_token(self, user: Any) -> bool:
        return hasattr(user, "auth_token")


class UserCreateRequest(serializers.Serializer[Any]):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class UserUpdateRequest(serializers.Serializer[Any]):
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


def _administrator(request: Request) -> None:
    administration.assert_administrator(request.user)


def _user(user_id: int) -> Any:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise Http404
    return user


def _agency(agency_id: int) -> Agency:
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        raise Http404
    return agency


@extend_schema(tags=["administration"])
class UserList(generics.ListCreateAPIView[Any]):
    """Every user with their roles, grants and whether they hold a token; POST makes one
    (no password: a token, or a password set later)."""

    serializer_class = UserSerializer

    def get_queryset(self) -> QuerySet[Any]:
        _administrator(self.request)
        return User.objects.prefetch_related("memberships", "grants").order_by("username")

    @extend_schema(
        tags=["administration"],
        request=UserCreateRequest,
        responses={201: UserSerializer, 409: OpenApiResponse(description="The name is taken")},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _administrator(request)
        body = UserCreateRequest(data=request.data)
        body.is_valid(raise_exception=True)
        user = administration.user_create(actor=request.user, **body.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["administration"], methods=["GET"], responses=UserSerializer)
@extend_schema(
    tags=["administration"], methods=["PATCH"], request=UserUpdateRequest, responses=UserSerializer
)
@api_view(["GET", "PATCH"])
def user_detail(request: Request, user_id: int) -> Response:
    """One user; PATCH changes names, e-mail, or locks and unlocks the account."""
    _administrator(request)
    user = _user(user_id)
    if request.method == "PATCH":
        body = UserUpdateRequest(data=request.data)
        body.is_valid(raise_exception=True)
        user = administration.user_update(actor=request.user, user=user, **body.validated_data)
    return Response(UserSerializer(user).data)


class MembershipRequest(serializers.Serializer[Any]):
    user = record_id()
    agency = record_id()
    role = serializers.ChoiceField(choices=Role.choices)


@extend_schema(
    tags=["administration"],
    request=MembershipRequest,
    responses={
        201: MembershipSerializer,
        409: OpenApiResponse(description="The user already holds this role there"),
    },
)
@api_view(["POST"])
def memberships(request: Request) -> Response:
    """Give a user a role in an agency (tasks of that role there reach them)."""
    _administrator(request)
    body = MembershipRequest(data=request.data)
    body.is_valid(raise_exception=True)
    membership = administration.membership_add(
        actor=request.user,
        user=_user(body.validated_data["user"]),
        agency=_agency(body.validated_data["agency"]),
        role=body.validated_data["role"],
    )
    return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["administration"], responses={204: None})
@api_view(["DELETE"])
def membership_detail(request: Request, membership_id: int) -> Response:
    _administrator(request)
    membership = Membership.objects.filter(pk=membership_id).first()
    if membership is None:
        raise Http404
    administration.membership_remove(actor=request.user, membership=membership)
    return Response(status=status.HTTP_204_NO_CONTENT)


class GrantRequest(serializers.Serializer[Any]):
    user = record_id()
    agency = record_id(help_text="Read access to this agency and every unit below it.")


@extend_schema(tags=["administration"], request=GrantRequest, responses={201: GrantSerializer})
@api_view(["POST"])
def grants(request: Request) -> Response:
    """Open an agency and the units below it to a user for reading (auditors, bureaus)."""
    _administrator(request)
    body = GrantRequest(data=request.data)
    body.is_valid(raise_exception=True)
    grant = administration.grant_add(
        actor=request.user,
        user=_user(body.validated_data["user"]),
        agency=_agency(body.validated_data["agency"]),
    )
    return Response(GrantSerializer(grant).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["administration"], responses={204: None})
@api_view(["DELETE"])
def grant_detail(request: Request, grant_id: int) -> Response:
    _administrator(request)
    grant = Grant.objects.filter(pk=grant_id).first()
    if grant is None:
        raise Http404
    administration.grant_remove(actor=request.user, grant=grant)
    return Response(status=status.HTTP_204_NO_CONTENT)


class TokenSerializer(serializers.Serializer[Any]):
    username = serializers.CharField()
    token = serializers.CharField(help_text="Shown once; send as `Authorization: Token <key>`.")


@extend_schema(
    tags=["administration"], methods=["POST"], request=None, responses={201: TokenSerializer}
)
@extend_schema(tags=["administration"], methods=["DELETE"], responses={204: None})
@api_view(["POST", "DELETE"])
def user_token(request: Request, user_id: int) -> Response:
    """POST issues the user a new API token (the old one stops working), returned once;
    DELETE revokes it. No browser sign-in is needed."""
    _administrator(request)
    user = _user(user_id)
    if request.method == "DELETE":
        administration.token_revoke(actor=request.user, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)
    key = administration.token_issue(actor=request.user, user=user)
    response = Response(
        {"username": user.get_username(), "token": key}, status=status.HTTP_201_CREATED
    )
    response["Cache-Control"] = "no-store"
    return response
