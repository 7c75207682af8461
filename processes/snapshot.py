"""Workflow state to JSON-safe dicts and back, with the process spec kept apart.

The spec is the same for every case on a definition version and is over half of a
small snapshot, so a case stores only its instance state; the spec objects parsed
from the definition are re-attached on load.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from .errors import ProcessError

STATE_FORMAT = f"fuzhi-1/spiff-{VERSION}"


class _SpecFreeWorkflowConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    """Leaves the specs out of the dict and takes them from the caller on restore."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct  # type: ignore[no-any-return]

    def from_dict(
        self, dct: dict[str, Any], spec: Any = None, subprocess_specs: Any = None
    ) -> BpmnWorkflow:
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _SpecFreeWorkflowConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


_SERIALIZER = _serializer()


def dump(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The instance state of ``workflow`` as a JSON-safe dict, without its specs."""
    state: dict[str, Any] = _SERIALIZER.to_dict(workflow)
    state["format"] = STATE_FORMAT
    return state


def _parents_first(dct: dict[str, Any]) -> None:
    """Order ``dct['tasks']`` so every task comes after its parent.

    SpiffWorkflow stores a task's data as a delta against its parent's and can only
    rebuild it when the parent was restored first. A store that reorders object keys
    (PostgreSQL's jsonb sorts them) would otherwise silently empty the data.
    """
    if not isinstance(dct.get("tasks"), dict):
        return  # a truncated state: from_dict refuses it below
    tasks: dict[str, Any] = dct["tasks"]
    ordered: dict[str, Any] = {}
    queue = [dct.get("root")]
    while queue:
        task_id = queue.pop(0)
        if task_id in tasks and task_id not in ordered:
            ordered[task_id] = tasks[task_id]
            queue.extend(tasks[task_id].get("children", []))
    for task_id, task in tasks.items():
        ordered.setdefault(task_id, task)
    dct["tasks"] = ordered


def load(state: dict[str, Any], spec: Any, subprocess_specs: dict[str, Any]) -> BpmnWorkflow:
    """Rebuild a workflow from ``dump`` output, re-attaching the definition's specs.

    ``state`` is not modified (the converter pops keys, so it works on a copy).
    """
    if state.get("format") != STATE_FORMAT:
        raise ProcessError(
            f"workflow state format {state.get('format')!r} is not {STATE_FORMAT!r}; "
            "it must be migrated before it can be loaded"
        )
    dct = deepcopy(state)
    dct.pop("format")
    _parents_first(dct)
    for subprocess in dct.get("subprocesses", {}).values():
        _parents_first(subprocess)
    try:
        workflow: BpmnWorkflow = _SERIALIZER.from_dict(
            dct, spec=spec, subprocess_specs=subprocess_specs
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise ProcessError(f"workflow state does not match its definition: {exc!r}") from exc
    return workflow
