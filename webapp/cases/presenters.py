"""Case data as a person reads it: the forms' labels and choice names, not variable names."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from processes.definition import ProcessDefinition


def _choice_labels(definition: ProcessDefinition) -> dict[str, dict[str, str]]:
    choices: dict[str, dict[str, str]] = {}
    for schema in definition.forms.values():
        for name, prop in (schema.get("properties") or {}).items():
            if isinstance(prop, dict) and "enum" in prop:
                labels = prop.get("x-enumLabels") or prop["enum"]
                choices.setdefault(
                    name, {str(v): str(lbl) for v, lbl in zip(prop["enum"], labels, strict=False)}
                )
    return choices


def display(value: Any, choices: dict[str, str] | None = None) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if value is None or value == "":
        return "—"
    if choices and str(value) in choices:
        return choices[str(value)]
    return str(value)


def case_facts(definition: ProcessDefinition, data: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) for every data item a form names, in the order the case gathered them."""
    labels = definition.field_labels
    choices = _choice_labels(definition)
    return [
        (labels[name], display(value, choices.get(name)))
        for name, value in data.items()
        if name in labels
    ]


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
    labels = definition.field_labels
    choices = _choice_labels(definition)
    return [
        (
            labels.get(name, name),
            display(before, choices.get(name)),
            display(after, choices.get(name)),
        )
        for name, before, after in changes
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
