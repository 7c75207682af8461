"""SpiffWorkflow's parse, element by element: every error it finds, not only the first.

SpiffWorkflow's parser stops at the first exception, so a model with three broken
elements showed one problem per save. Here the parse runs on a scratch copy of the
trees: each element SpiffWorkflow (or an earlier Fuzhi check) refuses is *neutralised*
in the copy -- a task becomes a plain task, a gateway a parallel one, a boundary event
or sequence flow is dropped -- and the parse runs again, until it succeeds or makes no
progress. The definition it then yields is only for checking the rest of the model;
it is never deployed or run.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from typing import Any

from lxml import etree
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from . import xmlsafe
from .errors import ModelError
from .spiff_errors import spiff_error

# The ids in an element's description: 'userTask review (…)', 'x in boundaryEvent b1'.
_DESCRIBED = re.compile(r"(?:^|\bin )[A-Za-z]+ (\S+)")
MAX_ROUNDS = 30  # one per broken element; a model with more is told the first thirty
BPMN = f"{{{xmlsafe.BPMN_NS}}}"
_EVENTS_KEPT = ("startEvent", "endEvent")  # stripped of their definitions, not replaced
_GATEWAYS = ("exclusiveGateway", "inclusiveGateway", "complexGateway", "eventBasedGateway")
_DROPPED = ("sequenceFlow", "boundaryEvent", "dataStore", "dataStoreReference")
_ACTIVITIES = frozenset(
    {
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
        "intermediateCatchEvent",
        "intermediateThrowEvent",
    }
)
_WHOLE = frozenset({"definitions", "process", "collaboration", "participant", "laneSet", "lane"})
_KEPT_CHILDREN = ("documentation", "incoming", "outgoing")


class Scratch:
    """Copies of a bundle's trees that SpiffWorkflow may be handed after repairs."""

    def __init__(self, trees: Mapping[str, Any], kinds: Mapping[str, str]) -> None:
        self.trees = {name: copy.deepcopy(tree) for name, tree in trees.items()}
        self.kinds = dict(kinds)
        self.skipped: set[str] = set()  # files SpiffWorkflow cannot read at all
        self.neutralised: set[tuple[str, str]] = set()

    def neutralise(self, file: str, element_id: str) -> bool:
        """Make ``element_id`` harmless in the copy; False when it is not there or was
        already neutralised (no progress)."""
        tree = self.trees.get(file)
        if tree is None or (file, element_id) in self.neutralised:
            return False
        node = xmlsafe.find_by_id(tree, element_id)
        if node is None or node.getparent() is None or etree.QName(node).localname in _WHOLE:
            return False  # a process (or the file) cannot be set aside and checked
        self.neutralised.add((file, element_id))
        _neutralise(node)
        return True

    def neutralise_problem(self, problem: ModelError) -> bool:
        """Set aside the element a problem names (by its id, else by its line)."""
        tree = self.trees.get(problem.file)
        if tree is None:
            return False
        for ident in _DESCRIBED.findall(problem.element or ""):
            if xmlsafe.find_by_id(tree, ident) is not None:
                return self.neutralise(problem.file, ident)
        return self.neutralise_at(problem.file, problem.line)

    def neutralise_at(self, file: str, line: int | None) -> bool:
        """The element on ``line`` (or the nearest ancestor with an id)."""
        tree = self.trees.get(file)
        if tree is None or not line:
            return False
        for node in tree.iter(tag=etree.Element):
            if node.sourceline == line:
                holder = node
                while holder is not None and not holder.get("id"):
                    holder = holder.getparent()
                return holder is not None and self.neutralise(file, holder.get("id", ""))
        return False


def _neutralise(node: Any) -> None:
    local = etree.QName(node).localname
    if local in _DROPPED:
        _drop(node)
    elif local in _EVENTS_KEPT:
        _strip(node, keep=_KEPT_CHILDREN)
    elif local in _GATEWAYS:
        _strip(node, keep=_KEPT_CHILDREN)
        node.tag = f"{BPMN}parallelGateway"
        node.attrib.pop("default", None)
        for flow in _outgoing_flows(node):
            for condition in flow.findall(f"{BPMN}conditionExpression"):
                flow.remove(condition)
    elif local in _ACTIVITIES:
        _as_plain_task(node)
    else:
        _drop(node)


def _as_plain_task(node: Any) -> None:
    _strip(node, keep=_KEPT_CHILDREN)
    node.tag = f"{BPMN}task"
    for attribute in list(node.attrib):
        if attribute not in ("id", "name"):
            del node.attrib[attribute]
    for extra in _outgoing_flows(node)[1:]:  # a plain task may not split the flow
        _drop(extra)


def _strip(node: Any, *, keep: Iterable[str]) -> None:
    kept = {f"{BPMN}{tag}" for tag in keep}
    for child in list(node):
        if child.tag not in kept:
            node.remove(child)


def _outgoing_flows(node: Any) -> list[Any]:
    parent = node.getparent()
    ident = node.get("id")
    if parent is None:
        return []
    return [f for f in parent.iterchildren(f"{BPMN}sequenceFlow") if f.get("sourceRef") == ident]


def _drop(node: Any) -> None:
    ident = node.get("id", "")
    parent = node.getparent()
    if parent is None:
        return
    if etree.QName(node).localname == "boundaryEvent":
        for flow in _outgoing_flows(node):
            _drop(flow)
    parent.remove(node)
    if not ident:
        return
    root = parent.getroottree()
    for ref in root.iter(f"{BPMN}incoming", f"{BPMN}outgoing", f"{BPMN}flowNodeRef"):
        if (ref.text or "").strip() == ident and ref.getparent() is not None:
            ref.getparent().remove(ref)


# ------------------------------------------------------------------- parsing


def parse_each(
    scratch: Scratch, build: Any, *, add_dmn: Any
) -> tuple[Any | None, list[ModelError]]:
    """Parse the scratch trees with ``build(parser)`` until it succeeds, neutralising
    each element SpiffWorkflow refuses; (what ``build`` returned or None, the errors)."""
    errors: list[ModelError] = []
    for _ in range(MAX_ROUNDS):
        parser = SpiffBpmnParser(validator=None)
        try:
            _add_files(parser, scratch, add_dmn, errors)
            return build(parser, scratch), errors
        except Exception as exc:  # every refusal becomes a problem; a repair may go on
            file = getattr(exc, "file_name", "") or _first_bpmn(scratch)
            errors.append(spiff_error(exc, scratch.trees, file))
            if not _repair(scratch, exc, file):
                return None, errors
    return None, errors


def _add_files(
    parser: SpiffBpmnParser, scratch: Scratch, add_dmn: Any, errors: list[ModelError]
) -> None:
    for name, tree in scratch.trees.items():
        if name in scratch.skipped:
            continue
        if scratch.kinds.get(name) == "dmn":
            try:
                add_dmn(parser, name, tree)
            except Exception as exc:  # this table is out; the process is still parsed
                errors.append(spiff_error(exc, scratch.trees, name))
                scratch.skipped.add(name)
        else:
            parser.add_bpmn_xml(tree, filename=name)


def _repair(scratch: Scratch, exc: Exception, file: str) -> bool:
    ident = getattr(exc, "id", "") or ""
    if ident and scratch.neutralise(file, ident):
        return True
    line = getattr(exc, "line_number", None)
    return isinstance(line, int) and scratch.neutralise_at(file, line)


def _first_bpmn(scratch: Scratch) -> str:
    return next((n for n, k in scratch.kinds.items() if k == "bpmn"), "")
