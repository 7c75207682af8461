"""What another engine's model expects that this one would silently skip.

Camunda, Activiti and Flowable models name Java delegates, expressions, external-task
topics, connectors and listeners; Camunda 8 names jobs. None of them runs here, so an
element that carries one is refused and the message says what it would have done.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lxml import etree

from .. import xmlsafe
from ..errors import ModelError, one_line
from ..spiff_errors import SERVICE_TASK_MESSAGE
from .nodes import at, bpmn, spiff

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


def service_task_problems(file: str, process: Any) -> Iterator[ModelError]:
    """A service task must name a Fuzhi operator; say what another engine's one names."""
    for task in process.iter(bpmn("serviceTask")):
        operator = task.find(f"{bpmn('extensionElements')}/{spiff('serviceTaskOperator')}")
        if operator is None:
            hint = foreign_implementation(task)
            yield at(file, task, SERVICE_TASK_MESSAGE + (f", and this one {hint}" if hint else ""))
        elif not operator.get("id"):
            yield at(file, task, "spiffworkflow:serviceTaskOperator has no id (the operator name)")


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


def foreign_problems(file: str, process: Any) -> Iterator[ModelError]:
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
                yield at(
                    file,
                    node,
                    f"this {qname.localname} {hint}; this engine runs no external tasks or Java "
                    f"code, so {effect}",
                )
        yield from _listener_problems(file, node)
        if qname.localname == "scriptTask":
            script_format = (node.get("scriptFormat") or "").strip()
            if script_format and script_format.lower() not in PYTHON_FORMATS:
                yield at(
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
        yield at(
            file,
            node,
            f"{', '.join(listeners)} is not run by this engine (listeners are another "
            "engine's code); model the work as a task",
        )
