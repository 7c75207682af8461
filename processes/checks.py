"""Deploy-time checks: what parsing alone does not catch, said in plain words.

Two kinds, each yielding ``ModelError`` lines that name file, line and element:

* **Tree checks** run on the hardened lxml trees *before* SpiffWorkflow sees them. They
  find what would make SpiffWorkflow crash or answer in its own terms (a dangling
  sequence flow, a service task with no operator, a DMN table without ids, a called
  process or decision that is not in the bundle) and what another engine's model
  expects that this one would silently skip (Camunda external tasks, listeners).
* **Definition checks** run on the parsed spec: lanes are known roles, forms exist,
  operators are registered, and every script, condition, timer and DMN cell compiles
  under the restricted environment. Code is compiled, never run, so a hostile model is
  refused before any of it executes.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from . import xmlsafe
from .errors import ModelError, ScriptRefused, one_line
from .sandbox.policy import check_expression, check_script

if TYPE_CHECKING:
    from .catalog import ProcessDefinition

SERVICE_TASK_MESSAGE = (
    "service task must name a Fuzhi operator (spiffworkflow:serviceTaskOperator); "
    "Camunda external tasks / Java delegates are not supported"
)
MAX_LISTED = 5  # elements named in one message before "and N more"
MAX_CELL_PROBLEMS = 10  # per decision table; the rest are counted in one line
MAX_CODE_CHARS = 100_000  # a script longer than this is not a model, it is a payload
SUPPORTED_HIT_POLICIES = ("UNIQUE", "COLLECT", "FIRST")

CONTAINERS = ("process", "subProcess", "transaction", "adHocSubProcess")
FOREIGN_ENGINES = {
    "http://camunda.org/schema/1.0/bpmn": "Camunda",
    "http://activiti.org/bpmn": "Activiti",
    "http://flowable.org/bpmn": "Flowable",
}
_FOREIGN_ATTRIBUTES = (
    ("class", "Java delegate class"),
    ("delegateExpression", "delegate expression"),
    ("expression", "expression"),
    ("decisionRef", "decision reference"),
)
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
PYTHON_FORMATS = frozenset({"python", "python3", "py", "text/x-python", "text/python"})
FEEL_LITERALS = {"true": "True", "false": "False", "null": "None"}
_FOREIGN_HINTS = ("${", "#{", "not(", " = ", "..", "date(", "duration(")
# SpiffWorkflow's own rule: '?' outside quotes stands for the input value.
_DMN_QUESTION = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")
# A bare ISO-8601 timer value (P7D, R6/P1D, 2025-05-01T09:00Z), as other engines write it.
_ISO_TIMER = re.compile(
    r"(R\d*/)?([+-]?P(?=[0-9YMWDTHS.,]*\d)[0-9YMWDTHS.,]+|\d{4}-\d{2}-\d{2}(T[0-9:.,+\-Z]*)?)"
    r"(/\S+)?"
)


def bpmn(tag: str) -> str:
    return f"{{{xmlsafe.BPMN_NS}}}{tag}"


def spiff(tag: str) -> str:
    return f"{{{xmlsafe.SPIFF_NS}}}{tag}"


def is_executable(process: Any) -> bool:
    """SpiffWorkflow's reading: a process without isExecutable counts as executable."""
    return bool(process.get("isExecutable", "true") == "true")


def _at(file: str, node: Any, message: str) -> ModelError:
    return ModelError(message, file=file, line=node.sourceline, element=xmlsafe.describe(node))


def _listing(items: list[str], limit: int = MAX_LISTED) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


# =================================================================== tree checks


