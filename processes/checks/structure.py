"""Tree checks of the BPMN files, run before SpiffWorkflow sees them.

They find what would make SpiffWorkflow crash or answer in its own terms: a dangling
sequence flow or boundary event, a default flow that does not leave its gateway, a
called process or decision that is not in the bundle, a process that calls itself,
a data store, an extension element missing what SpiffWorkflow reads blindly.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from lxml import etree

from .. import xmlsafe
from ..errors import ModelError
from .foreign import foreign_implementation, foreign_problems, service_task_problems
from .nodes import at, bpmn, is_executable, listing, owner, spiff

CONTAINERS = ("process", "subProcess", "transaction", "adHocSubProcess")


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
        blocking.extend(service_task_problems(name, process))
        blocking.extend(_extension_problems(name, process))
        blocking.extend(_call_problems(name, process, processes))
        blocking.extend(_decision_ref_problems(name, process, decisions))
        advisory.extend(foreign_problems(name, process))
    blocking.extend(_recursion_problems(processes))
    return blocking, advisory


def _data_store_problems(file: str, tree: Any) -> Iterator[ModelError]:
    for store in tree.iter(bpmn("dataStore")):
        yield at(
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
                yield at(
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
        yield at(file, flow, f"sequence flow {flow.get('id', '')!r} {verb} {ref!r}, {where}")


def _default_flow_problems(file: str, container: Any) -> Iterator[ModelError]:
    outgoing: dict[str, set[str]] = {}
    for flow in container.iterchildren(bpmn("sequenceFlow")):
        outgoing.setdefault(flow.get("sourceRef", ""), set()).add(flow.get("id", ""))
    for gateway in container.iterchildren(
        bpmn("exclusiveGateway"), bpmn("inclusiveGateway"), bpmn("complexGateway")
    ):
        default = gateway.get("default")
        if default and default not in outgoing.get(gateway.get("id", ""), set()):
            yield at(
                file,
                gateway,
                f"default flow {default!r} is not one of the gateway's outgoing sequence flows",
            )


def _extension_problems(file: str, process: Any) -> Iterator[ModelError]:
    """Attributes the spiffworkflow XSD leaves optional but SpiffWorkflow indexes blindly."""
    for node in process.iter(spiff("property")):
        if node.get("name") is None or node.get("value") is None:
            yield at(file, owner(node), "spiffworkflow:property needs both name and value")
    for node in process.iter(spiff("parameter")):
        if node.get("value") is not None and (node.get("id") is None or node.get("type") is None):
            yield at(file, owner(node), "spiffworkflow:parameter needs id, type and value")


def _call_problems(
    file: str, process: Any, processes: Mapping[str, tuple[str, Any]]
) -> Iterator[ModelError]:
    for call in process.iter(bpmn("callActivity")):
        called = call.get("calledElement", "")
        if not called:
            yield at(file, call, "call activity does not name a process (calledElement is empty)")
        elif called not in processes:
            known = listing(sorted(p for p in processes if p)) or "no process"
            yield at(
                file,
                call,
                f"call activity calls process {called!r}, which is not in the bundle "
                f"(the bundle defines {known}); the called process must be deployed with it",
            )
        elif not is_executable(processes[called][1]):
            yield at(
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
            yield at(
                file,
                task,
                "business rule task must name its decision (spiffworkflow:calledDecisionId)"
                + (f"; this one {hint}, which this engine does not read" if hint else ""),
            )
        elif ref not in decisions:
            known = f"decisions here: {listing(sorted(decisions))}" if decisions else "no DMN file"
            yield at(
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
                yield at(
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
