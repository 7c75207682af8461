"""The inbox over HTTP: list, read, claim, release, complete.

Views only translate: tenancy comes from the selectors (a foreign task is a 404), every
rule (claim, four eyes, double completion, the regulation's refusals) from
``webapp.cases.services``, and form data meets the inbox page's own form.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from webapp.cases import services
from webapp.cases.models import HumanTask, TaskState
from webapp.cases.selectors import task_for
from webapp.documents.services import refuse_forged_references
from webapp.inbox.forms import SchemaForm
from webapp.inbox.selectors import task_form_schema

from .. import selectors
from ..forms import checked
from ..serializers import (
    CaseDetailSerializer,
    CompleteSerializer,
    TaskDetailSerializer,
    TaskSerializer,
)


class InboxFilter(serializers.Serializer[Any]):
    q = serializers.CharField(
        required=False, max_length=100, help_text=_("Business key, staff name or task name.")
    )
    role = serializers.CharField(required=False, max_length=20)
    state = serializers.ChoiceField(
        required=False, choices=[TaskState.OPEN.value, TaskState.CLAIMED.value]
    )
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)


@extend_schema(tags=["inbox"], parameters=[InboxFilter])
class InboxList(generics.ListAPIView[HumanTask]):
    """The caller's tasks and the unclaimed tasks of their roles, overdue first."""

    serializer_class = TaskSerializer

    def get_queryset(self) -> QuerySet[HumanTask]:
        query = InboxFilter(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.task_list(self.request.user, **query.validated_data)


def _detail(request: Request, task: HumanTask) -> Response:
    _definition, schema = task_form_schema(task)
    body = TaskDetailSerializer(task, context={"request": request, "form_schema": schema}).data
    return Response(body)


@extend_schema(tags=["inbox"], responses=TaskDetailSerializer)
@api_view(["GET"])
def task_detail(request: Request, task_id: int) -> Response:
    """One task with its form (a JSON Schema) and its state."""
    return _detail(request, task_for(request.user, task_id))


@extend_schema(
    tags=["inbox"],
    request=None,
    responses={200: TaskDetailSerializer, 409: OpenApiResponse(description="Claimed by another")},
)
@api_view(["POST"])
def task_claim(request: Request, task_id: int) -> Response:
    """Take the task so colleagues do not work on it twice."""
    task = task_for(request.user, task_id)
    services.task_claim(task_id=task.pk, user=request.user)
    return _detail(request, task_for(request.user, task_id))


@extend_schema(tags=["inbox"], request=None, responses={200: TaskDetailSerializer})
@api_view(["POST"])
def task_release(request: Request, task_id: int) -> Response:
    """Give a claimed task back to its role's queue."""
    task = task_for(request.user, task_id)
    services.task_release(task_id=task.pk, user=request.user)
    return _detail(request, task_for(request.user, task_id))


@extend_schema(
    tags=["inbox"],
    request=CompleteSerializer,
    examples=[
        OpenApiExample(
            "Approve a hire",
            value={"data": {"decision": "approve", "reason": "同意"}, "comment": "材料齐全"},
            request_only=True,
        )
    ],
    responses={
        200: CaseDetailSerializer,
        409: OpenApiResponse(description="Already completed by someone (names who and when)"),
    },
)
@api_view(["POST"])
def task_complete(request: Request, task_id: int) -> Response:
    """Complete the task with its form's data; the case moves on in the same transaction."""
    task = task_for(request.user, task_id)
    body = CompleteSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    data: dict[str, Any] = {}
    if task.is_active:
        # Files come only through an upload that stores and records them (webapp/documents).
        refuse_forged_references(task, body.validated_data["data"])
        definition, schema = task_form_schema(task)
        form = checked(
            lambda posted: SchemaForm(
                schema, posted, definition=definition, form_name=task.form_name
            ),
            body.validated_data["data"],
        )
        data = form.task_data()
    # A finished task goes straight to the service, which answers 409 "already completed
    # by X" (or 403) under the case's lock, whatever the body says.
    case = services.task_complete(
        task_id=task.pk, user=request.user, data=data, comment=body.validated_data["comment"]
    )
    return Response(
        CaseDetailSerializer(case, context={"request": request}).data, status=status.HTTP_200_OK
    )
