"""Decision tables used outside a process (e.g. the Art. 14 duty scope table).

The same hardened parse, the same checks and the same restricted evaluation as a
business-rule task inside a process: a designer edits the table, not the code.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from . import xmlsafe
from .catalog import check_decision_file
from .errors import ModelError, ScriptFailed
from .pooled import PooledDecision, PooledEnvironment
from .sandbox.environment import RestrictedScriptEngine


@dataclass
class _Workflow:
    script_engine: RestrictedScriptEngine
    data_objects: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Task:
    """What DMNEngine needs of a task: its data and its workflow's script engine."""

    data: dict[str, Any]
    workflow: _Workflow
    task_spec: Any = None
    id: str = "decision"


@dataclass(frozen=True)
class Decision:
    """One DMN decision table, parsed and checked, ready to evaluate over task data; it
    runs whole in a sandbox worker (``key`` names it there: the file's content and id)."""

    decision_id: str
    engine: DMNEngine | PooledDecision


def load_decision(name: str, data: bytes, decision_id: str) -> Decision:
    """Parse and check a DMN file; refuse it with the same one-line errors as bpmn_check."""
    problems = check_decision_file(name, data)
    if problems:
        raise problems[0]
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_dmn_xml(xmlsafe.parse_model_xml(data, name).getroot(), filename=name)
    if decision_id not in parser.dmn_parsers:
        raise ModelError(f"the file defines no decision {decision_id!r}", file=name)
    key = f"{hashlib.sha256(data).hexdigest()}:{decision_id}"
    return Decision(decision_id, PooledDecision(parser.get_engine(decision_id, None), key))


def decide(decision: Decision, data: dict[str, Any]) -> dict[str, Any]:
    """The outputs of the matching rule(s) for ``data`` ({} when no rule matches)."""
    engine = RestrictedScriptEngine(PooledEnvironment())  # cells run in a sandbox worker
    task = _Task(data=dict(data), workflow=_Workflow(engine))
    try:
        result: dict[str, Any] = decision.engine.result(task)
    except SpiffWorkflowException as exc:
        inner = getattr(exc, "exception", None)
        raise ScriptFailed(f"decision {decision.decision_id} failed: {inner or exc}") from None
    return result