def bpmn_tree_problems(
    bpmn_trees: Mapping[str, Any], dmn_trees: Mapping[str, Any]
) -> tuple[list[ModelError], list[ModelError]]:
    """(blocking, advisory) problems of the bundle's BPMN trees.

    Blocking ones would make SpiffWorkflow fail, so it is not run; advisory ones are
    refusals too, but the parse goes on so that later problems are listed with them.
    """
    processes = {
        node.get("id"): (name, node)
        for name, tree in bpmn_trees.items()
        for node in tree.iter(bpmn("process"))
    }
    decisions = {node.get("id") for tree in dmn_trees.values() for node in tree.iter("{*}decision")}
    blocking: list[ModelError] = []
    advisory: list[ModelError] = []
    for name, tree in bpmn_trees.items():
        blocking.extend(_data_store_problems(name, tree))
    for name, process in processes.values():
        if not is_executable(process):
            continue  # SpiffWorkflow never parses its tasks, so neither do we
        blocking.extend(_flow_problems(name, process))
        blocking.extend(_service_task_problems(name, process))
        blocking.extend(_extension_problems(name, process))
        blocking.extend(_call_problems(name, process, processes))
        blocking.extend(_decision_ref_problems(name, process, decisions))
        advisory.extend(_foreign_problems(name, process))
    blocking.extend(_recursion_problems(processes))
    return blocking, advisory


def _data_store_problems(file: str, tree: Any) -> Iterator[ModelError]:
    for store in tree.iter(bpmn("dataStore")):
        yield _at(
            file,
            store,
            "data stores are not supported: this engine has no data store implementation "
            "(keep case data in the process; reach outside data through a Fuzhi operator)",
        )


def _container_kind(container: Any) -> str:
    kind = "process" if etree.QName(container).localname == "process" else "sub-process"
    return f"{kind} {container.get('id', '')!r}"


def _flow_problems(file: str, process: Any) -> Iterator[ModelError]:
    """Dangling references inside one process: SpiffWorkflow would misreport them."""
    for container in process.iter(*(bpmn(tag) for tag in CONTAINERS)):
        ids = {child.get("id") for child in container if child.get("id")}
        for flow in container.iterchildren(bpmn("sequenceFlow")):
            yield from _dangling_flow(file, container, flow, ids)
        for event in container.iterchildren(bpmn("boundaryEvent")):
            ref = event.get("attachedToRef", "")
            if ref not in ids:
                yield _at(
                    file,
                    event,
                    f"boundary event is attached to {ref!r}, which is not an activity of "
                    f"the {_container_kind(container)}",
                )
        yield from _default_flow_problems(file, container)


def _dangling_flow(file: str, container: Any, flow: Any, ids: set[str]) -> Iterator[ModelError]:
    for attribute, verb in (("sourceRef", "starts at"), ("targetRef", "points to")):
        ref = flow.get(attribute, "")
        if ref in ids:
            continue
        elsewhere = xmlsafe.find_by_id(flow.getroottree(), ref) is not None
        where = (
            f"which is not in the same process or sub-process ({_container_kind(container)})"
            if elsewhere
            else f"which is not an element of the {_container_kind(container)}"
        )
        yield _at(file, flow, f"sequence flow {flow.get('id', '')!r} {verb} {ref!r}, {where}")


def _default_flow_problems(file: str, container: Any) -> Iterator[ModelError]:
    outgoing: dict[str, set[str]] = {}
    for flow in container.iterchildren(bpmn("sequenceFlow")):
        outgoing.setdefault(flow.get("sourceRef", ""), set()).add(flow.get("id", ""))
    for gateway in container.iterchildren(
        bpmn("exclusiveGateway"), bpmn("inclusiveGateway"), bpmn("complexGateway")
    ):
        default = gateway.get("default")
        if default and default not in outgoing.get(gateway.get("id", ""), set()):
            yield _at(
                file,
                gateway,
                f"default flow {default!r} is not one of the gateway's outgoing sequence flows",
            )


def _service_task_problems(file: str, process: Any) -> Iterator[ModelError]:
    for task in process.iter(bpmn("serviceTask")):
        operator = task.find(f"{bpmn('extensionElements')}/{spiff('serviceTaskOperator')}")
        if operator is None:
            hint = foreign_implementation(task)
            yield _at(file, task, SERVICE_TASK_MESSAGE + (f", and this one {hint}" if hint else ""))
        elif not operator.get("id"):
            yield _at(file, task, "spiffworkflow:serviceTaskOperator has no id (the operator name)")


