"""Test-run a model in memory: sample start data, a person's input per task, no side effects.

A run is replayed from the start on every call from the list of inputs the designer
chose so far, so nothing about a test run is stored anywhere (not even the workflow
state between calls). Service tasks reach a recording registry instead of the real
operators: the run lists what each operator would have done, and no record changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from SpiffWorkflow.util.task import TaskState

from . import engine, snapshot
from .definition import ProcessDefinition
from .errors import InvalidTaskData, ProcessError
from .operators import OperatorCall, OperatorRegistry
from .pool import Budget
from .types import HumanTask, Outcome

MAX_INPUTS = 200  # a test run is a person clicking through a model, not a load test
# Seconds every evaluation of one test run (all its replayed steps) may take together.
TRIAL_BUDGET = 20.0


@dataclass(frozen=True)
class OperatorRecord:
    """What a service task would have asked an operator to do."""

    task: str
    operator: str
    params: dict[str, Any]


@dataclass
class TrialRun:
    """Where a replayed test run stands."""

    path: list[str] = field(default_factory=list)  # BPMN ids in the order they ran
    waiting: tuple[HumanTask, ...] = ()
    timers: bool = False
    completed: bool = False
    data: dict[str, Any] = field(default_factory=dict)
    operator_calls: list[OperatorRecord] = field(default_factory=list)
    error: str = ""
    field_errors: dict[str, str] = field(default_factory=dict)


def recording_registry(names: Iterable[str], calls: list[OperatorRecord]) -> OperatorRegistry:
    """Operators with the real names that only write down what they were asked."""
    registry = OperatorRegistry()

    def record(call: OperatorCall) -> dict[str, Any]:
        calls.append(OperatorRecord(call.task_bpmn_id, call.name, dict(call.params)))
        return {"sandbox": True}

    for name in sorted(set(names)):
        registry.register(name, record, description="sandbox: records the call only")
    return registry


def run(
    definition: ProcessDefinition,
    start_data: Mapping[str, Any],
    inputs: Sequence[Mapping[str, Any]],
    *,
    operators: Iterable[str],
    helpers: Mapping[str, Any] | None = None,
) -> TrialRun:
    """Start ``definition`` and apply ``inputs`` in order; stop at the first refusal.

    Each input is ``{"task": <bpmn id>, "data": {...}}`` to complete the waiting task
    with that id, or ``{"timer": true}`` to fire the waiting timers now.
    """
    result = TrialRun()
    registry = recording_registry(operators, result.operator_calls)
    budget = Budget(TRIAL_BUDGET)
    kwargs: dict[str, Any] = {"operators": registry, "helpers": helpers, "budget": budget}
    try:
        outcome = engine.start(definition, dict(start_data), **kwargs)
        _take(result, outcome)
        for step in inputs[:MAX_INPUTS]:
            outcome = _apply(definition, outcome, step, result, kwargs)
            _take(result, outcome)
    except InvalidTaskData as exc:
        result.error = str(exc)
        result.field_errors = dict(exc.errors)
    except ProcessError as exc:
        result.error = str(exc)
    return result


def _apply(
    definition: ProcessDefinition,
    outcome: Outcome,
    step: Mapping[str, Any],
    result: TrialRun,
    kwargs: dict[str, Any],
) -> Outcome:
    if step.get("timer"):
        return engine.advance(definition, fire_timers_now(definition, outcome.state), **kwargs)
    bpmn_id = str(step.get("task", ""))
    task = next((t for t in outcome.human_tasks if t.bpmn_id == bpmn_id), None)
    if task is None:
        raise ProcessError(f"no task {bpmn_id!r} is waiting at this point of the run")
    data = step.get("data") or {}
    if not isinstance(data, dict):
        raise ProcessError(f"the input for {bpmn_id} must be an object")
    completed = engine.complete_task(definition, outcome.state, task.id, data, **kwargs)
    result.path.append(bpmn_id)
    return completed


def _take(result: TrialRun, outcome: Outcome) -> None:
    result.path.extend(record.bpmn_id for record in outcome.ran)
    result.waiting = outcome.human_tasks
    result.timers = outcome.wake_at is not None
    result.completed = outcome.completed
    result.data = outcome.data


def fire_timers_now(definition: ProcessDefinition, state: dict[str, Any]) -> dict[str, Any]:
    """The same state with every waiting timer due a second ago (a test run does not wait)."""
    workflow = snapshot.load(state, definition.spec, definition.subprocess_specs)
    due = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    for task in workflow.get_tasks(state=TaskState.WAITING):
        value = task.internal_data.get("event_value")
        if isinstance(value, str):
            task.internal_data["event_value"] = due
        elif isinstance(value, dict) and "next" in value:
            value["next"] = due
    return snapshot.dump(workflow)
