"""Reads of cases and tasks, always filtered by what the user may see (Art. 4)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import BooleanField, Q, QuerySet, Value, When
from django.db.models import Case as When_
from django.http import Http404
from django.utils import timezone

from webapp.accounts.selectors import role_pairs, visible_agency_ids

from .models import Case, CaseEvent, HumanTask, JobRun, TaskState
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
        # Issue 19: a running case that waits for nothing never moves again.
        "stalled": stalled_cases(),
        "now": now,
    }