def _extension_problems(file: str, process: Any) -> Iterator[ModelError]:
    """Attributes the spiffworkflow XSD leaves optional but SpiffWorkflow indexes blindly."""
    for node in process.iter(spiff("property")):
        if node.get("name") is None or node.get("value") is None:
            yield _at(file, _owner(node), "spiffworkflow:property needs both name and value")
    for node in process.iter(spiff("parameter")):
        if node.get("value") is not None and (node.get("id") is None or node.get("type") is None):
            yield _at(file, _owner(node), "spiffworkflow:parameter needs id, type and value")


def _owner(node: Any) -> Any:
    """The nearest ancestor with an id (an extension element is named by its task)."""
    holder = node
    while holder.getparent() is not None and not holder.get("id"):
        holder = holder.getparent()
    return holder


def _call_problems(
    file: str, process: Any, processes: Mapping[str, tuple[str, Any]]
) -> Iterator[ModelError]:
    for call in process.iter(bpmn("callActivity")):
        called = call.get("calledElement", "")
        if not called:
            yield _at(file, call, "call activity does not name a process (calledElement is empty)")
        elif called not in processes:
            known = _listing(sorted(p for p in processes if p)) or "no process"
            yield _at(
                file,
                call,
                f"call activity calls process {called!r}, which is not in the bundle "
                f"(the bundle defines {known}); the called process must be deployed with it",
            )
        elif not is_executable(processes[called][1]):
            yield _at(
                file,
                call,
                f'call activity calls process {called!r}, which is marked isExecutable="false"',
            )


def _decision_ref_problems(file: str, process: Any, decisions: set[str]) -> Iterator[ModelError]:
    for task in process.iter(bpmn("businessRuleTask")):
        refs = task.findall(f"{bpmn('extensionElements')}/{spiff('calledDecisionId')}")
        ref = refs[-1].text if refs else None  # SpiffWorkflow keeps the last one, unstripped
        if not ref:
            hint = foreign_implementation(task)
            yield _at(
                file,
                task,
                "business rule task must name its decision (spiffworkflow:calledDecisionId)"
                + (f"; this one {hint}, which this engine does not read" if hint else ""),
            )
        elif ref not in decisions:
            known = f"decisions here: {_listing(sorted(decisions))}" if decisions else "no DMN file"
            yield _at(
                file,
                task,
                f"business rule task calls decision {ref!r}, which is not in the bundle ({known})",
            )


def _recursion_problems(processes: Mapping[str, tuple[str, Any]]) -> Iterator[ModelError]:
    """A process that calls itself (directly or not) would create sub-workflows forever."""
    calls = {
        pid: [c.get("calledElement", "") for c in node.iter(bpmn("callActivity"))]
        for pid, (_, node) in processes.items()
    }
    for pid, (file, node) in processes.items():
        if not is_executable(node):
            continue
        for call in node.iter(bpmn("callActivity")):
            called = call.get("calledElement", "")
            if called in calls and _reaches(calls, called, pid):
                yield _at(
                    file,
                    call,
                    f"call activity calls process {called!r}, which calls back into {pid!r}; "
                    "recursive calls never end and are not supported",
                )


def _reaches(calls: Mapping[str, list[str]], start: str, goal: str) -> bool:
    seen: set[str] = set()
    todo = [start]
    while todo:
        current = todo.pop()
        if current == goal:
            return True
        if current not in seen:
            seen.add(current)
            todo.extend(calls.get(current, []))
    return False


def foreign_implementation(node: Any) -> str:
    """What another engine would run for this element, as a clause without its subject
    ("is a Camunda external task (topic 'mail')"), or '' when there is nothing."""
    for namespace, engine in FOREIGN_ENGINES.items():
        kind = node.get(f"{{{namespace}}}type")
        if kind == "external":
            topic = node.get(f"{{{namespace}}}topic", "")
            return f"is a {engine} external task (topic {topic!r})"
        for attribute, what in _FOREIGN_ATTRIBUTES:
            value = node.get(f"{{{namespace}}}{attribute}")
            if value:
                return f"names the {engine} {what} {one_line(value)!r}"
        if kind:
            return f"is a {engine} {kind!r} task"
    extensions = node.find(bpmn("extensionElements"))
    if extensions is not None:
        job = extensions.find(f"{{{ZEEBE_NS}}}taskDefinition")
        if job is not None:
            return f"is a Camunda 8 job (type {job.get('type', '')!r})"
        for child in extensions.iterchildren(tag=etree.Element):
            qname = etree.QName(child)
            if qname.namespace in FOREIGN_ENGINES and qname.localname == "connector":
                return f"uses a {FOREIGN_ENGINES[qname.namespace]} connector"
    return ""


