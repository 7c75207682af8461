"""Start, step and wake workflows. Every call takes stored state and returns an Outcome.

The engine is stateless between calls: the webapp loads a case's state, calls one
function here inside its transaction, and stores what comes back. Nothing here
touches a database, a clock other than the engine's own, or the network; side
effects happen only through the operators the caller hands in.
"""

from __future__ import annotations

from collections.abc import Mapping
from copy import deepcopy
from datetime import datetime
from types import MappingProxyType
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from . import compaction, pooled, snapshot, timers
from .definition import ProcessDefinition
from .errors import InvalidTaskData, ProcessError, ScriptFailed, ScriptRefused, TaskNotReady
from .operators import OperatorCall, OperatorRegistry
from .pool import Budget
from .pooled import PooledEnvironment
from .sandbox.environment import RestrictedScriptEngine
from .script_helpers import DOMAIN_HELPERS
from .types import HumanTask, Outcome, StepRecord, WaitingTimer

# A model whose scripts and gateways loop forever must not hang a worker: one call may
# run at most this many engine tasks. Kept well under 1,000 because SpiffWorkflow's task
# iterator stops at depth 1,000 and a deeper workflow silently looks finished.
MAX_ENGINE_TASKS = 400


class _Run:
    """One engine call: a workflow, its script engine, and what ran during the call."""

    def __init__(
        self,
        definition: ProcessDefinition,
        workflow: BpmnWorkflow | None,
        operators: OperatorRegistry | None,
        context: Any,
        helpers: Mapping[str, Any] | None = None,
        budget: Budget | None = None,
    ) -> None:
        self.definition = definition
        # Decision tables run whole in a sandbox worker: one round trip per table.
        pooled.decisions_in_workers(
            [definition.spec, *definition.subprocess_specs.values()],
            lambda: definition.content_hash,
        )
        self.operators = operators or OperatorRegistry()
        self.context = context
        self.ran: list[StepRecord] = []
        self.count = 0
        self.working_days = (helpers or {}).get("working_days_duration") or DOMAIN_HELPERS[
            "working_days_duration"
        ]
        self.script_engine = RestrictedScriptEngine(
            PooledEnvironment(helpers=helpers, budget=budget),
            service_caller=self._call_operator,
            result_check=self._check_result,
        )
        if workflow is None:
            workflow = BpmnWorkflow(
                definition.spec, definition.subprocess_specs, script_engine=self.script_engine
            )
        else:
            workflow.script_engine = self.script_engine
        self.workflow = workflow

    def _call_operator(self, task: Task, name: str, params: dict[str, Any]) -> Any:
        info = self.definition.tasks[task.task_spec.bpmn_id]
        call = OperatorCall(
            name=name,
            params={key: value.get("value") for key, value in params.items()},
            task_bpmn_id=info.bpmn_id,
            documentation=info.documentation,
            # A copy: an operator acts on the world, never on the case data behind the forms.
            data=MappingProxyType(deepcopy(task.data)),
            context=self.context,
        )
        try:
            return self.operators.call(call)
        except ProcessError:
            raise
        except Exception as exc:
            raise ScriptFailed(
                f"operator {name!r} in {info.bpmn_id} failed: {type(exc).__name__}: {exc}"
            ) from exc

    def _check_result(self, task: Task, expression: str, value: Any) -> Any:
        """What an expression gave, as SpiffWorkflow may use it: a timer's value read by
        Fuzhi (``timers.py``), a multi-instance count no larger than one call may run."""
        if expression == getattr(task.task_spec, "cardinality", None):
            count = len(value) if isinstance(value, (list, tuple, dict)) else value
            if not isinstance(count, int) or not 0 <= count <= MAX_ENGINE_TASKS:
                raise ScriptFailed(
                    f"element {task.task_spec.bpmn_id}: the number of instances must be a "
                    f"whole number from 0 to {MAX_ENGINE_TASKS}, not {str(count)[:40]}"
                )
            return value
        return timers.checked_value(task, expression, value, self.working_days)

    def _record(self, task: Task) -> None:
        self.count += 1
        if self.count > MAX_ENGINE_TASKS:
            raise ScriptFailed(
                f"the process ran {MAX_ENGINE_TASKS} automatic steps without waiting for a "
                f"person or a timer (last: {task.task_spec.name}); it looks like an endless loop"
            )
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if not bpmn_id:
            return
        info = self.definition.tasks[bpmn_id]
        self.ran.append(StepRecord(info.bpmn_id, info.name, info.kind, info.documentation))

    def engine_steps(self) -> None:
        try:
            self.workflow.do_engine_steps(did_complete_task=self._record)
        except SpiffWorkflowException as exc:
            raise _unwrap(exc) from None

    def outcome(self) -> Outcome:
        # The finished past lives in the case history; the stored state keeps only what
        # the live tasks need, so a step costs the same in a case's first round and its
        # thousandth (docs/performance.md).
        compaction.compact(self.workflow)
        # Fail closed: a tree the engine could no longer walk is never stored.
        compaction.check_depth(self.workflow)
        return Outcome(
            state=snapshot.dump(self.workflow),
            human_tasks=ready_human_tasks(self.definition, self.workflow),
            completed=self.workflow.is_completed(),
            wake_at=next_timer(self.workflow),
            data=case_data(self.workflow),
            ran=tuple(self.ran),
        )


