"""Reads of the inbox page and of the API's task calls: a task's form and the queue's count
of overdue tasks. Which tasks a user sees is ``webapp.cases.selectors`` (Art. 4)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from processes.definition import ProcessDefinition
from processes.engine import human_task_data
from webapp.accounts.selectors import acting_agency_ids
from webapp.cases.definitions import parsed
from webapp.cases.models import HumanTask
from webapp.cases.selectors import inbox_tasks

from .models import SavedFilter


def task_form_schema(task: HumanTask) -> tuple[ProcessDefinition, dict[str, Any]]:
    """The task's process definition and its form's JSON Schema (an empty form when the
    step has none)."""
    definition = parsed(task.case.definition)
    schema = definition.forms.get(task.form_name) or {"type": "object", "properties": {}}
    return definition, schema


def task_form_initial(
    task: HumanTask, definition: ProcessDefinition, schema: dict[str, Any]
) -> dict[str, Any]:
    """What the case already holds for the form's fields, to fill an open task's form."""
    if not task.is_active:
        return {}
    current = human_task_data(definition, task.case.state, task.engine_task_id)
    return {k: v for k, v in current.items() if k in schema.get("properties", {})}


def queue_counts(queue: QuerySet[HumanTask]) -> dict[str, int]:
    """How many tasks the queue holds and how many are overdue, in one query."""
    overdue = Q(due_at__lt=timezone.now())
    return queue.order_by().aggregate(total=Count("pk"), overdue=Count("pk", filter=overdue))


SORTS = {
    "oldest": ("created_at", "pk"),
    "newest": ("-created_at", "-pk"),
    "case": ("case__business_key", "pk"),
}


def inbox_filtered(user: Any, filters: dict[str, Any]) -> QuerySet[HumanTask]:
    """The user's inbox (``inbox_tasks``: Art. 4) narrowed by the page's filters and
    sorted as asked (overdue first, then by due date, unless another order is chosen)."""
    tasks = inbox_tasks(user, filters.get("q", ""))
    if filters.get("process"):
        tasks = tasks.filter(case__definition__process_id=filters["process"])
    if filters.get("kind"):
        process_id, _sep, bpmn_id = str(filters["kind"]).partition(":")
        tasks = tasks.filter(case__definition__process_id=process_id, bpmn_id=bpmn_id)
    if filters.get("agency"):
        tasks = tasks.filter(agency_id=filters["agency"])
    if filters.get("mine"):
        tasks = tasks.filter(assignee=user)
    tasks = _due(tasks, filters.get("due", ""))
    if filters.get("sort") in SORTS:
        tasks = tasks.order_by(*SORTS[filters["sort"]])
    return tasks


def _due(tasks: QuerySet[HumanTask], due: str) -> QuerySet[HumanTask]:
    now = timezone.now()
    if due == "overdue":
        return tasks.filter(due_at__lt=now)
    if due == "today":
        return tasks.filter(due_at__gte=now, due_at__lt=now + timedelta(days=1))
    if due == "week":
        return tasks.filter(due_at__gte=now, due_at__lt=now + timedelta(days=7))
    if due == "none":
        return tasks.filter(due_at__isnull=True)
    return tasks


def inbox_facets(user: Any) -> dict[str, list[tuple[str, str]]]:
    """The choices of the inbox's filters: the processes, steps and agencies of the
    tasks in the user's inbox, with how many tasks each has."""
    rows = (
        inbox_tasks(user)
        .order_by()
        .values(
            "case__definition__process_id",
            "case__definition__name",
            "bpmn_id",
            "name",
            "agency_id",
            "agency__name",
        )
        .annotate(n=Count("id"))
    )
    processes: dict[str, list[Any]] = {}
    kinds: dict[str, list[Any]] = {}
    agencies: dict[str, list[Any]] = {}
    for row in rows:
        process_id = row["case__definition__process_id"]
        for table, key, label in (
            (processes, process_id, row["case__definition__name"]),
            (kinds, f"{process_id}:{row['bpmn_id']}", row["name"]),
            (agencies, str(row["agency_id"]), row["agency__name"]),
        ):
            table.setdefault(key, [label, 0])[1] += row["n"]
    return {
        name: sorted((key, f"{label}（{n}）") for key, (label, n) in table.items())
        for name, table in (("processes", processes), ("kinds", kinds), ("agencies", agencies))
    }


def saved_filters_for(user: Any) -> QuerySet[SavedFilter]:
    """The user's own filters and those shared with an agency they act in."""
    return SavedFilter.objects.filter(
        Q(owner_id=user.pk) | Q(agency_id__in=acting_agency_ids(user))
    ).select_related("owner", "agency")
