"""Checks of the parsed definition, task by task: what a deploy refuses beyond parsing.

Lanes are known roles, referenced forms exist, due hints read as a duration or a number
of working days, service tasks call registered operators, and every piece of code a
task will run compiles (``code.py``); then the decision tables (``dmn.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..definition import ANY_STEP, KEY_PREFIX_PROPERTY, KEY_PREFIX_RE, ProcessDefinition
from ..durations import due_hint_problem
from ..errors import ModelError, ScriptRefused, one_line
from ..sandbox.policy import check_expression
from .code import code_of, code_problem
from .dmn import decision_problems
from .nodes import at, bpmn, listing


def definition_problems(
    definition: ProcessDefinition,
    *,
    roles: set[str] | None,
    operators: set[str] | None,
) -> list[ModelError]:
    """Every problem of a parsed definition: lanes (when ``roles`` is given), each task's
    form, due hint, operator (when ``operators`` is given) and code, then its decisions."""
    problems: list[ModelError] = list(_key_prefix_problems(definition))
    if roles is not None:
        problems.extend(_lane_problems(definition, roles))
    for spec in [definition.spec, *definition.subprocess_specs.values()]:
        for task_spec in spec.task_specs.values():
            if getattr(task_spec, "bpmn_id", None):
                problems.extend(_task_problems(definition, task_spec, operators))
    problems.extend(_warning_problems(definition))
    problems.extend(decision_problems(definition.decisions, ""))
    return problems


def _warning_problems(definition: ProcessDefinition) -> Iterator[ModelError]:
    """A declared warning needs a text and a condition that compiles in the sandbox."""
    for warning in definition.warnings:
        if not warning.text.strip() or not warning.when.strip():
            yield ModelError('a warning needs a "when" condition and a "text"', file=warning.file)
            continue
        for source in (warning.when, warning.amount):
            try:
                if source.strip():
                    check_expression(source, where="warning")
            except ScriptRefused as exc:
                yield ModelError(
                    f"warning {one_line(warning.text, 40)!r}: {exc}", file=warning.file
                )


def _key_prefix_problems(definition: ProcessDefinition) -> Iterator[ModelError]:
    declared = definition.process_properties.get(KEY_PREFIX_PROPERTY)
    if declared is not None and not KEY_PREFIX_RE.match(declared):
        file, line, label = definition.locate(definition.process_id)
        yield ModelError(
            f"{label}: {KEY_PREFIX_PROPERTY} {one_line(repr(declared))} must be 1 to 4 "
            "capital letters A-Z (the start of the business keys of its cases)",
            file=file,
            line=line,
            element=definition.process_id,
        )


def _lane_problems(definition: ProcessDefinition, roles: set[str]) -> Iterator[ModelError]:
    """One line per lane whose name is not a role, naming (some of) what it holds."""
    ids = {definition.process_id, *definition.subprocess_specs}
    for file, tree in definition.trees.items():
        for process in tree.iter(bpmn("process")):
            if process.get("id") not in ids:
                continue
            for lane in process.iter(bpmn("lane")):
                if lane.find(f"{bpmn('childLaneSet')}/{bpmn('lane')}") is not None:
                    continue  # a parent lane groups others; its children carry the roles
                if lane.get("name") not in roles:
                    yield _lane_problem(definition, file, lane, roles)


def _lane_problem(
    definition: ProcessDefinition, file: str, lane: Any, roles: set[str]
) -> ModelError:
    members = [
        _task_label(definition, ref.text.strip())
        for ref in lane.iterchildren(bpmn("flowNodeRef"))
        if ref.text and ref.text.strip()
    ]
    holds = f"it holds {listing(members)}" if members else "it holds no elements"
    known = ", ".join(sorted(roles))
    name = lane.get("name")
    if not name:
        message = f"lane has no name; a lane's name must be a role code ({known}); {holds}"
    else:
        message = f"lane {name!r} is not a known role (known roles: {known}); {holds}"
    return at(file, lane, message)


def _task_label(definition: ProcessDefinition, bpmn_id: str) -> str:
    info = definition.tasks.get(bpmn_id)
    if info is None or info.name == bpmn_id:
        return bpmn_id
    return f"{bpmn_id} ({one_line(info.name, 40)})"


def _task_problems(
    definition: ProcessDefinition, task_spec: Any, operators: set[str] | None
) -> Iterator[ModelError]:
    info = definition.tasks[task_spec.bpmn_id]
    file, line, label = definition.locate(info.bpmn_id)

    def problem(message: str) -> ModelError:
        return ModelError(message, file=file, line=line, element=label)

    if info.form_name and info.form_name not in definition.forms:
        yield problem(f"form {info.form_name!r} is referenced but not in forms/")
    for fact in info.facts:
        if definition.data_schema(fact) is None:
            yield problem(
                f"fact {fact!r} has no title in any form; label it in forms/case_data.json"
            )
    due_problem = due_hint_problem(info.due_in) if info.due_in else ""
    if due_problem:
        yield problem(due_problem)
    yield from (problem(text) for text in _four_eyes_problems(definition, info.bpmn_id))
    operator = getattr(task_spec, "operation_name", None)
    if operators is not None and operator is not None and operator not in operators:
        known = ", ".join(sorted(operators)) or "none"
        yield problem(f"service task calls unknown operator {operator!r} (registered: {known})")
    for code in code_of(task_spec):
        message = code_problem(code.source, code.mode, code.timer_kind)
        if not message:
            continue
        text = message if code.what == "script" else f"{code.what}: {message}"
        if code.flow_target:
            flow = _flow_between(definition, info.bpmn_id, code.flow_target)
            if flow is not None:
                yield at(flow[0], flow[1], text)
                continue
        yield problem(text)


def _four_eyes_problems(definition: ProcessDefinition, bpmn_id: str) -> Iterator[str]:
    """``fourEyes`` names other user tasks of this model (or is ``*``), on a user task."""
    info = definition.tasks[bpmn_id]
    if not info.four_eyes:
        return
    if info.kind != "UserTask":
        yield "fourEyes is a rule of who completes a user task; this element is none"
    if info.four_eyes == (ANY_STEP,):
        return
    for name in info.four_eyes:
        other = definition.tasks.get(name)
        if name == bpmn_id:
            yield f"fourEyes names the task itself ({name!r})"
        elif other is None or other.kind not in ("UserTask", "ManualTask"):
            yield f"fourEyes names {name!r}, which is not a user task of this model"


def _flow_between(definition: ProcessDefinition, source: str, target: str) -> Any:
    return definition.flows.get((source, target))