def _foreign_problems(file: str, process: Any) -> Iterator[ModelError]:
    """Elements another engine would run code for; here they would silently do nothing."""
    for node in process.iter(tag=etree.Element):
        qname = etree.QName(node)
        if qname.namespace != xmlsafe.BPMN_NS:
            continue
        if qname.localname not in ("serviceTask", "businessRuleTask"):
            hint = foreign_implementation(node)
            if hint:
                effect = (
                    "here it would only throw its BPMN message"
                    if qname.localname == "sendTask"
                    else "here it would do nothing"
                )
                yield _at(
                    file,
                    node,
                    f"this {qname.localname} {hint}; this engine runs no external tasks or Java "
                    f"code, so {effect}",
                )
        yield from _listener_problems(file, node)
        if qname.localname == "scriptTask":
            script_format = (node.get("scriptFormat") or "").strip()
            if script_format and script_format.lower() not in PYTHON_FORMATS:
                yield _at(
                    file,
                    node,
                    f"script language {script_format!r} is not supported; scripts are "
                    "restricted Python",
                )


def _listener_problems(file: str, node: Any) -> Iterator[ModelError]:
    extensions = node.find(bpmn("extensionElements"))
    if extensions is None:
        return
    listeners = sorted(
        {
            xmlsafe.short_tag(child.tag)
            for child in extensions.iterchildren(tag=etree.Element)
            if etree.QName(child).namespace in FOREIGN_ENGINES
            and etree.QName(child).localname.endswith("Listener")
        }
    )
    if listeners:
        yield _at(
            file,
            node,
            f"{', '.join(listeners)} is not run by this engine (listeners are another "
            "engine's code); model the work as a task",
        )


# ------------------------------------------------------------------ DMN trees

_DMN_ID_TAGS = ("decisionTable", "input", "output", "rule", "inputEntry", "outputEntry")


def dmn_tree_problems(file: str, tree: Any) -> list[ModelError]:
    """What SpiffWorkflow's DMN parser would crash on (KeyError 'id', IndexError...)."""
    root = tree.getroot()
    namespace = etree.QName(root).namespace

    def dmn(tag: str) -> str:
        return f"{{{namespace}}}{tag}"

    decisions = list(root.iter(dmn("decision")))
    if not decisions:
        return [_at(file, root, "the file defines no decision")]
    if len(decisions) > 1:
        ids = _listing([d.get("id", "?") for d in decisions])
        return [
            _at(
                file,
                decisions[1],
                f"the file defines {len(decisions)} decisions ({ids}); this engine reads one "
                "decision per DMN file, so put each in its own file",
            )
        ]
    decision = decisions[0]
    if not decision.get("id"):
        return [_at(file, decision, "the decision has no id attribute")]
    table = decision.find(dmn("decisionTable"))
    if table is None:
        return [
            _at(
                file,
                decision,
                "the decision has no decision table (only decision tables can be run, not "
                "literal expressions, contexts or other FEEL boxed expressions)",
            )
        ]
    return [
        *_missing_ids(file, decision, table, dmn),
        *_table_children(file, table),
        *_entry_counts(file, table, dmn),
        *_output_syntax(file, table, dmn),
        *_aggregation(file, decision, table),
    ]


def _missing_ids(file: str, decision: Any, table: Any, dmn: Any) -> Iterator[ModelError]:
    nodes = {"decisionTable": [table] if not table.get("id") else []}
    for tag in _DMN_ID_TAGS[1:]:
        nodes[tag] = [node for node in table.iter(dmn(tag)) if not node.get("id")]
    for tag, missing in nodes.items():
        if not missing:
            continue
        first = missing[0]
        count = f"{len(missing)} <{tag}> elements have" if len(missing) > 1 else f"the <{tag}> has"
        where = (
            f"{tag} in {xmlsafe.describe(_owner(first) if tag != 'decisionTable' else decision)}"
        )
        yield ModelError(
            f"{count} no id attribute; this engine needs an id on every decisionTable, "
            "input, output, rule, inputEntry and outputEntry",
            file=file,
            line=first.sourceline,
            element=where,
        )


