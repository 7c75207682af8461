"""Timer values read by Fuzhi, bounded, before SpiffWorkflow computes anything from them.

A timer's expression is evaluated in the sandbox like any other; what it gives (``'P3D'``,
``'15WD'``, ``'2026-05-01T09:00:00+08:00'``, ``'R3/PT1H'``) is then read here by
``durations.timer_value`` and handed on to SpiffWorkflow in a form it reads in constant
time. A value Fuzhi will not use stops the step with a message naming the element, so a
case never meets SpiffWorkflow's month-by-month loop or its ``Invalid duration``.
Deploys use :func:`literal_problem` to refuse a timer whose expression is a constant.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)

from .durations import DurationError, WorkingDays, timer_value
from .errors import ScriptFailed, one_line


def kind_of(timer: TimerEventDefinition) -> str:
    """'date', 'cycle' or 'duration': which BPMN element the timer was written with."""
    if isinstance(timer, TimeDateEventDefinition):
        return "date"
    if isinstance(timer, CycleTimerEventDefinition):
        return "cycle"
    return "duration"


def timers_of(task_spec: Any) -> Iterator[TimerEventDefinition]:
    """The timer event definitions of a task spec (one, or several of a multiple event)."""
    stack = [getattr(task_spec, "event_definition", None)]
    while stack:
        event = stack.pop()
        if isinstance(event, TimerEventDefinition):
            yield event
        stack.extend(getattr(event, "event_definitions", None) or [])


def checked_value(task: Any, expression: str, value: Any, working_days: WorkingDays) -> Any:
    """``value`` as SpiffWorkflow may see it: a timer's value bounded and rewritten; any
    other expression's value unchanged. ScriptFailed names the element otherwise."""
    timer = next((t for t in timers_of(task.task_spec) if t.expression == expression), None)
    if timer is None:
        return value
    try:
        return timer_value(
            kind_of(timer), value, now=datetime.now(UTC), working_days_duration=working_days
        )
    except DurationError as exc:
        element = getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name
        shown = one_line(repr(value), 80)
        raise ScriptFailed(
            f"element {element}: timer {one_line(expression, 80)!r} gave {shown}: {exc}"
        ) from None


def literal_problem(expression: str, kind: str) -> str:
    """'' unless the timer's expression is a constant Fuzhi will not use; then why."""
    try:
        value = ast.literal_eval(expression.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return ""  # not a constant: read when the timer starts
    if not isinstance(value, str):
        return f"the value {one_line(repr(value), 40)} is not text"
    try:
        # Working days are counted Monday to Friday here: only whether they fit matters.
        timer_value(kind, value, now=datetime.now(UTC), working_days_duration=_weekdays)
    except DurationError as exc:
        return str(exc)
    return ""


def _weekdays(count: int) -> str:
    return f"PT{(count * 7 // 5 + 3) * 86_400}S"
