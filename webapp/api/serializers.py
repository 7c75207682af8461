"""What the API returns and accepts. Reads only: every rule lives in the services."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from webapp.accounts.models import Agency
from webapp.accounts.names import display_name
from webapp.cases.definitions import parsed
from webapp.cases.models import EVENT_KINDS, Case, CaseEvent, HumanTask
from webapp.cases.presenters import case_warnings, task_facts
from webapp.cases.selectors import case_timers
from webapp.cases.subjects import startable_processes
from webapp.staff.models import Certificate, Staff
from webapp.staff.selectors import sees_personal_data

MAX_ID = 2**63 - 1


def record_id(**kwargs: Any) -> serializers.IntegerField:
    """A record id in a body or filter: positive and within a 64-bit column, so a huge
    number is a 400 instead of an overflow in the database driver."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def person_name(user: Any) -> str | None:
    return None if user is None else display_name(user)


class AgencySerializer(serializers.ModelSerializer[Agency]):
    class Meta:
        model = Agency
        fields = ["id", "code", "name"]


class CaseRefSerializer(serializers.ModelSerializer[Case]):
    class Meta:
        model = Case
        fields = ["id", "business_key", "title"]


class TaskSerializer(serializers.ModelSerializer[HumanTask]):
    agency = AgencySerializer()
    case = CaseRefSerializer()
    role_label = serializers.CharField()
    subject_name = serializers.SerializerMethodField()
    assignee = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = HumanTask
        fields = [
            "id",
            "name",
            "bpmn_id",
            "role",
            "role_label",
            "state",
            "agency",
            "case",
            "subject_name",
            "assignee",
            "due_at",
            "overdue",
            "created_at",
            "form_name",
        ]

    def get_subject_name(self, task: HumanTask) -> str | None:
        return task.case.subject.name if task.case.subject else None

    def get_assignee(self, task: HumanTask) -> str | None:
        return person_name(task.assignee)

    def get_overdue(self, task: HumanTask) -> bool:
        return bool(getattr(task, "overdue", False))


class TaskDetailSerializer(TaskSerializer):
    """One task with what a caller needs to complete it: the form's JSON Schema."""

    documentation = serializers.CharField()
    completed_by = serializers.SerializerMethodField()
    completed_at = serializers.DateTimeField(allow_null=True)
    form = serializers.SerializerMethodField()
    facts = serializers.SerializerMethodField(
        help_text="What the model says the decision rests on: [{label, value}], in order."
    )
    warnings = serializers.SerializerMethodField(
        help_text="The model's warnings that hold for this case (e.g. over quota, Art. 9)."
    )

    class Meta(TaskSerializer.Meta):
        fields = [
            *TaskSerializer.Meta.fields,
            "documentation",
            "completed_by",
            "completed_at",
            "form",
            "facts",
            "warnings",
        ]

    def get_completed_by(self, task: HumanTask) -> str | None:
        return person_name(task.completed_by)

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_form(self, task: HumanTask) -> dict[str, Any]:
        return dict(self.context.get("form_schema") or {"type": "object", "properties": {}})

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"label": {"type": "string"}, "value": {"type": "string"}},
            },
        }
    )
    def get_facts(self, task: HumanTask) -> list[dict[str, str]]:
        definition = parsed(task.case.definition)
        return [
            {"label": label, "value": value}
            for label, value in task_facts(definition, task.bpmn_id, task.case.data)
        ]

    @extend_schema_field({"type": "array", "items": {"type": "string"}})
    def get_warnings(self, task: HumanTask) -> list[str]:
        if not task.is_active:
            return []
        return case_warnings(parsed(task.case.definition), task.case.data)


class CompleteSerializer(serializers.Serializer[Any]):
    data = serializers.DictField(  # type: ignore[assignment]
        required=False,
        default=dict,
        help_text="The form's fields (see the task's `form`): JSON values, dates as YYYY-MM-DD.",
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, trim_whitespace=True
    )


class CaseSerializer(serializers.ModelSerializer[Case]):
    process = serializers.CharField(source="definition.process_id")
    process_name = serializers.CharField(source="definition.name")
    process_version = serializers.IntegerField(source="definition.version")
    agency = AgencySerializer()
    subject = serializers.SerializerMethodField()
    started_by = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "business_key",
            "title",
            "process",
            "process_name",
            "process_version",
            "agency",
            "subject",
            "status",
            "outcome",
            "started_by",
            "started_at",
            "finished_at",
        ]

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        }
    )
    def get_subject(self, case: Case) -> dict[str, Any] | None:
        return {"id": case.subject.pk, "name": case.subject.name} if case.subject else None

    def get_started_by(self, case: Case) -> str | None:
        return person_name(case.started_by)