def _table_children(file: str, table: Any) -> Iterator[ModelError]:
    # SpiffWorkflow accepts only input, output and rule directly inside a decisionTable.
    for child in table.iterchildren(tag=etree.Element):
        local = etree.QName(child).localname
        if not local.endswith(("input", "output", "rule")):
            yield _at(
                file,
                _owner(child),
                f"<{local}> inside a decisionTable is not supported by this engine (only "
                "input, output and rule; put notes in a rule's <description>)",
            )


def _entry_counts(file: str, table: Any, dmn: Any) -> Iterator[ModelError]:
    inputs = len(table.findall(dmn("input")))
    outputs = len(table.findall(dmn("output")))
    for row, rule in enumerate(table.iterchildren(dmn("rule")), start=1):
        for tag, expected in (("inputEntry", inputs), ("outputEntry", outputs)):
            found = len(rule.findall(dmn(tag)))
            if found != expected:
                kind = tag.removesuffix("Entry")
                yield _at(
                    file,
                    rule,
                    f"rule (row {row}) has {_count(found, kind + ' entry')} but the table has "
                    f"{_count(expected, kind + ' column')}",
                )


def _count(number: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{number} {noun if number == 1 else plural}"


def _output_syntax(file: str, table: Any, dmn: Any) -> Iterator[ModelError]:
    """SpiffWorkflow refuses an output cell that does not parse, in its own words."""
    for entry in table.iter(dmn("outputEntry")):
        for text in entry.iterchildren(dmn("text")):
            if text.text and text.text.strip() and not _parses(text.text, "script"):
                shown = one_line(text.text)
                yield _at(
                    file,
                    _owner(entry),
                    f"output cell {shown!r} is not a Python expression; DMN cells here are "
                    "restricted Python and FEEL is not supported",
                )


def _aggregation(file: str, decision: Any, table: Any) -> Iterator[ModelError]:
    aggregation = table.get("aggregation")
    if aggregation:
        yield ModelError(
            f"COLLECT with aggregation {aggregation} is not supported (the engine would "
            "return the list of values, not their aggregate)",
            file=file,
            line=table.sourceline,
            element=f"decisionTable in {xmlsafe.describe(decision)}",
        )


# ============================================================ definition checks


def main_file(definition: ProcessDefinition) -> str:
    return getattr(definition.spec, "file", None) or next(
        (n for n in definition.files if n.endswith(".bpmn")), ""
    )


def definition_problems(
    definition: ProcessDefinition,
    *,
    roles: set[str] | None,
    operators: set[str] | None,
) -> list[ModelError]:
    problems: list[ModelError] = []
    if roles is not None:
        problems.extend(_lane_problems(definition, roles))
    for spec in [definition.spec, *definition.subprocess_specs.values()]:
        for task_spec in spec.task_specs.values():
            if getattr(task_spec, "bpmn_id", None):
                problems.extend(_task_problems(definition, task_spec, operators))
    problems.extend(decision_problems(definition.decisions, ""))
    return problems


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
    holds = f"it holds {_listing(members)}" if members else "it holds no elements"
    known = ", ".join(sorted(roles))
    name = lane.get("name")
    if not name:
        message = f"lane has no name; a lane's name must be a role code ({known}); {holds}"
    else:
        message = f"lane {name!r} is not a known role (known roles: {known}); {holds}"
    return _at(file, lane, message)


def _task_label(definition: ProcessDefinition, bpmn_id: str) -> str:
    info = definition.tasks.get(bpmn_id)
    if info is None or info.name == bpmn_id:
        return bpmn_id
    return f"{bpmn_id} ({one_line(info.name, 40)})"


class Code(NamedTuple):
    """One piece of code a task spec will run."""

    what: str  # how the message names it: 'script', 'condition', "operator parameter 'x'"
    source: str
    mode: str  # 'script', 'expression' or 'timer'
    flow_target: str = ""  # for a condition: the task spec the flow leads to


def _task_problems(
    definition: ProcessDefinition, task_spec: Any, operators: set[str] | None
) -> Iterator[ModelError]:
    info = definition.tasks[task_spec.bpmn_id]
    file, line, label = definition.locate(info.bpmn_id)

    def problem(message: str) -> ModelError:
        return ModelError(message, file=file, line=line, element=label)

    if info.form_name and info.form_name not in definition.forms:
        yield problem(f"form {info.form_name!r} is referenced but not in forms/")
    if info.due_in and not _is_duration(info.due_in):
        yield problem(
            f"due date {info.due_in!r} is neither an ISO-8601 duration such as P3D nor a "
            "number of working days such as 5WD"
        )
    operator = getattr(task_spec, "operation_name", None)
    if operators is not None and operator is not None and operator not in operators:
        known = ", ".join(sorted(operators)) or "none"
        yield problem(f"service task calls unknown operator {operator!r} (registered: {known})")
    for code in _code_of(task_spec):
        message = code_problem(code.source, code.mode)
        if not message:
            continue
        text = message if code.what == "script" else f"{code.what}: {message}"
        if code.flow_target:
            flow = _flow_between(definition, info.bpmn_id, code.flow_target)
            if flow is not None:
                yield _at(flow[0], flow[1], text)
                continue
        yield problem(text)


def _flow_between(definition: ProcessDefinition, source: str, target: str) -> Any:
    return definition.flows.get((source, target))


def _code_of(task_spec: Any) -> Iterator[Code]:
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
            yield Code(what, expression, "timer" if timer else "expression")
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


# ------------------------------------------------------------ compiling code


def code_problem(source: str, mode: str) -> str:
    """'' when ``source`` compiles under the restricted environment, else why not."""
    kind = "script" if mode == "script" else "expression"
    if len(source) > MAX_CODE_CHARS:
        return f"{kind} is {len(source):,} characters long; the limit is {MAX_CODE_CHARS:,}"
    text = source.strip()
    if mode == "timer" and _ISO_TIMER.fullmatch(text):
        return (
            f"{text!r} is ISO-8601 text, but timer expressions here are Python: quote it "
            f"(\"'{text}'\") or name a case variable that holds it"
        )
    if kind == "expression" and not _parses(text, kind):
        foreign = _foreign_language_hint(text)
        if foreign:
            return foreign
    elif kind == "expression":
        literal = _feel_literal(text)
        if literal:
            return f"{one_line(text)!r} {literal}"
    elif any(hint in source for hint in ("${", "#{")) and not _parses(source, kind):
        return _foreign_language_hint(source)
    return _refusal(source, kind)


def _parses(source: str, kind: str) -> bool:
    try:
        ast.parse(source, mode="eval" if kind == "expression" else "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _refusal(source: str, kind: str) -> str:
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


def _feel_literal(text: str, *, cell: bool = False) -> str:
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


def _is_duration(text: str) -> bool:
    # Working days ('5WD', 'P5WD') are counted by the webapp's holiday calendar.
    if re.fullmatch(r"P?\d+WD", text.strip(), re.IGNORECASE):
        return True
    return bool(
        re.fullmatch(r"P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?", text)
    )


# ---------------------------------------------------------------- decisions

# DMN 1.4/1.5 files have no schema in SpiffWorkflow and are FEEL by default, but so are
# Camunda's and Spiff's own files, which are written in Python. Neither the namespace nor
# the expressionLanguage attribute is therefore trusted: every cell is judged on its own.
# A cell that is not Python, or that is FEEL which happens to parse as Python but means
# something else there (true/false/null, "a","b" lists, not(...)), is refused; a file
# whose cells are all Python passes, whatever DMN version it declares.


def decision_problems(decisions: Mapping[str, Any], default_file: str) -> list[ModelError]:
    """Problems of parsed DMN decisions: unreadable tables, hit policies, cells."""
    problems: list[ModelError] = []
    for decision_id, dmn_parser in decisions.items():
        file = getattr(dmn_parser, "filename", "") or default_file
        tree = dmn_parser.node.getroottree()
        element = _decision_label(tree, decision_id)
        try:
            dmn_parser.parse()
            tables = dmn_parser.decision.decisionTables
        except Exception as exc:
            from .catalog import spiff_error

            problems.append(spiff_error(exc, {file: tree}, file))
            continue
        if not tables:
            problems.append(
                ModelError(
                    "the decision has no decision table (only decision tables can be run)",
                    file=file,
                    line=xmlsafe.line_of(tree, decision_id),
                    element=element,
                )
            )
        for table in tables:
            problems.extend(_capped(_table_problems(table, file, tree, decision_id)))
    return problems


def _decision_label(tree: Any, decision_id: str) -> str:
    node = xmlsafe.find_by_id(tree, decision_id)
    return xmlsafe.describe(node) if node is not None else decision_id


def _capped(problems: Iterable[ModelError]) -> list[ModelError]:
    listed = list(problems)
    if len(listed) <= MAX_CELL_PROBLEMS:
        return listed
    first = listed[0]
    more = len(listed) - MAX_CELL_PROBLEMS
    summary = ModelError(f"… and {more} more problems in this decision table", file=first.file)
    return [*listed[:MAX_CELL_PROBLEMS], summary]


def _table_problems(table: Any, file: str, tree: Any, decision_id: str) -> Iterator[ModelError]:
    def at(ident: str, message: str, element: str) -> ModelError:
        return ModelError(message, file=file, line=xmlsafe.line_of(tree, ident), element=element)

    decision = _decision_label(tree, decision_id)
    if table.hit_policy not in SUPPORTED_HIT_POLICIES:
        yield at(
            table.id,
            f"hit policy {table.hit_policy} is not supported (use UNIQUE, FIRST or COLLECT)",
            f"decisionTable in {decision}",
        )
    for column in table.inputs:
        message = expression_problem(column.expression or "")
        if column.expression and message:
            name = one_line(column.label or column.id, 40)
            yield at(column.id, f"input expression {message}", f"input {name} of {decision}")
    for rule in table.rules:
        where = f"rule {rule.id} (row {rule.row_number}) of {decision}"
        for entry in rule.inputEntries:
            for lhs in entry.lhs:
                message = cell_problem(lhs)
                if message:
                    yield at(entry.id, message, where)
        for out in rule.outputEntries:
            message = expression_problem(out.text) if out.text else ""
            if message:
                yield at(out.id, f"output cell {message}", where)


def expression_problem(text: str) -> str:
    """Why a DMN input expression or output cell cannot run here ('' when it can)."""
    source = text.strip()
    if not _parses(source, "expression"):
        return (
            f"{one_line(source)!r} is not a Python expression; DMN cells here are "
            "restricted Python and FEEL is not supported"
        )
    literal = _feel_literal(source)
    if literal:
        return f"{one_line(source)!r} {literal}"
    refused = _refusal(source, "expression")
    return f"{one_line(source)!r}: {refused}" if refused else ""


def cell_problem(lhs: str | None) -> str:
    """Mirror SpiffWorkflow's DMN input rules: an expression compared for equality, or an
    operator and operand appended to the input, with '?' standing for the input."""
    text = (lhs or "").strip()
    if not text or text == "-":
        return ""
    shown = one_line(text)
    replaced = _DMN_QUESTION.sub("dmninputexpr", text)
    if "dmninputexpr" not in replaced and re.match(r"(not|in|is|and|or)\b", text):
        # SpiffWorkflow appends the cell to the input with no space ('dutynot in ...').
        return (
            f"input cell {shown!r} starts with a word operator, which SpiffWorkflow glues to "
            f"the input without a space; write it with '?' for the input, e.g. '? {text}'"
        )
    candidates = (
        [replaced] if "dmninputexpr" in replaced else [replaced, f"dmninputexpr {replaced}"]
    )
    for candidate in candidates:
        if not _parses(candidate, "expression"):
            continue
        literal = _feel_literal(candidate, cell=candidate == replaced)
        if literal:
            return f"input cell {shown!r} {literal}"
        refused = _refusal(candidate, "expression")
        return f"input cell {shown!r}: {refused}" if refused else ""
    return (
        f"input cell {shown!r} is not a Python test; DMN cells here are restricted Python "
        'and FEEL is not supported (write e.g. >= 18, "high" or ? in ("a", "b"))'
    )
