"""Plain values the engine seam hands out: no SpiffWorkflow object crosses it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class HumanTask:
    """A READY user or manual task waiting for a person."""

    id: str  # engine task id (UUID string), stable across snapshots
    bpmn_id: str
    name: str
    lane: str  # the lane's name, which is a role code
    documentation: str
    form: dict[str, Any] | None  # JSON Schema, or None for a task with no form
    form_name: str
    due_in: str  # ISO-8601 duration hint from the model ('' when none)


@dataclass(frozen=True)
class WaitingTimer:
    """A timer the case waits on: which element, and when it fires."""

    bpmn_id: str
    name: str
    due: datetime


@dataclass(frozen=True)
class StepRecord:
    """One engine-run task completed during a step (gateway, script, service...)."""

    bpmn_id: str
    name: str
    kind: str
    documentation: str


@dataclass(frozen=True)
class Outcome:
    """What a step left behind: the state to store and what the webapp must project."""

    state: dict[str, Any]
    human_tasks: tuple[HumanTask, ...]
    completed: bool
    wake_at: datetime | None
    data: dict[str, Any]
    ran: tuple[StepRecord, ...] = field(default=())
