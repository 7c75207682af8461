"""Every piece of code a task spec will run, compiled (never run) by the sandbox's policy.

Scripts, pre- and post-scripts, gateway conditions, timers, message correlations,
operator parameters and multi-instance expressions. Besides what the policy refuses, a
message names what another engine's expression language would mean here: FEEL or JUEL
text, FEEL literals that parse as Python but mean something else, ISO-8601 timer text
that should be quoted.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from ..errors import ScriptRefused, one_line
from ..sandbox.policy import check_expression, check_script
from ..timers import kind_of, literal_problem

MAX_CODE_CHARS = 100_000  # a script longer than this is not a model, it is a payload
FEEL_LITERALS = {"true": "True", "false": "False", "null": "None"}
_FOREIGN_HINTS = ("${", "#{", "not(", " = ", "..", "date(", "duration(")
# A bare ISO-8601 timer value (P7D, R6/P1D, 2025-05-01T09:00Z), as other engines write it.
_ISO_TIMER = re.compile(
    r"(R\d*/)?([+-]?P(?=[0-9YMWDTHS.,]*\d)[0-9YMWDTHS.,]+|\d{4}-\d{2}-\d{2}(T[0-9:.,+\-Z]*)?)"
    r"(/\S+)?"
)


class Code(NamedTuple):
    """One piece of code a task spec will run."""

    what: str  # how the message names it: 'script', 'condition', "operator parameter 'x'"
    source: str
    mode: str  # 'script', 'expression' or 'timer'
    flow_target: str = ""  # for a condition: the task spec the flow leads to
    timer_kind: str = ""  # for a timer: 'duration', 'date' or 'cycle'


def code_of(task_spec: Any) -> Iterator[Code]:
    """Every piece of code a task spec will run (compiled here, never run)."""
    if getattr(task_spec, "script", None):
        yield Code("script", task_spec.script, "script")
    for attr in ("prescript", "postscript"):
        if getattr(task_spec, attr, None):
            yield Code(attr, getattr(task_spec, attr), "script")
    for condition, target in getattr(task_spec, "cond_task_specs", []) or []:
        # SpiffWorkflow may wrap a condition in an operator whose first arg is the text.
        text = condition.args[0] if hasattr(condition, "args") and condition.args else condition
        if isinstance(text, str) and text:
            yield Code("condition", text, "expression", flow_target=str(target))
    for event in _event_definitions(getattr(task_spec, "event_definition", None)):
        expression = getattr(event, "expression", None)
        if isinstance(expression, str) and expression:
            timer = isinstance(event, TimerEventDefinition)
            what = "timer" if timer else f"{type(event).__name__} expression"
            if timer:
                yield Code(what, expression, "timer", timer_kind=kind_of(event))
            else:
                yield Code(what, expression, "expression")
        for prop in getattr(event, "correlation_properties", None) or []:
            if getattr(prop, "retrieval_expression", None):
                yield Code("message correlation", prop.retrieval_expression, "expression")
    for name, param in (getattr(task_spec, "operation_params", None) or {}).items():
        yield Code(f"operator parameter {name!r}", str(param.get("value", "")), "expression")
    for attr in ("cardinality", "condition", "completion_condition"):
        value = getattr(task_spec, attr, None)
        if isinstance(value, str) and value:
            yield Code(attr.replace("_", " "), value, "expression")


def _event_definitions(event: Any) -> Iterator[Any]:
    if event is None:
        return
    yield event
    for inner in getattr(event, "event_definitions", None) or []:
        yield from _event_definitions(inner)


def code_problem(source: str, mode: str, timer_kind: str = "duration") -> str:
    """'' when ``source`` compiles under the restricted environment, else why not. A
    timer that is a constant must also be a duration, date or cycle Fuzhi can use."""
    kind = "script" if mode == "script" else "expression"
    if len(source) > MAX_CODE_CHARS:
        return f"{kind} is {len(source):,} characters long; the limit is {MAX_CODE_CHARS:,}"
    text = source.strip()
    if mode == "timer" and _ISO_TIMER.fullmatch(text):
        return (
            f"{text!r} is ISO-8601 text, but timer expressions here are Python: quote it "
            f"(\"'{text}'\") or name a case variable that holds it"
        )
    if kind == "expression" and not parses(text, kind):
        foreign = _foreign_language_hint(text)
        if foreign:
            return foreign
    elif kind == "expression":
        literal = feel_literal(text)
        if literal:
            return f"{one_line(text)!r} {literal}"
    elif any(hint in source for hint in ("${", "#{")) and not parses(source, kind):
        return _foreign_language_hint(source)
    problem = refusal(source, kind)
    if not problem and mode == "timer":
        return literal_problem(source, timer_kind)
    return problem


def parses(source: str, kind: str) -> bool:
    """Whether ``source`` is Python syntax at all (before asking what the policy says)."""
    try:
        ast.parse(source, mode="eval" if kind == "expression" else "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def refusal(source: str, kind: str) -> str:
    """'' when the sandbox's policy compiles ``source``, else its refusal; never raises."""
    try:
        (check_script if kind == "script" else check_expression)(source)
    except ScriptRefused as exc:
        return str(exc)
    except (RecursionError, MemoryError) as exc:  # the compiler gives up on deep nesting
        return f"{kind} is nested too deeply to compile (detail: {type(exc).__name__})"
    except Exception as exc:  # nothing a model contains may escape a check
        return f"{kind} cannot be compiled (detail: {type(exc).__name__})"
    return ""


def _foreign_language_hint(text: str) -> str:
    if any(hint in text for hint in _FOREIGN_HINTS) or text.startswith("="):
        return (
            f"{one_line(text)!r} is not a Python expression; this engine evaluates "
            "expressions as (restricted) Python, and FEEL/JUEL are not supported "
            "(expression language not supported)"
        )
    return ""


def feel_literal(text: str, *, cell: bool = False) -> str:
    """FEEL that happens to parse as Python but would mean something else there."""
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in FEEL_LITERALS:
            return (
                f"uses the FEEL literal {node.id}; expressions here are Python, where it is "
                f"written {FEEL_LITERALS[node.id]} (FEEL is not supported)"
            )
    body = tree.body
    if cell and isinstance(body, ast.Tuple) and len(body.elts) > 1:
        return (
            "is a FEEL list of alternatives; in Python it is one tuple that never equals a "
            f"single value, so write in ({text}) (FEEL is not supported)"
        )
    if cell and isinstance(body, ast.UnaryOp) and text.startswith("not("):
        return "is a FEEL negation; write != value or not in (…) (FEEL is not supported)"
    return ""
