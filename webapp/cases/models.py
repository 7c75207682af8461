"""Definitions, cases, the human-task projection and the append-only case history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from webapp.accounts.models import Agency
from webapp.accounts.roles import Role
from webapp.errors import TaskConflict
from webapp.staff.models import Staff


class DefinitionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    DEPLOYED = "deployed", _("Deployed")
    RETIRED = "retired", _("Retired")


class Definition(models.Model):
    """One version of a process model: its files, frozen once deployed."""

    process_id = models.CharField(_("process"), max_length=64)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=100)
    content_hash = models.CharField(_("content hash"), max_length=64)
    state = FSMField(_("state"), default=DefinitionState.DRAFT, choices=DefinitionState.choices)
    deployed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deployed_at = models.DateTimeField(_("deployed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["process_id", "version"], name="definition_version")
        ]
        ordering = ["process_id", "-version"]

    def __str__(self) -> str:
        return f"{self.process_id} v{self.version}"

    @transition(field=state, source=DefinitionState.DRAFT, target=DefinitionState.DEPLOYED)
    def deploy(self) -> None:
        """A deployed version can start cases and never changes again."""

    @transition(field=state, source=DefinitionState.DEPLOYED, target=DefinitionState.RETIRED)
    def retire(self) -> None:
        """Running cases continue; no new case starts on a retired version."""


class DefinitionFile(models.Model):
    definition = models.ForeignKey(Definition, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=200)
    content = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["definition", "name"], name="definition_file_name")
        ]

    def __str__(self) -> str:
        return self.name


class CaseStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Case(models.Model):
    business_key = models.CharField(_("business key"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    definition = models.ForeignKey(Definition, on_delete=models.PROTECT, related_name="cases")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="cases")
    subject = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    # The case whose step opened this one (e.g. a failed assessment opens a separation).
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="linked_cases"
    )
    status = FSMField(_("status"), default=CaseStatus.RUNNING, choices=CaseStatus.choices)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    # Instance state only: the spec is re-attached from the definition on load.
    state = models.JSONField(_("workflow state"))
    data = models.JSONField(_("case data"), default=dict)
    wake_at = models.DateTimeField(_("next timer"), null=True, blank=True, db_index=True)
    version = models.PositiveIntegerField(default=0)
    # Head of the history chain, written in the same transaction as each event, so
    # deleting the newest events is detected too (Art. 15(3)).
    event_count = models.PositiveIntegerField(default=0)
    head_hash = models.CharField(max_length=64, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["agency", "status"], name="case_agency_status")]
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.business_key} {self.title}"

    def update_versioned(self, **fields: object) -> None:
        """Write ``fields`` of this row under its version check: a writer holding a stale
        copy is refused (TaskConflict) even where the database cannot lock rows (SQLite)."""
        updated = Case.objects.filter(pk=self.pk, version=self.version).update(
            version=models.F("version") + 1, **fields
        )
        if updated != 1:
            raise TaskConflict(
                gettext("This case changed while you were working on it; reload and try again.")
            )
        self.version += 1

    @transition(field=status, source=CaseStatus.RUNNING, target=CaseStatus.COMPLETED)
    def complete(self) -> None:
        """The workflow reached an end event."""

    @transition(field=status, source=CaseStatus.RUNNING, target=CaseStatus.CANCELLED)
    def cancel(self) -> None:
        """Stopped by an authorised person; the history says who and why."""


class TaskState(models.TextChoices):
    OPEN = "open", _("Open")
    CLAIMED = "claimed", _("Claimed")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class HumanTask(models.Model):
    """Projection of one READY user task; the inbox reads only this table."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    engine_task_id = models.CharField(max_length=36)
    bpmn_id = models.CharField(max_length=100)
    name = models.CharField(_("task"), max_length=200)
    documentation = models.TextField(blank=True)
    form_name = models.CharField(max_length=100, blank=True)
    role = models.CharField(_("role"), max_length=20)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claimed_tasks",
    )
    state = FSMField(_("state"), default=TaskState.OPEN, choices=TaskState.choices)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Set once each, so a reminder or an escalation is sent exactly once per task.
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    delegated_from = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "engine_task_id"], name="task_engine_id")
        ]
        indexes = [
            models.Index(
                fields=["agency", "role", "due_at", "created_at"],
                name="task_queue_open",
                condition=Q(state__in=["open", "claimed"]),
            ),
            models.Index(
                fields=["assignee", "due_at", "created_at"],
                name="task_assignee_open",
                condition=Q(state__in=["open", "claimed"]),
            ),
            # The inbox's role queue is the unclaimed open tasks of (agency, role); with the
            # assignee in the predicate PostgreSQL reads them straight from this index
            # instead of intersecting task_queue_open with every unassigned task.
            models.Index(
                fields=["agency", "role", "due_at", "created_at"],
                name="task_queue_unclaimed",
                condition=Q(state__in=["open", "claimed"], assignee__isnull=True),
            ),
            # A step reads its case's open tasks; without this it scans every task the
            # case ever had, so a long-running case's steps would slow down.
            models.Index(
                fields=["case"],
                name="task_case_open",
                condition=Q(state__in=["open", "claimed"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.case.business_key})"

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role in Role.values else self.role

    @property
    def is_active(self) -> bool:
        return self.state in (TaskState.OPEN, TaskState.CLAIMED)

    @transition(field=state, source=TaskState.OPEN, target=TaskState.CLAIMED)
    def claim(self) -> None:
        """One person takes the task so colleagues do not work on it twice."""

    @transition(field=state, source=TaskState.CLAIMED, target=TaskState.OPEN)
    def release(self) -> None:
        """Back to the role's queue."""

    @transition(field=state, source=[TaskState.OPEN, TaskState.CLAIMED], target=TaskState.DONE)
    def finish(self) -> None:
        """Completed through a case step."""

    @transition(field=state, source=[TaskState.OPEN, TaskState.CLAIMED], target=TaskState.CANCELLED)
    def withdraw(self) -> None:
        """The engine no longer waits for it (a boundary event, a cancelled case)."""


EVENT_KINDS = {
    "case_started": _("case opened"),
    "case_completed": _("case completed"),
    "task_created": _("task waiting"),
    "task_claimed": _("task claimed"),
    "task_released": _("task released"),
    "task_completed": _("task completed"),
    "task_withdrawn": _("task withdrawn"),
    "engine_step": _("automatic step"),
    "staff_state": _("staff state changed"),
    "record": _("archive record"),
    "case_linked": _("linked case opened"),
    "task_delegated": _("task delegated"),
    "task_overdue": _("task overdue, escalated"),
    "case_migrated": _("moved to a newer process version"),
    "appeal_reversal": _("reversed on appeal"),
    "task_assigned": _("task assigned"),
    "task_urged": _("task urged"),
    "case_withdrawn": _("case withdrawn"),
    "case_terminated": _("case terminated"),
    # webapp/documents: a file with its SHA-256, a comment in the case's thread.
    "attachment_added": _("file attached"),
    "comment_added": _("comment"),
}


class CaseEvent(models.Model):
    """Append-only history (Art. 15(3)): each row signs its content and its predecessor."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=20, blank=True)
    kind = models.CharField(max_length=40)
    task = models.ForeignKey(
        HumanTask, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    bpmn_id = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=300)
    data_before = models.JSONField(default=dict)
    data_after = models.JSONField(default=dict)
    comment = models.TextField(blank=True)
    articles = models.CharField(max_length=100, blank=True)
    prev_hash = models.CharField(max_length=64)
    # HMAC-SHA256 under the history key named by key_id (webapp/cases/keyring.py).
    hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=16, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="event_case_seq")]
        ordering = ["case", "seq"]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.kind}"

    @property
    def role_label(self) -> str:
        return str(Role(self.actor_role).label) if self.actor_role in Role.values else ""

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every value the step added or changed."""
        keys = sorted(set(self.data_before) | set(self.data_after))
        return [
            (key, self.data_before.get(key), self.data_after.get(key))
            for key in keys
            if self.data_before.get(key) != self.data_after.get(key)
        ]

    @property
    def kind_label(self) -> str:
        return str(EVENT_KINDS.get(self.kind, self.kind))


# What each background job does, for the operator's schedule page.
JOB_NAMES = {
    "wake_due_cases": _("Fire the timers that are due"),
    "wake_case": _("Fire a case's timers"),
    "open_yearly_assessments": _("Open the yearly assessments (Art. 20)"),
    "open_assessment_chunk": _("Open the yearly assessments of a run of members (Art. 20)"),
    "deadlines_sweep": _("Remind and escalate task deadlines"),
    "open_renewals": _("Open contract renewals (Art. 20)"),
    "verify_histories": _("Verify every case history (Art. 15)"),
    "history_checkpoint": _("Write a signed checkpoint of every history (Art. 15)"),
}
JOB_STATUSES = {
    "running": _("running"),
    "succeeded": _("succeeded"),
    "failed": _("failed"),
    "lost": _("lost (its worker died)"),
}


class JobRun(models.Model):
    """One run of a background job, so an operator sees what fired, what failed and why."""

    name = models.CharField(max_length=100)
    args = models.JSONField(default=list)
    # running/succeeded/failed, or lost: its worker died before it finished (jobs.py).
    status = models.CharField(max_length=10, default="running")
    result = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    retry_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries"
    )
    # The Celery message it ran (its task id): a message redelivered after its worker
    # died runs again with the same id, so the new run finds the lost one.
    task_id = models.CharField(max_length=64, blank=True, db_index=True)
    redelivery_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="redeliveries"
    )

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["status", "started_at"], name="jobrun_status")]

    def __str__(self) -> str:
        return f"{self.name}{self.args} {self.status}"

    @property
    def label(self) -> str:
        """What the job does, and what it ran on (a case's number, a year)."""
        name = str(JOB_NAMES.get(self.name, self.name))
        return f"{name} {' '.join(map(str, self.args))}".strip()

    @property
    def status_label(self) -> str:
        return str(JOB_STATUSES.get(self.status, self.status))


class CaseRecusal(models.Model):
    """Someone who may not act on a case: they took part in the decision it reviews
    (an appeal, Art. 12), so its tasks must go to someone else."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="recusals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="recusal_unique")]

    def __str__(self) -> str:
        return f"{self.case_id} ✕ {self.user_id}"
