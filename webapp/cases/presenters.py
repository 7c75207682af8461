"""Case data as a person reads it: the forms' labels and choice names, not variable names."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from lxml import etree

from processes import xmlsafe
from processes.definition import ProcessDefinition
from processes.facts import raised_warnings


def _choices(prop: dict[str, Any] | None) -> dict[str, str]:
    if not prop or "enum" not in prop:
        return {}
    labels = prop.get("x-enumLabels") or prop["enum"]
    return {str(v): str(label) for v, label in zip(prop["enum"], labels, strict=False)}


def display(value: Any, prop: dict[str, Any] | None = None) -> str:
    """A value as a person reads it: choice names, 是/否, an object's labelled parts,
    a list's items; never a code or a Python literal."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    choices = _choices(prop)
    if choices and str(value) in choices:
        return choices[str(value)]
    if isinstance(value, dict):
        return _object_text(value, (prop or {}).get("properties") or {})
    if isinstance(value, list):
        return "、".join(display(item, (prop or {}).get("items")) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _object_text(value: dict[str, Any], properties: dict[str, Any]) -> str:
    """An object's parts that have a title ("核定数量 120；可用数 30"); untitled parts are
    working values of the model and are left out."""
    parts = [
        f"{prop['title']} {display(value[key], prop)}"
        for key, prop in properties.items()
        if key in value and isinstance(prop, dict) and isinstance(prop.get("title"), str)
    ]
    return "；".join(parts) or "—"


def case_facts(definition: ProcessDefinition, data: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) for every data item the model labels, in the order the case
    gathered them; items it does not label are its working values and stay out."""
    schemas = definition.field_schemas
    return [
        (str(schemas[name]["title"]), display(value, schemas[name]))
        for name, value in data.items()
        if name in schemas
    ]


def task_facts(
    definition: ProcessDefinition, bpmn_id: str, data: dict[str, Any]
) -> list[tuple[str, str]]:
    """What the decider of ``bpmn_id`` must see, as its model declares (``facts``), each
    labelled and formatted; every labelled item when the task declares none."""
    info = definition.tasks.get(bpmn_id)
    if info is None or not info.facts:
        return case_facts(definition, data)
    rows: list[tuple[str, str]] = []
    for path in info.facts:
        prop = definition.data_schema(path)
        if prop is not None:
            rows.append((str(prop["title"]), display(_value_at(data, path), prop)))
    return rows


def _value_at(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def case_warnings(definition: ProcessDefinition, data: dict[str, Any]) -> list[str]:
    """The model's warnings that hold for this case, in the user's language."""
    english = (get_language() or "").startswith("en")
    return [w.text_en if english else w.text for w in raised_warnings(definition, data)]


def timeline(
    definition: ProcessDefinition, events: Any
) -> list[tuple[Any, list[tuple[str, str, str]]]]:
    """Each event with its data changes, labelled (only a person's steps carry data)."""
    return [
        (
            event,
            labelled_changes(definition, event.changes) if event.kind == "task_completed" else [],
        )
        for event in events
    ]


def labelled_changes(
    definition: ProcessDefinition, changes: list[tuple[str, Any, Any]]
) -> list[tuple[str, str, str]]:
    """The changes to items the model labels; its unlabelled working values stay out."""
    schemas = definition.field_schemas
    return [
        (
            str(schemas[name]["title"]),
            display(before, schemas[name]),
            display(after, schemas[name]),
        )
        for name, before, after in changes
        if name in schemas
    ]


# Events that mean the engine passed through an element (a person's step or its own).
PASSED_KINDS = frozenset({"task_completed", "engine_step"})


def diagram_marks(events: Any, open_task_ids: list[str]) -> dict[str, list[str]]:
    """BPMN element ids to highlight: the path taken and the tasks waiting now."""
    done: list[str] = []
    for event in events:
        if event.kind in PASSED_KINDS and event.bpmn_id and event.bpmn_id not in done:
            done.append(event.bpmn_id)
    return {"done": done, "active": sorted(set(open_task_ids))}


def lanes_named(xml: bytes, names: dict[str, str]) -> bytes:
    """The diagram with each lane showing its role's name (人事专员), not its code."""
    tree = xmlsafe.parse_model_xml(xml, "diagram.bpmn")
    for lane in tree.iter(f"{{{xmlsafe.BPMN_NS}}}lane"):
        code = lane.get("name", "")
        if code in names:
            lane.set("name", names[code])
    data: bytes = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    return data


def main_bpmn(files: dict[str, bytes], process_id: str) -> bytes:
    """The BPMN file that holds the process (a bundle also has DMN tables and forms)."""
    bpmn = {name: data for name, data in files.items() if name.endswith(".bpmn")}
    if f"{process_id}.bpmn" in bpmn:
        return bpmn[f"{process_id}.bpmn"]
    marker = f'id="{process_id}"'.encode()
    for _name, data in sorted(bpmn.items()):
        if marker in data:
            return data
    raise LookupError(process_id)