def _unwrap(exc: SpiffWorkflowException) -> ProcessError:
    """Our own errors travel inside SpiffWorkflow's wrappers; give them back plainly."""
    inner = getattr(exc, "exception", None) or exc.__cause__
    if isinstance(inner, ProcessError):
        return inner
    task = getattr(exc, "task", None)
    where = f" in {task.task_spec.bpmn_id}" if task is not None else ""
    return ScriptFailed(f"the process failed{where}: {' '.join(str(exc).split())}")


def load(definition: ProcessDefinition, state: dict[str, Any]) -> BpmnWorkflow:
    """A workflow from stored state, with the restricted script engine attached."""
    workflow = snapshot.load(state, definition.spec, definition.subprocess_specs)
    workflow.script_engine = RestrictedScriptEngine(PooledEnvironment())
    return workflow


def start(
    definition: ProcessDefinition,
    data: Mapping[str, Any],
    *,
    operators: OperatorRegistry | None = None,
    context: Any = None,
    helpers: Mapping[str, Any] | None = None,
    budget: Budget | None = None,
) -> Outcome:
    """Create a workflow with ``data`` as its start data and run it to the first wait.

    ``helpers`` adds or replaces functions the model's scripts may call (the webapp
    passes its holiday-aware ``working_days_duration``). ``budget`` is the seconds all the
    call's evaluations may take together (``pool.Limits.step_budget`` by default)."""
    run = _Run(definition, None, operators, context, helpers, budget)
    start_task = run.workflow.task_tree
    start_task.data.update(dict(data))
    for task in run.workflow.get_tasks(state=TaskState.READY):
        task.data.update(dict(data))
    run.engine_steps()
    return run.outcome()


def complete_task(
    definition: ProcessDefinition,
    state: dict[str, Any],
    task_id: str,
    data: Mapping[str, Any],
    *,
    operators: OperatorRegistry | None = None,
    context: Any = None,
    helpers: Mapping[str, Any] | None = None,
    budget: Budget | None = None,
) -> Outcome:
    """Complete one READY human task with ``data`` (validated against its form) and advance."""
    run = _Run(
        definition,
        snapshot.load(state, definition.spec, definition.subprocess_specs),
        operators,
        context,
        helpers,
        budget,
    )
    task = _ready_human_task(run.workflow, task_id)
    info = definition.tasks[task.task_spec.bpmn_id]
    validate_form(definition, info.form_name, data)
    task.set_data(**dict(data))
    try:
        task.run()
    except SpiffWorkflowException as exc:
        raise _unwrap(exc) from None
    run.engine_steps()
    return run.outcome()


def advance(
    definition: ProcessDefinition,
    state: dict[str, Any],
    *,
    operators: OperatorRegistry | None = None,
    context: Any = None,
    helpers: Mapping[str, Any] | None = None,
    budget: Budget | None = None,
) -> Outcome:
    """Fire due timers and run whatever became ready (the scheduler's call)."""
    run = _Run(
        definition,
        snapshot.load(state, definition.spec, definition.subprocess_specs),
        operators,
        context,
        helpers,
        budget,
    )
    try:
        run.workflow.refresh_timers()
    except SpiffWorkflowException as exc:
        raise _unwrap(exc) from None
    run.engine_steps()
    return run.outcome()


def _ready_human_task(workflow: BpmnWorkflow, task_id: str) -> Task:
    try:
        task = workflow.get_task_from_id(UUID(task_id))
    except (ValueError, KeyError, TypeError, AttributeError, TaskNotFoundException):
        raise TaskNotReady(f"task {task_id} does not exist in this case") from None
    if task is None or not task.task_spec.manual or task.state != TaskState.READY:
        raise TaskNotReady(f"task {task_id} is not waiting for anyone")
    return task