class CaseDetailSerializer(CaseSerializer):
    data = serializers.JSONField(  # type: ignore[assignment]
        help_text="The case's data, as the case page shows it."
    )
    open_tasks = serializers.SerializerMethodField()
    timers = serializers.SerializerMethodField()
    event_count = serializers.IntegerField()
    head_hash = serializers.CharField()

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "data",
            "open_tasks",
            "timers",
            "wake_at",
            "event_count",
            "head_hash",
        ]

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "bpmn_id": {"type": "string"},
                    "name": {"type": "string"},
                    "due_at": {"type": "string", "format": "date-time"},
                },
            },
        }
    )
    def get_timers(self, case: Case) -> list[dict[str, Any]]:
        """The timers the case waits on (a public notice, a reply or correction deadline),
        each with when it fires; the earliest is ``wake_at``."""
        as_time = serializers.DateTimeField()  # the same zone and form as wake_at
        return [
            {"bpmn_id": t.bpmn_id, "name": t.name, "due_at": as_time.to_representation(t.due)}
            for t in case_timers(case)
        ]

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "role": {"type": "string"},
                    "state": {"type": "string"},
                    "due_at": {"type": "string", "format": "date-time", "nullable": True},
                },
            },
        }
    )
    def get_open_tasks(self, case: Case) -> list[dict[str, Any]]:
        tasks = case.tasks.filter(state__in=["open", "claimed"]).order_by("created_at")
        return [
            {
                "id": t.pk,
                "name": t.name,
                "role": t.role,
                "state": t.state,
                "due_at": serializers.DateTimeField().to_representation(t.due_at)
                if t.due_at
                else None,
            }
            for t in tasks
        ]


class CaseStartSerializer(serializers.Serializer[Any]):
    process = serializers.CharField(max_length=64, help_text="A process id, e.g. 'training'.")
    staff = record_id(help_text="The staff member the case is about.")


class EventSerializer(serializers.ModelSerializer[CaseEvent]):
    kind_label = serializers.SerializerMethodField()
    article = serializers.CharField(source="articles")

    class Meta:
        model = CaseEvent
        fields = [
            "seq",
            "at",
            "kind",
            "kind_label",
            "title",
            "actor_name",
            "actor_role",
            "bpmn_id",
            "comment",
            "article",
            "data_before",
            "data_after",
            "prev_hash",
            "hash",
        ]

    def get_kind_label(self, event: CaseEvent) -> str:
        return str(EVENT_KINDS.get(event.kind, event.kind))


class CertificateSerializer(serializers.ModelSerializer[Certificate]):
    staff = serializers.SerializerMethodField()
    agency = AgencySerializer()
    state_label = serializers.CharField(source="get_state_display")
    is_valid = serializers.BooleanField()  # type: ignore[assignment]

    class Meta:
        model = Certificate
        fields = [
            "id",
            "number",
            "staff",
            "agency",
            "state",
            "state_label",
            "is_valid",
            "issued_at",
            "returned_at",
            "closed_at",
        ]

    @extend_schema_field(
        {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
    )
    def get_staff(self, certificate: Certificate) -> dict[str, Any]:
        return {"id": certificate.staff_id, "name": certificate.staff.name}


class StaffSerializer(serializers.ModelSerializer[Staff]):
    """Art. 15(4): ID number, phone and address in full only for the agency's HR officers."""

    agency = AgencySerializer()
    state_label = serializers.CharField(source="get_state_display")
    id_number = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()

    class Meta:
        model = Staff
        fields = [
            "id",
            "name",
            "agency",
            "post",
            "state",
            "state_label",
            "id_number",
            "gender",
            "birth_date",
            "education",
            "veteran",
            "bravery",
            "phone",
            "address",
            "employment_mode",
            "dispatch_company",
            "contract_start",
            "contract_end",
            "social_insurance",
            "housing_fund",
            "grade",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One role lookup per agency, not per row of a list.
        self._hr_of: dict[int, bool] = {}

    def _full(self, staff: Staff) -> bool:
        if staff.agency_id not in self._hr_of:
            user = self.context["request"].user
            self._hr_of[staff.agency_id] = sees_personal_data(user, staff.agency_id)
        return self._hr_of[staff.agency_id]

    def get_id_number(self, staff: Staff) -> str:
        return staff.id_number if self._full(staff) else staff.id_masked

    def get_phone(self, staff: Staff) -> str:
        return staff.phone if self._full(staff) else staff.phone_masked

    def get_address(self, staff: Staff) -> str:
        return staff.address if self._full(staff) else staff.address_masked


class StaffDetailSerializer(StaffSerializer):
    certificates = CertificateSerializer(many=True)
    startable_processes = serializers.SerializerMethodField()

    class Meta(StaffSerializer.Meta):
        fields = [*StaffSerializer.Meta.fields, "certificates", "startable_processes"]

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"process": {"type": "string"}, "name": {"type": "string"}},
            },
        }
    )
    def get_startable_processes(self, staff: Staff) -> list[dict[str, str]]:
        """The processes the caller may open a case on about this member (HR only)."""
        if not self._full(staff):
            return []
        return [{"process": p, "name": n} for p, n in startable_processes(staff)]
