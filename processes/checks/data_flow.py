"""Data flow: every variable code reads is supplied by a step before it, or by the start.

The submitted form fields, what scripts assign, the outputs of the decisions a task
calls and an operator's result variable become case data (docs/modelling.md §4, §5). A
script, condition, timer, operator parameter or decision input that reads a name no
step before it supplies stops the live case with ``NameError``: the usual cause is a
deleted task whose form asked for it, or two steps in the wrong order.

"Before" is along the sequence flows (any path, so a value a loop brings back counts);
what a case starts with is what the webapp gives every case about a member
(``start_data``), and what the bundle's data sheet ``forms/case_data.json`` names.
Reads guarded by ``try: ... except NameError`` (the optional-variable idiom) are not
required. A process with data objects or I/O specifications is not checked: its data
moves by rules this analysis does not follow.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from .. import xmlsafe
from ..definition import DATA_SHEET, FORM_PROPERTY
from ..errors import ModelError
from ..sandbox.safe_builtins import BUILTINS, EXCEPTIONS
from ..script_helpers import DOMAIN_HELPERS
from .code import code_problem
from .nodes import bpmn, is_executable, spiff

# A process's declaration of the data its cases start with, when no form labels it:
# <spiffworkflow:property name="startData" value="order_findings, correction_period" />
START_DATA_PROPERTY = "startData"
# Names code may use that are not case data.
KNOWN_NAMES = frozenset({*BUILTINS, *EXCEPTIONS, *DOMAIN_HELPERS, *dir(builtins)})
DMN_INPUT = "__fz_dmn_input__"
_QUESTION = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")
_FLOW_NODES = (
    "task",
    "userTask",
    "manualTask",
    "scriptTask",
    "serviceTask",
    "businessRuleTask",
    "sendTask",
    "receiveTask",
    "callActivity",
    "subProcess",
    "transaction",
    "adHocSubProcess",
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
    "exclusiveGateway",
    "inclusiveGateway",
    "parallelGateway",
    "eventBasedGateway",
    "complexGateway",
)
_CONTAINERS = ("subProcess", "transaction", "adHocSubProcess")
# A process using these moves data by rules not followed here.
_OPAQUE = ("dataObjectReference", "ioSpecification", "dataInputAssociation")


@dataclass
class _Read:
    name: str
    what: str  # how the message names the code: 'script', 'condition', ...
    node: Any  # the element the problem is marked on
    reader: str  # the flow node whose predecessors must supply it


@dataclass
class _Process:
    file: str
    nodes: dict[str, Any] = field(default_factory=dict)
    preds: dict[str, set[str]] = field(default_factory=dict)
    supplies: dict[str, set[str]] = field(default_factory=dict)
    reads: list[_Read] = field(default_factory=list)
    decision_reads: Mapping[str, list[str]] = field(default_factory=dict)
    anywhere: set[str] = field(default_factory=set)  # nodes of event sub-processes
    supplies_all: set[str] = field(default_factory=set)  # call activities out of reach


def data_flow_problems(
    bpmn_trees: Mapping[str, Any],
    dmn_trees: Mapping[str, Any],
    forms: Mapping[str, Mapping[str, Any]],
    *,
    start_data: Iterable[str] = (),
) -> list[ModelError]:
    """One problem per (element, variable) read before any step supplies it."""
    outputs = _decision_outputs(dmn_trees)
    tables = {k: v for tree in dmn_trees.values() for k, v in decision_reads(tree).items()}
    sheet = forms.get(DATA_SHEET) or {}
    external = {*start_data, *_properties(sheet)}
    processes = {
        node.get("id", ""): (file, node)
        for file, tree in bpmn_trees.items()
        for node in tree.iter(bpmn("process"))
        if is_executable(node)
    }
    built = {
        pid: _build(file, node, forms, outputs, tables)
        for pid, (file, node) in processes.items()
        if not any(True for _ in node.iter(*(bpmn(t) for t in _OPAQUE)))
    }
    problems: list[ModelError] = []
    for pid, process in built.items():
        callers = [p for p in built.values() if pid in _called(p)]
        outside = external | _start_data(processes[pid][1])
        for caller in callers:  # a called process starts with its caller's data
            outside |= _all_supplies(caller)
        problems.extend(_unsupplied(process, outside, built))
    return problems


# ---------------------------------------------------------------- the graph


def _build(
    file: str,
    process: Any,
    forms: Mapping[str, Mapping[str, Any]],
    outputs: Mapping[str, set[str]],
    tables: Mapping[str, list[str]],
) -> _Process:
    graph = _Process(file, decision_reads=tables)
    for node in process.iter(*(bpmn(tag) for tag in _FLOW_NODES)):
        ident = node.get("id")
        if not ident:
            continue
        graph.nodes[ident] = node
        graph.preds.setdefault(ident, set())
        graph.supplies[ident] = _supplies(node, forms, outputs)
        if _in_event_subprocess(node, process):
            graph.anywhere.add(ident)
    for flow in process.iter(bpmn("sequenceFlow")):
        source, target = flow.get("sourceRef", ""), flow.get("targetRef", "")
        graph.preds.setdefault(target, set()).add(source)
    for ident, node in graph.nodes.items():
        local = etree.QName(node).localname
        if local == "boundaryEvent":
            graph.preds[ident].add(node.get("attachedToRef", ""))
        parent = node.getparent()
        if parent is not None and etree.QName(parent).localname in _CONTAINERS:
            graph.preds[ident].add(parent.get("id", ""))  # inside: after the sub-process starts
        if local in _CONTAINERS:
            inner = {n.get("id", "") for n in node.iter() if n is not node and n.get("id")}
            graph.supplies[ident] |= set().union(*(graph.supplies.get(i, set()) for i in inner))
        if local == "callActivity":
            graph.supplies_all.add(ident)
    for ident, node in graph.nodes.items():
        graph.reads.extend(_reads(ident, node, forms, graph))
    return graph


def _in_event_subprocess(node: Any, process: Any) -> bool:
    holder = node.getparent()
    while holder is not None and holder is not process:
        if (
            etree.QName(holder).localname == "subProcess"
            and holder.get("triggeredByEvent") == "true"
        ):
            return True
        holder = holder.getparent()
    return False


def _called(process: _Process) -> set[str]:
    return {
        process.nodes[i].get("calledElement", "")
        for i in process.supplies_all
        if process.nodes[i].get("calledElement")
    }


def _all_supplies(process: _Process) -> set[str]:
    return set().union(*process.supplies.values()) if process.supplies else set()


def _ancestors(process: _Process, ident: str) -> set[str]:
    seen: set[str] = set()
    todo = list(process.preds.get(ident, ()))
    while todo:
        current = todo.pop()
        if current in seen or current == ident:
            continue
        seen.add(current)
        todo.extend(process.preds.get(current, ()))
    return seen


def _unsupplied(
    process: _Process, outside: set[str], built: Mapping[str, _Process]
) -> Iterator[ModelError]:
    everything = _all_supplies(process)
    reported: set[tuple[int, str]] = set()
    for read in process.reads:
        if read.name in outside or (id(read.node), read.name) in reported:
            continue
        if read.reader in process.anywhere:
            available: set[str] | None = everything
        else:
            available = _available(process, _ancestors(process, read.reader), built)
        if available is None or read.name in available:
            continue
        reported.add((id(read.node), read.name))
        yield _problem(process.file, read, supplied_later=read.name in everything)


def _available(
    process: _Process, earlier: set[str], built: Mapping[str, _Process]
) -> set[str] | None:
    """What the steps in ``earlier`` supply; None after a call out of the bundle."""
    available = set().union(*(process.supplies.get(i, set()) for i in earlier))
    for ident in earlier & process.supplies_all:
        callee = built.get(process.nodes[ident].get("calledElement", ""))
        if callee is None:
            return None
        available |= _all_supplies(callee)
    return available


def _problem(file: str, read: _Read, *, supplied_later: bool) -> ModelError:
    where = "the step that supplies it comes later" if supplied_later else "no step supplies it"
    return ModelError(
        f"{read.what} reads {read.name!r} before any step supplies it ({where}; no earlier "
        "form asks for it, no earlier script, decision or operator sets it, and cases do "
        "not start with it), so the live case would stop here with NameError. Ask for it "
        "in a form before this step, set it in an earlier step, or, if every case starts "
        "with it, list it in the process's startData property",
        file=file,
        line=read.node.sourceline,
        element=xmlsafe.describe(read.node),
        code="variable_not_supplied",
        params={"what": read.what, "name": read.name, "later": int(supplied_later)},
    )


# ---------------------------------------------------------------- supplies


def _supplies(
    node: Any, forms: Mapping[str, Mapping[str, Any]], outputs: Mapping[str, set[str]]
) -> set[str]:
    local = etree.QName(node).localname
    found: set[str] = set()
    form = _property(node, FORM_PROPERTY)
    if form and local in ("userTask", "manualTask"):
        found |= _properties(forms.get(form) or {})
    for script in _scripts(node):
        found |= assigned_names(script)
    if local == "businessRuleTask":
        ref = node.find(f"{bpmn('extensionElements')}/{spiff('calledDecisionId')}")
        if ref is not None and ref.text:
            found |= outputs.get(ref.text.strip(), set())
    operator = node.find(f"{bpmn('extensionElements')}/{spiff('serviceTaskOperator')}")
    if operator is not None and operator.get("resultVariable"):
        found.add(operator.get("resultVariable"))
    for tag in ("messageVariable", "variableName"):
        for item in node.iter(spiff(tag)):
            if item.text and item.text.strip():
                found.add(item.text.strip())
    for loop in node.iterchildren(bpmn("multiInstanceLoopCharacteristics")):
        for tag in ("loopDataOutputRef", "loopDataInputRef"):
            for ref in loop.iterchildren(bpmn(tag)):
                if ref.text and ref.text.strip():
                    found.add(ref.text.strip())
        for tag in ("inputDataItem", "outputDataItem"):
            for item in loop.iterchildren(bpmn(tag)):
                found.update(filter(None, (item.get("name"), item.get("id"))))
    return found


def _start_data(process: Any) -> set[str]:
    """The names a process declares its cases start with (``startData``)."""
    return {n for n in re.split(r"[\s,，]+", _property(process, START_DATA_PROPERTY)) if n}


def _properties(schema: Mapping[str, Any]) -> set[str]:
    props = schema.get("properties") if isinstance(schema, Mapping) else None
    return {str(name) for name in props} if isinstance(props, Mapping) else set()


def _property(node: Any, name: str) -> str:
    path = f"{bpmn('extensionElements')}/{spiff('properties')}/{spiff('property')}"
    for prop in node.iterfind(path):
        if prop.get("name") == name:
            return str(prop.get("value") or "")
    return ""


def _scripts(node: Any) -> Iterator[str]:
    if etree.QName(node).localname == "scriptTask":
        script = node.find(bpmn("script"))
        if script is not None and script.text:
            yield script.text
    for tag in ("preScript", "postScript"):
        found = node.find(f"{bpmn('extensionElements')}/{spiff(tag)}")
        if found is not None and found.text:
            yield found.text


def _decision_outputs(dmn_trees: Mapping[str, Any]) -> dict[str, set[str]]:
    outputs: dict[str, set[str]] = {}
    for tree in dmn_trees.values():
        for decision in tree.iter("{*}decision"):
            names = {o.get("name", "") for o in decision.iter("{*}output")}
            outputs[decision.get("id", "")] = {n for n in names if n}
    return outputs


# -------------------------------------------------------------------- reads


def _reads(
    ident: str, node: Any, forms: Mapping[str, Mapping[str, Any]], graph: _Process
) -> Iterator[_Read]:
    local = etree.QName(node).localname
    ext = node.find(bpmn("extensionElements"))
    pre = ext.find(spiff("preScript")) if ext is not None else None
    if pre is not None and pre.text:
        yield from _named(script_reads(pre.text), "pre-script", node, ident)
    if local == "scriptTask":
        script = node.find(bpmn("script"))
        if script is not None and script.text:
            yield from _named(script_reads(script.text), "script", node, ident)
    post = ext.find(spiff("postScript")) if ext is not None else None
    if post is not None and post.text:
        own = graph.supplies.get(ident, set()) - assigned_names(post.text)
        reads = [n for n in script_reads(post.text) if n not in own]
        yield from _named(reads, "post-script", node, ident)
    for flow in (
        node.getparent().iterchildren(bpmn("sequenceFlow")) if node.getparent() is not None else ()
    ):
        if flow.get("sourceRef") == ident:
            condition = flow.find(bpmn("conditionExpression"))
            if condition is not None and condition.text and condition.text.strip():
                yield from _named(expression_reads(condition.text), "condition", flow, ident)
    reader = node.get("attachedToRef", "") if local == "boundaryEvent" else ident
    for timer in node.iter(bpmn("timerEventDefinition")):
        for child in timer.iterchildren(tag=etree.Element):
            # ISO text unquoted ('R6/P1D') is refused by the code checks for what it is.
            if child.text and child.text.strip() and not code_problem(child.text, "timer"):
                yield from _named(expression_reads(child.text), "timer", node, reader)
    for condition in node.iter(bpmn("condition")):
        if condition.text and condition.text.strip():
            yield from _named(expression_reads(condition.text), "condition", node, reader)
    operator = ext.find(spiff("serviceTaskOperator")) if ext is not None else None
    if operator is not None:
        for param in operator.iter(spiff("parameter")):
            value = param.get("value") or ""
            what = f"operator parameter {param.get('id', '')!r}"
            yield from _named(expression_reads(value), what, node, ident)
    for loop in node.iterchildren(bpmn("multiInstanceLoopCharacteristics")):
        for tag in ("loopCardinality", "completionCondition"):
            for child in loop.iterchildren(bpmn(tag)):
                if child.text and child.text.strip():
                    yield from _named(expression_reads(child.text), "multi-instance", node, ident)
    yield from _dmn_reads(ident, node, graph)


def _named(names: Iterable[str], what: str, node: Any, reader: str) -> Iterator[_Read]:
    for name in dict.fromkeys(names):
        yield _Read(name, what, node, reader)


def _dmn_reads(ident: str, node: Any, graph: _Process) -> Iterator[_Read]:
    if etree.QName(node).localname != "businessRuleTask":
        return
    ref = node.find(f"{bpmn('extensionElements')}/{spiff('calledDecisionId')}")
    decision_id = (ref.text or "").strip() if ref is not None else ""
    yield from _named(
        graph.decision_reads.get(decision_id, []), f"decision {decision_id!r}", node, ident
    )


def decision_reads(tree: Any) -> dict[str, list[str]]:
    """Decision id -> the case variables its input expressions and cells read."""
    found: dict[str, list[str]] = {}
    for decision in tree.iter("{*}decision"):
        names: list[str] = []
        for expression in decision.iter("{*}inputExpression"):
            text = expression.find("{*}text")
            if text is not None and text.text:
                names.extend(expression_reads(text.text))
        for entry in decision.iter("{*}inputEntry", "{*}outputEntry"):
            text = entry.find("{*}text")
            if text is not None and text.text:
                names.extend(cell_reads(text.text))
        found[decision.get("id", "")] = list(dict.fromkeys(names))
    return found


# -------------------------------------------------------------- Python code


def expression_reads(source: str) -> list[str]:
    """Case variables an expression reads (names that are neither called nor known)."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []  # the code checks say why it does not compile
    return _free_names(tree, guarded=set())