def validate_form(definition: ProcessDefinition, form_name: str, data: Mapping[str, Any]) -> None:
    """Refuse data that does not satisfy the task's JSON Schema (one message per field).
    Validated in a sandbox worker: a form schema is the designer's, and its cost (nested
    ``anyOf``, patterns, pairs of items) is bounded there by the operating system."""
    if not form_name:
        return
    try:
        errors, codes, limits = pooled.validate(definition.forms[form_name], dict(data))
    except ScriptFailed as exc:
        # Too costly to check (its worker was stopped): the data is refused like any
        # data that does not fit, so every caller already says so and saves nothing.
        errors, codes, limits = {"__all__": str(exc)}, {"__all__": "limit"}, {}
    if errors:
        raise InvalidTaskData(errors, codes, limits)


def ready_human_tasks(
    definition: ProcessDefinition, workflow: BpmnWorkflow
) -> tuple[HumanTask, ...]:
    """The user tasks waiting for a person, with what the model says about each."""
    tasks = []
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
        info = definition.tasks[task.task_spec.bpmn_id]
        tasks.append(
            HumanTask(
                id=str(task.id),
                bpmn_id=info.bpmn_id,
                name=info.name,
                lane=info.lane,
                documentation=info.documentation,
                form=definition.forms.get(info.form_name) if info.form_name else None,
                form_name=info.form_name,
                due_in=info.due_in,
            )
        )
    return tuple(tasks)


def waiting_for(definition: ProcessDefinition, workflow: BpmnWorkflow) -> list[str]:
    """The BPMN ids of what a workflow waits for: user tasks ready for a person and
    catching events (timers, messages, signals). Empty for a workflow that has not ended:
    it has stalled, and nothing will ever move it."""
    if workflow.is_completed():
        return []
    waits = [task.bpmn_id for task in ready_human_tasks(definition, workflow)]
    for task in list(workflow.event_manager.tasks.values()):
        waits.append(str(getattr(task.task_spec, "bpmn_id", "") or task.task_spec.name))
    return sorted(set(waits))


def _timers(workflow: BpmnWorkflow) -> list[tuple[Task, datetime]]:
    """Each waiting timer task with its due time, read from the waiting tasks themselves
    rather than ``waiting_events()``, which reports an event-based gateway's timer without
    its due time."""
    found: list[tuple[Task, datetime]] = []
    for task in list(workflow.event_manager.tasks.values()):
        definition = task.task_spec.event_definition
        timers = getattr(definition, "event_definitions", None) or [definition]
        if not any(isinstance(timer, TimerEventDefinition) for timer in timers):
            continue
        value = task.internal_data.get("event_value")
        if isinstance(value, dict):
            value = value.get("next") if value.get("cycles") != 0 else None
        if isinstance(value, str):
            try:
                found.append((task, TimerEventDefinition.get_datetime(value)))
            except ValueError:
                continue
    return found


def next_timer(workflow: BpmnWorkflow) -> datetime | None:
    """The earliest due time among the workflow's waiting timers."""
    due = [when for _task, when in _timers(workflow)]
    return min(due) if due else None


def waiting_timers(definition: ProcessDefinition, state: dict[str, Any]) -> list[WaitingTimer]:
    """The timers a stored case waits on, earliest first, each with its element and due time."""
    workflow = snapshot.load(state, definition.spec, definition.subprocess_specs)
    timers = []
    for task, due in _timers(workflow):
        bpmn_id = str(getattr(task.task_spec, "bpmn_id", "") or "")
        info = definition.tasks.get(bpmn_id)
        timers.append(WaitingTimer(bpmn_id, info.name if info else bpmn_id, due))
    return sorted(timers, key=lambda timer: timer.due)


def case_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The case's current data: the workflow's when finished, else the waiting tasks'."""
    if workflow.is_completed():
        return dict(workflow.data)
    merged: dict[str, Any] = {}
    waiting = TaskState.READY | TaskState.WAITING | TaskState.STARTED
    for task in workflow.get_tasks(state=waiting):
        merged.update(task.data)
    if not merged and workflow.last_task is not None:
        merged.update(workflow.last_task.data)
    return merged


def human_task_data(
    definition: ProcessDefinition, state: dict[str, Any], task_id: str
) -> dict[str, Any]:
    """The data a READY human task sees (the form's initial values come from here)."""
    workflow = snapshot.load(state, definition.spec, definition.subprocess_specs)
    return dict(_ready_human_task(workflow, task_id).data)


__all__ = [
    "ScriptRefused",
    "advance",
    "case_data",
    "complete_task",
    "human_task_data",
    "load",
    "next_timer",
    "ready_human_tasks",
    "start",
    "validate_form",
    "waiting_timers",
]
