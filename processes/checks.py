"""Deploy-time checks of a parsed definition: what parsing alone does not catch.

Each check yields ``ModelError`` lines naming the element, so a designer can find
the problem on the diagram. Scripts are compiled (never run) under the restricted
environment, so a hostile model is refused before any of its code executes.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .errors import ModelError, ScriptRefused
from .scripting import check_expression, check_script

if TYPE_CHECKING:
    from .catalog import ProcessDefinition

_FOREIGN_HINTS = ("${", "#{", "#{", "not(", " = ")


def definition_problems(
    definition: ProcessDefinition,
    *,
    roles: set[str] | None,
    operators: set[str] | None,
) -> list[ModelError]:
    problems: list[ModelError] = []
    file = _main_file(definition)
    for spec in [definition.spec, *definition.subprocess_specs.values()]:
        for task_spec in spec.task_specs.values():
            if not getattr(task_spec, "bpmn_id", None):
                continue
            problems.extend(_task_problems(definition, task_spec, file, roles, operators))
    problems.extend(decision_problems(definition.decisions, ""))
    return problems


def _main_file(definition: ProcessDefinition) -> str:
    return getattr(definition.spec, "file", None) or next(
        (n for n in definition.files if n.endswith(".bpmn")), ""
    )


def _task_problems(
    definition: ProcessDefinition,
    task_spec: Any,
    file: str,
    roles: set[str] | None,
    operators: set[str] | None,
) -> Iterator[ModelError]:
    info = definition.tasks[task_spec.bpmn_id]
    element = f"{task_spec.bpmn_id} ({info.name})" if info.name != info.bpmn_id else info.bpmn_id

    def problem(message: str) -> ModelError:
        return ModelError(message, file=file, element=element)

    if roles is not None and info.lane and info.lane not in roles:
        yield problem(f"lane {info.lane!r} is not a known role ({', '.join(sorted(roles))})")
    if info.form_name and info.form_name not in definition.forms:
        yield problem(f"form {info.form_name!r} is referenced but not in forms/")
    if info.due_in and not _is_duration(info.due_in):
        yield problem(f"due date {info.due_in!r} is not an ISO-8601 duration such as P3D")
    operator = getattr(task_spec, "operation_name", None)
    if operators is not None and operator is not None and operator not in operators:
        yield problem(f"service task calls unknown operator {operator!r}")
    for where, source, is_script in _code_of(task_spec):
        message = _compile_problem(source, is_script=is_script)
        if message:
            yield problem(f"{where}: {message}")


def _code_of(task_spec: Any) -> Iterator[tuple[str, str, bool]]:
    """(where, source, is_script) for every piece of code a task spec will run."""
    if getattr(task_spec, "script", None):
        yield "script", task_spec.script, True
    for attr in ("prescript", "postscript"):
        if getattr(task_spec, attr, None):
            yield attr, getattr(task_spec, attr), True
    for condition, target in getattr(task_spec, "cond_task_specs", []) or []:
        # SpiffWorkflow wraps each condition in an operator whose first arg is the text.
        text = condition.args[0] if hasattr(condition, "args") and condition.args else condition
        if isinstance(text, str) and text:
            yield f"condition of the flow to {target}", text, False
    event = getattr(task_spec, "event_definition", None)
    expression = getattr(event, "expression", None)
    if isinstance(expression, str) and expression:
        yield f"{type(event).__name__} expression", expression, False
    for name, param in (getattr(task_spec, "operation_params", None) or {}).items():
        yield f"operator parameter {name!r}", str(param.get("value", "")), False
    for attr in ("cardinality", "condition", "completion_condition"):
        value = getattr(task_spec, attr, None)
        if isinstance(value, str) and value:
            yield attr.replace("_", " "), value, False


def _compile_problem(source: str, *, is_script: bool) -> str:
    try:
        (check_script if is_script else check_expression)(source)
    except ScriptRefused as exc:
        return _foreign_language_hint(source) or str(exc)
    return ""


def _foreign_language_hint(source: str) -> str:
    stripped = source.strip()
    try:
        ast.parse(stripped, mode="exec")
    except SyntaxError:
        if any(hint in stripped for hint in _FOREIGN_HINTS) or stripped.startswith("="):
            return (
                f"{stripped[:60]!r} is not a Python expression; this engine evaluates "
                "expressions as (restricted) Python, and FEEL/JUEL are not supported"
            )
    return ""


def decision_problems(decisions: dict[str, Any], default_file: str) -> list[ModelError]:
    """Problems of parsed DMN decisions: unreadable tables, hit policies, cells."""
    problems: list[ModelError] = []
    for decision_id, dmn_parser in decisions.items():
        file = getattr(dmn_parser, "filename", "") or default_file
        try:
            dmn_parser.parse()
            tables = dmn_parser.decision.decisionTables
        except Exception as exc:
            message = _plain_dmn_error(exc)
            problems.append(ModelError(message, file=file, element=decision_id))
            continue
        if not tables:
            problems.append(
                ModelError(
                    "the decision has no decision table (only decision tables can be run)",
                    file=file,
                    element=decision_id,
                )
            )
        for table in tables:
            problems.extend(_table_problems(table, file, decision_id))
    return problems


def _plain_dmn_error(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"the decision table is missing the required attribute or element {exc.args[0]!r}"
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"the decision cannot be read: {text}"


def _table_problems(table: Any, file: str, decision_id: str) -> Iterator[ModelError]:
    if table.hit_policy not in ("UNIQUE", "COLLECT", "FIRST"):
        yield ModelError(
            f"hit policy {table.hit_policy} is not supported (use UNIQUE, FIRST or COLLECT)",
            file=file,
            element=decision_id,
        )
    for column in table.inputs:
        message = _compile_problem(column.expression or "", is_script=False)
        if column.expression and message:
            yield ModelError(
                f"input {column.label or column.id}: {message}", file=file, element=decision_id
            )
    for rule in table.rules:
        where = f"{decision_id} rule {rule.row_number or rule.id}"
        for entry in rule.inputEntries:
            for lhs in entry.lhs:
                message = _cell_problem(lhs)
                if message:
                    yield ModelError(message, file=file, element=where)
        for out in rule.outputEntries:
            message = _compile_problem(out.text, is_script=False) if out.text else ""
            if message:
                yield ModelError(f"output: {message}", file=file, element=where)


def _cell_problem(lhs: str | None) -> str:
    """Mirror SpiffWorkflow's DMN cell rules: an expression, or an operator and operand."""
    if lhs is None or not lhs.strip() or lhs.strip() == "-":
        return ""
    text = re.sub(r"\?", "dmninputexpr", lhs)
    for candidate in (text, f"dmninputexpr {text}"):
        if not _compile_problem(candidate, is_script=False):
            return ""
    return f"input cell {lhs!r}: " + _compile_problem(text, is_script=False)


def _is_duration(text: str) -> bool:
    return bool(
        re.fullmatch(r"P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?", text)
    )
