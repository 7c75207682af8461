"""Move a running case's workflow state onto a newer version of its process.

A case can move when every task it is waiting in (a person's task, a timer, a message)
exists in the new version with the same type, and every step it already took still
exists (the stored state names each step's spec, so a removed one could not be loaded
again). SpiffWorkflow aligns the old specs with the new by BPMN id
(``SpiffWorkflow.bpmn.util.diff``); the waiting tasks are then re-predicted on the new
spec, keeping their engine ids, so the inbox rows stay the same tasks. A waiting timer
keeps the due time it already had: moving a case must not restart a notice period.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from . import snapshot
from .definition import ProcessDefinition
from .errors import ProcessError

# The serializer registry SpecDiff uses to compare two specs attribute by attribute.
_REGISTRY = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
CURRENT = TaskState.READY | TaskState.WAITING | TaskState.STARTED


# Why a case cannot move, by code; the webapp says the same in the user's language.
REASONS = {
    "unreadable": "its stored state cannot be read: {error}",
    "other_process": "the new version is another process ({process})",
    "task_missing": "it is waiting in {task}, which the new version does not have",
    "task_type": "it is waiting in {task}, a {old} here but a {new} in the new version",
    "subprocess_missing": "its sub-process {name} is not in the new version",
    "steps_removed": "steps it already took are not in the new version: {tasks}",
    "does_not_load": "the moved state does not load on the new version: {error}",
}
# What a case that can move should be told before it does.
WARNINGS = {
    "skips_new_step": "it is already past {task}, a step the new version adds, so it will "
    "never take that step",
}


@dataclass(frozen=True)
class Reason:
    """Why a case cannot move: a code of :data:`REASONS` and the values its text names."""

    code: str
    params: dict[str, str]

    def __str__(self) -> str:
        return {**REASONS, **WARNINGS}[self.code].format(**self.params)


class MigrationRefused(ProcessError):
    """The case cannot move to the new version (``reasons`` say why)."""

    def __init__(self, *reasons: Reason) -> None:
        self.reasons = reasons
        super().__init__("; ".join(str(r) for r in reasons))


@dataclass(frozen=True)
class Movability:
    """Whether one case can move, and the reasons when it cannot."""

    can_move: bool
    current: tuple[str, ...]  # BPMN ids of the tasks the case is waiting in
    reasons: tuple[Reason, ...]
    warnings: tuple[Reason, ...] = ()  # true of a case that can move (a skipped new step)
    names: tuple[str, ...] = ()  # the waiting tasks by their names


def _label(definition: ProcessDefinition, bpmn_id: str) -> str:
    info = definition.tasks.get(bpmn_id)
    return f"{bpmn_id} ({info.name})" if info and info.name != bpmn_id else bpmn_id


def _current(workflow: BpmnWorkflow) -> list[Any]:
    return [
        task
        for task in workflow.get_tasks(state=CURRENT)
        if getattr(task.task_spec, "bpmn_id", None)
    ]


def check(old: ProcessDefinition, new: ProcessDefinition, state: dict[str, Any]) -> Movability:
    """Can a case with ``state`` on ``old`` move to ``new``? Never raises."""
    try:
        workflow = snapshot.load(state, old.spec, old.subprocess_specs)
    except ProcessError as exc:
        return Movability(False, (), (Reason("unreadable", {"error": str(exc)}),))
    current = _current(workflow)
    ids = tuple(sorted({task.task_spec.bpmn_id for task in current}))
    reasons = _type_reasons(old, new, ids)
    if old.process_id != new.process_id:
        reasons.insert(0, Reason("other_process", {"process": new.process_id}))
    if not reasons:
        try:
            migrate(old, new, state)
        except MigrationRefused as exc:
            reasons.extend(exc.reasons)
        except ProcessError as exc:
            reasons.append(Reason("does_not_load", {"error": str(exc)}))
    warnings = tuple(skipped_steps(old, new, ids)) if not reasons else ()
    names = tuple(_label(old, bpmn_id) for bpmn_id in ids)
    return Movability(not reasons, ids, tuple(reasons), warnings, names)


def skipped_steps(
    old: ProcessDefinition, new: ProcessDefinition, current: tuple[str, ...]
) -> list[Reason]:
    """Steps the new version adds before where the case waits (and not after it): the
    case moves on from where it is and never takes them."""
    added = set(new.tasks) - set(old.tasks)
    if not added or not current:
        return []
    before = set().union(*(_around(new, bpmn_id, "inputs") for bpmn_id in current))
    after = set().union(*(_around(new, bpmn_id, "outputs") for bpmn_id in current))
    return [
        Reason("skips_new_step", {"task": _label(new, bpmn_id)})
        for bpmn_id in sorted(added & (before - after))
    ]


def _around(definition: ProcessDefinition, bpmn_id: str, direction: str) -> set[str]:
    """The BPMN ids reachable from ``bpmn_id`` along ``inputs`` (before) or ``outputs``."""
    specs = definition.spec.task_specs
    start = next((s for s in specs.values() if getattr(s, "bpmn_id", None) == bpmn_id), None)
    seen: set[str] = set()
    todo = list(getattr(start, direction, []) or [])
    while todo:
        spec = todo.pop()
        if spec.name in seen:
            continue
        seen.add(spec.name)
        todo.extend(getattr(spec, direction, []) or [])
    return {getattr(specs[n], "bpmn_id", None) or n for n in seen if n in specs} - {bpmn_id}


def _type_reasons(
    old: ProcessDefinition, new: ProcessDefinition, ids: tuple[str, ...]
) -> list[Reason]:
    reasons: list[Reason] = []
    for bpmn_id in ids:
        before, after = old.tasks.get(bpmn_id), new.tasks.get(bpmn_id)
        if after is None:
            reasons.append(Reason("task_missing", {"task": _label(old, bpmn_id)}))
        elif before is not None and before.kind != after.kind:
            params = {"task": _label(old, bpmn_id), "old": before.kind, "new": after.kind}
            reasons.append(Reason("task_type", params))
    return reasons


def migrate(
    old: ProcessDefinition, new: ProcessDefinition, state: dict[str, Any]
) -> dict[str, Any]:
    """The state of the same case on ``new``; raises ``MigrationRefused`` when it cannot move."""
    workflow = snapshot.load(state, old.spec, old.subprocess_specs)
    reasons = _type_reasons(old, new, tuple({t.task_spec.bpmn_id for t in _current(workflow)}))
    if reasons:
        raise MigrationRefused(*reasons)
    timers = {
        task.id: dict(task.internal_data)
        for task in workflow.get_tasks(state=TaskState.WAITING)
        if "event_value" in task.internal_data
    }
    top, subs = diff_workflow(_REGISTRY, workflow, new.spec, new.subprocess_specs)
    _refuse_removed(old, top.removed)
    migrate_workflow(top, workflow, new.spec)
    for sp_id, sub_diff in subs.items():
        sub = workflow.subprocesses[sp_id]
        if sub_diff is None:
            raise MigrationRefused(Reason("subprocess_missing", {"name": sub.spec.name}))
        _refuse_removed(old, sub_diff.removed)
        migrate_workflow(sub_diff, sub, new.subprocess_specs[sub.spec.name])
    workflow.subprocess_specs = new.subprocess_specs
    for task in workflow.get_tasks(state=TaskState.WAITING):
        if task.id in timers:  # keep the due time the timer already had
            task.internal_data.update(timers[task.id])
    migrated = snapshot.dump(workflow)
    _assert_loads(new, migrated)
    return migrated


def _refuse_removed(old: ProcessDefinition, removed: list[Any]) -> None:
    """A step already taken whose spec is gone would make the state unreadable."""
    done = sorted(
        {
            t.task_spec.bpmn_id
            for t in removed
            if t.state & TaskState.FINISHED_MASK and getattr(t.task_spec, "bpmn_id", None)
        }
    )
    if done:
        names = ", ".join(_label(old, bpmn_id) for bpmn_id in done)
        raise MigrationRefused(Reason("steps_removed", {"tasks": names}))


def _assert_loads(new: ProcessDefinition, state: dict[str, Any]) -> None:
    try:
        snapshot.load(state, new.spec, new.subprocess_specs)
    except ProcessError as exc:
        raise MigrationRefused(Reason("does_not_load", {"error": str(exc)})) from exc
