"""Reads of cases and tasks, always filtered by what the user may see (Art. 4)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models import Case as When_
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from processes.engine import waiting_timers
from processes.types import WaitingTimer
from webapp.accounts.models import Membership
from webapp.accounts.roles import Role
from webapp.accounts.selectors import (
    acting_agency_ids,
    has_role,
    role_pairs,
    visible_agency_ids,
)

from .definitions import parsed
from .models import Case, CaseEvent, CaseStatus, HumanTask, JobRun, TaskState
from .stalls import stalled_cases


def visible_cases(user: Any) -> QuerySet[Case]:
    return Case.objects.filter(agency_id__in=visible_agency_ids(user))


def case_for(user: Any, case_id: int) -> Case:
    """The case if the user may see it; 404 otherwise, so foreign cases do not even exist."""
    try:
        return visible_cases(user).select_related("definition", "agency", "subject").get(pk=case_id)
    except Case.DoesNotExist:
        raise Http404 from None


def case_by_key_for(user: Any, business_key: str) -> Case:
    try:
        return (
            visible_cases(user)
            .select_related("definition", "agency", "subject")
            .get(business_key=business_key)
        )
    except Case.DoesNotExist:
        raise Http404 from None


def inbox_tasks(user: Any, search: str = "") -> QuerySet[HumanTask]:
    """Tasks assigned to the user and unclaimed tasks of their roles; overdue, then oldest first.

    ``search`` narrows by business key, staff name or task name.
    """
    queue = Q(assignee=user)
    for agency_id, role in role_pairs(user):
        queue |= Q(agency_id=agency_id, role=role, assignee__isnull=True)
    now = timezone.now()
    tasks = HumanTask.objects.filter(state__in=[TaskState.OPEN, TaskState.CLAIMED]).filter(queue)
    if search:
        tasks = tasks.filter(
            Q(case__business_key__icontains=search)
            | Q(case__subject__name__icontains=search)
            | Q(name__icontains=search)
        )
    return (
        tasks.annotate(
            overdue=When_(
                When(due_at__lt=now, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .select_related("case", "case__subject", "agency", "assignee")
        # The inbox never shows the workflow state; decoding it for every row was most of
        # the page's time (docs/performance.md).
        .defer("case__state")
        .order_by("-overdue", "due_at", "created_at")
    )


def task_for(user: Any, task_id: int) -> HumanTask:
    try:
        return (
            HumanTask.objects.filter(agency_id__in=visible_agency_ids(user))
            .select_related(
                "case", "case__definition", "case__subject", "agency", "assignee", "completed_by"
            )
            .get(pk=task_id)
        )
    except HumanTask.DoesNotExist:
        raise Http404 from None


def case_timeline(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor", "task").order_by("seq")


def case_timers(case: Case) -> list[WaitingTimer]:
    """The timers a running case waits on (public notice, reply or correction deadlines),
    earliest first, each with its due time."""
    if case.status != CaseStatus.RUNNING or not case.state:
        return []
    return waiting_timers(parsed(case.definition), case.state)


def recruitment_ranking(user: Any, post: str = "") -> list[Case]:
    """Applicants with scores, best first; at equal scores veterans and people recognised
    for bravery come first (Art. 10)."""
    cases = list(
        visible_cases(user)
        .filter(definition__process_id="recruitment", data__has_key="total_score")
        .select_related("subject", "agency")
    )
    if post:
        cases = [case for case in cases if case.data.get("post") == post]
    return sorted(
        cases,
        key=lambda case: (
            -float(case.data.get("total_score") or 0),
            not case.data.get("preference"),
            case.started_at,
        ),
    )


def step_outcome(case: Case, task: HumanTask) -> str:
    """What the engine made of a completed step, in a sentence: the case closed with its
    outcome, a member's new state, the next task and who holds it (the history's lines
    after the completion)."""
    done = case.events.filter(kind="task_completed", task=task).order_by("-seq").first()
    if done is None:
        return ""
    parts: list[str] = []
    for event in case.events.filter(seq__gt=done.seq).select_related("task", "task__agency"):
        if event.kind == "case_completed":
            parts.append(_("Case closed: %(outcome)s") % {"outcome": case.outcome or _("done")})
        elif event.kind in ("staff_state", "record", "case_linked"):
            parts.append(f"{event.title}（{event.articles}）" if event.articles else event.title)
        elif event.kind == "task_created" and event.task is not None:
            parts.append(
                _("Next: %(task)s, for %(role)s of %(agency)s")
                % {
                    "task": event.task.name,
                    "role": event.task.role_label,
                    "agency": event.task.agency.name,
                }
            )
    return "；".join(parts)


def assignable_colleagues(task: HumanTask, user: Any) -> QuerySet[Any]:
    """Who may be given the task: active holders of its role in its agency, the user
    and (for an approval) the case's initiator left out (four eyes)."""
    people = (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__agency_id=task.agency_id,
            memberships__role=task.role,
        )
        .exclude(pk=user.pk)
    )
    if task.assignee_id:
        people = people.exclude(pk=task.assignee_id)
    if task.role == Role.APPROVER and task.case.started_by_id:
        people = people.exclude(pk=task.case.started_by_id)
    return people.distinct().order_by("last_name", "first_name", "username")


def may_urge(task: HumanTask, user: Any) -> bool:
    """催办 writes the history, so only someone acting for the case's agency (or the
    case's initiator) may do it; auditors and bureaus read and change nothing."""
    return task.case.started_by_id == user.pk or task.case.agency_id in acting_agency_ids(user)


def may_withdraw(case: Case, user: Any) -> bool:
    """The initiator, while nobody else has acted on the running case."""
    if case.status != CaseStatus.RUNNING or case.started_by_id != user.pk:
        return False
    return not case.events.filter(actor__isnull=False).exclude(actor=user).exists()


def may_terminate(case: Case, user: Any) -> bool:
    return case.status == CaseStatus.RUNNING and has_role(user, Role.APPROVER, case.agency_id)


def unactionable_tasks() -> QuerySet[HumanTask]:
    """Open tasks nobody can act on: no active user holds the task's role in its agency
    and no active user has it assigned (Art. 4, 5: a case waiting there waits forever)."""
    holders = Membership.objects.filter(
        agency_id=OuterRef("agency_id"), role=OuterRef("role"), user__is_active=True
    )
    return (
        HumanTask.objects.filter(state__in=[TaskState.OPEN, TaskState.CLAIMED])
        .filter(Q(assignee__isnull=True) | Q(assignee__is_active=False))
        .exclude(Exists(holders))
        .select_related("case", "agency")
        .order_by("created_at", "pk")
    )


def schedule_overview(now: datetime) -> dict[str, Any]:
    """The operator's schedule: timers due next, task deadlines, every job run, failures."""
    return {
        "timers": Case.objects.filter(status="running", wake_at__isnull=False)
        .select_related("agency")
        .order_by("wake_at")[:50],
        "deadlines": HumanTask.objects.filter(
            state__in=[TaskState.OPEN, TaskState.CLAIMED], due_at__isnull=False
        )
        .select_related("case", "agency")
        .order_by("due_at")[:50],
        "runs": JobRun.objects.select_related("redelivery_of").all()[:100],
        # Failed, or lost with their worker and never redelivered: each can be retried.
        "failed": JobRun.objects.filter(
            status__in=["failed", "lost"], retries__isnull=True, redeliveries__isnull=True
        )[:50],
        "stranded": unactionable_tasks()[:100],
        # Issue 19: a running case that waits for nothing never moves again.
        "stalled": stalled_cases(),
        "now": now,
    }
