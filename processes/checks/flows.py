"""Tree checks of models SpiffWorkflow accepts but a live case would break on.

* A user or manual task in no lane: Fuzhi gives a task to the role its lane names, so
  its tasks would wait in nobody's inbox.
* An event with more than one outgoing sequence flow: SpiffWorkflow starts every path
  at once (an implicit parallel split), so the next task waits twice, or two run.
* A timer whose duration is a number of working days (``'15WD'``): only ``dueIn``
  counts working days today; SpiffWorkflow's timer answers ``Invalid duration`` in the
  live case. (Issue 18 teaches timers working days in ``processes/durations.py``; once
  ``durations.timer_value`` exists the check lets them through.)

They read the lxml trees, so they run even when SpiffWorkflow's parser stops.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from typing import Any

from .. import durations, xmlsafe
from ..errors import ModelError, one_line
from .nodes import bpmn, is_executable, listing

HUMAN_TASKS = ("userTask", "manualTask")
# Events that pass the token on: more than one outgoing flow is an implicit split.
SPLITTING_EVENTS = (
    "startEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
)
TIMER_KINDS = ("timeDuration", "timeDate", "timeCycle")
_WORKING_DAYS = re.compile(r"(?:P\s*)?\d+\s*(?:WD|个?\s*工作日)", re.IGNORECASE)
# Issue 18's durations module turns working days into a timer SpiffWorkflow can run.
TIMERS_COUNT_WORKING_DAYS = hasattr(durations, "timer_value")


def flow_problems(bpmn_trees: Mapping[str, Any], *, check_lanes: bool) -> list[ModelError]:
    """Every problem of the bundle's executable processes that breaks a live case."""
    problems: list[ModelError] = []
    for file, tree in bpmn_trees.items():
        lanes = _lanes_by_node(tree)
        for process in tree.iter(bpmn("process")):
            if not is_executable(process):
                continue
            if check_lanes:
                problems.extend(_laneless_tasks(file, process, lanes))
            problems.extend(_splitting_events(file, process))
            if not TIMERS_COUNT_WORKING_DAYS:
                problems.extend(_working_day_timers(file, process))
    return problems


# ------------------------------------------------------------------------ lanes


def _lanes_by_node(tree: Any) -> dict[str, str]:
    """Flow node id -> the name of its lane, read document-wide as SpiffWorkflow does."""
    lanes: dict[str, str] = {}
    for ref in tree.iter(bpmn("flowNodeRef")):
        if ref.text and ref.text.strip():
            lanes[ref.text.strip()] = ref.getparent().get("name") or ""
    return lanes


def _laneless_tasks(file: str, process: Any, lanes: Mapping[str, str]) -> Iterator[ModelError]:
    has_lanes = next(process.iter(bpmn("lane")), None) is not None
    for task in process.iter(*(bpmn(tag) for tag in HUMAN_TASKS)):
        if _in_a_lane(task, lanes):
            continue
        hint = (
            "the process has no lanes: add a lane per role that works in it"
            if not has_lanes
            else "move it into the lane of the role that does this work"
        )
        yield ModelError(
            f"user task is in no lane, so its tasks would wait in nobody's inbox (a task "
            f"goes to the role its lane names); {hint}",
            file=file,
            line=task.sourceline,
            element=_describe(task),
            code="task_without_lane",
            params={"has_lanes": int(has_lanes)},
        )


def _in_a_lane(node: Any, lanes: Mapping[str, str]) -> bool:
    """In a lane itself, or inside a sub-process that is (its tasks take its lane)."""
    holder = node
    while holder is not None and holder.tag != bpmn("process"):
        if holder.get("id") in lanes:
            return True
        holder = holder.getparent()
    return False


# ------------------------------------------------------------------ implicit splits


def _splitting_events(file: str, process: Any) -> Iterator[ModelError]:
    for container in (process, *process.iter(bpmn("subProcess"), bpmn("transaction"))):
        outgoing: dict[str, list[str]] = {}
        for flow in container.iterchildren(bpmn("sequenceFlow")):
            outgoing.setdefault(flow.get("sourceRef", ""), []).append(flow.get("id", ""))
        for event in container.iterchildren(*(bpmn(tag) for tag in SPLITTING_EVENTS)):
            flows = outgoing.get(event.get("id", ""), [])
            if len(flows) < 2:
                continue
            yield ModelError(
                f"{len(flows)} sequence flows leave this event ({listing(flows)}); the engine "
                "would follow all of them at once, so the next steps would run (or wait) "
                "twice. Only gateways may split the flow: keep one flow and add an "
                "exclusive or parallel gateway after the event",
                file=file,
                line=event.sourceline,
                element=_describe(event),
                code="event_splits",
                params={"count": len(flows), "flows": listing(flows)},
            )


# ------------------------------------------------------------------------ timers


def _working_day_timers(file: str, process: Any) -> Iterator[ModelError]:
    assigned = _literal_assignments(process)
    for timer in process.iter(bpmn("timerEventDefinition")):
        for kind in TIMER_KINDS:
            node = timer.find(bpmn(kind))
            if node is None or not (node.text or "").strip():
                continue
            value, via = _timer_text(node.text.strip(), assigned)
            if value is None or not _WORKING_DAYS.search(value):
                continue
            holder = timer.getparent()
            source = f"{via!r} holds {value!r}" if via else repr(value)
            yield ModelError(
                f"timer {source} counts working days, which only a task's due date (dueIn) "
                "understands; the timer would fail in the live case. Write calendar "
                "time instead (15 working days is about P21D)",
                file=file,
                line=holder.sourceline,
                element=_describe(holder),
                code="timer_working_days",
                params={"value": one_line(value), "variable": via},
            )


def _timer_text(expression: str, assigned: Mapping[str, str]) -> tuple[str | None, str]:
    """The text a timer expression yields when it is a literal or a variable a script
    sets to a literal; (None, '') when only running the case would tell."""
    try:
        tree = ast.parse(expression, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None, ""
    body = tree.body
    if isinstance(body, ast.Constant) and isinstance(body.value, str):
        return body.value, ""
    if isinstance(body, ast.Name) and body.id in assigned:
        return assigned[body.id], body.id
    return None, ""


def _literal_assignments(process: Any) -> dict[str, str]:
    """Variables the process's scripts set to a string literal (``notice_period = '15WD'``)."""
    found: dict[str, str] = {}
    for script in process.iter(bpmn("script")):
        try:
            tree = ast.parse(script.text or "")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = node.value.value
    return found


def _describe(node: Any) -> str:
    return xmlsafe.describe(node)
