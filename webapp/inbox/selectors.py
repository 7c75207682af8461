"""Reads of the inbox page and of the API's task calls: a task's form and the queue's count
of overdue tasks. Which tasks a user sees is ``webapp.cases.selectors`` (Art. 4)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from processes.definition import ProcessDefinition
from processes.engine import human_task_data
from webapp.cases.definitions import parsed
from webapp.cases.models import HumanTask


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


def overdue_count(queue: QuerySet[HumanTask]) -> int:
    return queue.filter(due_at__lt=timezone.now()).count()