def script_reads(source: str) -> list[str]:
    """Case variables a script reads: not assigned anywhere in it, not guarded by
    ``except NameError``, neither called nor known."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    guarded: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(_catches_name_error(h) for h in node.handlers):
            for statement in node.body:
                guarded.update(id(n) for n in ast.walk(statement))
    return _free_names(tree, guarded=guarded)


def cell_reads(text: str) -> list[str]:
    """Case variables a DMN cell reads ('-' and literals read none)."""
    cell = text.strip()
    if not cell or cell == "-":
        return []
    replaced = _QUESTION.sub(DMN_INPUT, cell)
    for candidate in (replaced, f"{DMN_INPUT} {replaced}"):
        names = expression_reads(candidate) if _parses(candidate) else None
        if names is not None:
            return [n for n in names if n != DMN_INPUT]
    return []


def assigned_names(source: str) -> set[str]:
    """Names a script's top level assigns (they become case data)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    return {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
    }


def _parses(source: str) -> bool:
    try:
        ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _catches_name_error(handler: ast.ExceptHandler) -> bool:
    caught = handler.type
    if caught is None:
        return True
    names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
    return any(isinstance(n, ast.Name) and n.id in ("NameError", "Exception") for n in names)


def _free_names(tree: ast.AST, *, guarded: set[int]) -> list[str]:
    local: set[str] = set()
    called: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            local.add(node.id)
        elif isinstance(node, ast.arg):
            local.add(node.arg)
        elif _binds_a_name(node):
            local.add(getattr(node, "name", ""))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            called.add(id(node.func))
    names = [
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name)
        and isinstance(node.ctx, ast.Load)
        and id(node) not in called
        and id(node) not in guarded
        and node.id not in local
        and node.id not in KNOWN_NAMES
    ]
    return list(dict.fromkeys(names))


def _binds_a_name(node: ast.AST) -> bool:
    """A function, class or ``except ... as name`` binds its name in the code."""
    if isinstance(node, ast.ExceptHandler):
        return bool(node.name)
    return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
